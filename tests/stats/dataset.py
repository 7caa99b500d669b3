"""A small, hand-made history: a dozen files whose every fact the tests can count by hand."""

import statistics
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from adn_portal.lib.banking import structured_communication
from applications.models import (
    Agreement,
    Application,
    ApplicationEvent,
    Assignment,
    FollowUpSurvey,
    OutcomeReport,
    Payment,
    PaymentRequest,
)
from applications.workflow import Status
from programs.models import Programme
from stats.models import IndicatorValue
from tests.factories import CallFactory, ExpertFactory, OrganisationFactory, UserFactory

BRUSSELS = ZoneInfo("Europe/Brussels")
PATHS = {
    Status.SUBMITTED: [Status.SUBMITTED],
    Status.UNDER_REVIEW: [Status.SUBMITTED, Status.ELIGIBILITY_CHECK, Status.UNDER_REVIEW],
    Status.REJECTED: [
        Status.SUBMITTED,
        Status.ELIGIBILITY_CHECK,
        Status.UNDER_REVIEW,
        Status.REJECTED,
    ],
    Status.INELIGIBLE: [Status.SUBMITTED, Status.ELIGIBILITY_CHECK, Status.INELIGIBLE],
    Status.IN_PROGRESS: [
        Status.SUBMITTED,
        Status.ELIGIBILITY_CHECK,
        Status.UNDER_REVIEW,
        Status.SELECTED,
        Status.AGREEMENT_SIGNED,
        Status.IN_PROGRESS,
    ],
    Status.COMPLETED: [
        Status.SUBMITTED,
        Status.ELIGIBILITY_CHECK,
        Status.UNDER_REVIEW,
        Status.SELECTED,
        Status.AGREEMENT_SIGNED,
        Status.IN_PROGRESS,
        Status.REPORT_SUBMITTED,
        Status.COMPLETED,
    ],
    Status.CLOSED: [
        Status.SUBMITTED,
        Status.ELIGIBILITY_CHECK,
        Status.UNDER_REVIEW,
        Status.SELECTED,
        Status.AGREEMENT_SIGNED,
        Status.IN_PROGRESS,
        Status.REPORT_SUBMITTED,
        Status.COMPLETED,
        Status.CLOSED,
    ],
    Status.WITHDRAWN: [Status.SUBMITTED, Status.WITHDRAWN],
    Status.ABANDONED: [
        Status.SUBMITTED,
        Status.ELIGIBILITY_CHECK,
        Status.UNDER_REVIEW,
        Status.SELECTED,
        Status.AGREEMENT_SIGNED,
        Status.IN_PROGRESS,
        Status.ABANDONED,
    ],
}

# programme, year, postcode, kind, final status, (investment before, after, competitiveness, quality, recommend)
FILES = [
    ("START", 2023, "4000", "sme", Status.COMPLETED, (10000, 30000, True, True, True)),
    ("START", 2023, "5000", "sme", Status.COMPLETED, (20000, 40000, True, False, True)),
    ("START", 2023, "7000", "startup", Status.REJECTED, None),
    ("START", 2024, "4000", "commune", Status.CLOSED, (5000, 5000, False, False, False)),
    ("START", 2024, "6600", "sme", Status.INELIGIBLE, None),
    ("START", 2024, "1300", "sme", Status.IN_PROGRESS, None),
    ("TREMPLIN", 2024, "4700", "sme", Status.COMPLETED, (50000, 150000, True, True, True)),
    ("TREMPLIN", 2024, "5000", "sme", Status.UNDER_REVIEW, None),
    ("TREMPLIN", 2024, "1000", "large_company", Status.WITHDRAWN, None),
    ("CAP", 2024, "4000", "sme", Status.SUBMITTED, None),
    ("START", 2025, "7000", "cpas", Status.SUBMITTED, None),
    ("START", 2025, "4000", "sme", Status.REJECTED, None),
]


# The money of the selected files (by their index in FILES): the grant, the days from selection
# to the signed agreement (and to a signed amendment, if any), and the payment requests:
# (instalment, status, amount approved, days from the request to its payment if paid).
MONEY = {
    0: ("3750.00", 4.5, None, [("diagnostic", "paid", "3750.00", 12)]),
    1: ("3125.50", 9.25, 30, [("diagnostic", "approved", "2000.25", None)]),
    3: ("3750.00", 2, None, [("diagnostic", "paid", "3000.10", 5)]),
    5: ("1500.75", 20, None, [("diagnostic", "submitted", None, None)]),
    6: (
        "40000.00",
        7,
        None,
        [
            ("advance", "paid", "12000.00", 3),
            ("balance", "rejected", None, None),
            ("balance", "approved", "20000.00", None),
        ],
    ),
}


def build(batch: str = "") -> list[Application]:
    reviewer = UserFactory(first_name="Rita", last_name="Revue", role="reviewer", is_staff=True)
    organisations = {}
    files = []
    for n, (code, year, postcode, kind, final, survey) in enumerate(FILES):
        # Files 0 and 6 share an organisation: it went from Start IA to Tremplin IA.
        key = 0 if n in (0, 6) else n
        if key not in organisations:
            organisations[key] = OrganisationFactory(
                postcode=postcode,
                kind=kind,
                nace_codes=["62.010"] if n % 2 else ["10.710"],
                sector="J" if n % 2 else "C",
            )
        files.append(
            add_file(
                organisations[key],
                code,
                year,
                final,
                survey,
                reviewer,
                f"{batch}{n:04d}",
                n,
                money=MONEY.get(n),
            )
        )
    ExpertFactory.create_batch(3)
    ExpertFactory(status="expired")
    return files


def add_file(
    organisation, code, year, final, survey, reviewer, number: str, day: int = 0, money=None
):
    """One file of `organisation` in programme `code`, submitted on March 1 + `day` of `year`,
    that went through the workflow to `final` (its timeline and its stamped moments), with
    its grant, agreement and payments (`money`, as in MONEY)."""
    programme = Programme.objects.get(code=code)
    call = CallFactory(
        programme=programme,
        opens_at=datetime(year, 1, 1, tzinfo=BRUSSELS),
        closes_at=datetime(year + 1, 1, 1, tzinfo=BRUSSELS),
    )
    submitted = datetime(year, 3, 1 + day, 10, tzinfo=BRUSSELS)
    application = Application.objects.create(
        call=call,
        programme=programme,
        organisation=organisation,
        created_by=reviewer,
        status=final,
        reference=f"{code}-{year}-{number}",
        submitted_at=submitted,
    )
    path = PATHS[final]
    for index, status in enumerate(path):
        event = ApplicationEvent.objects.create(
            application=application, kind="transition", to_status=status
        )
        ApplicationEvent.objects.filter(pk=event.pk).update(
            at=submitted + timedelta(days=10 * index)
        )
    decided = next(
        (
            i
            for i, s in enumerate(path)
            if s in (Status.SELECTED, Status.REJECTED, Status.INELIGIBLE)
        ),
        None,
    )
    completed = path.index(Status.COMPLETED) if Status.COMPLETED in path else None
    selected = path.index(Status.SELECTED) if Status.SELECTED in path else None
    Application.objects.filter(pk=application.pk).update(
        decided_at=submitted + timedelta(days=10 * decided) if decided is not None else None,
        selected_at=submitted + timedelta(days=10 * selected) if selected is not None else None,
        completed_at=submitted + timedelta(days=10 * completed) if completed is not None else None,
    )
    if survey:
        before, after, competitiveness, quality, recommend = survey
        OutcomeReport.objects.create(
            application=application,
            summary="…",
            investment_before=Decimal(before),
            investment_after=Decimal(after),
            improved_competitiveness=competitiveness,
            improved_quality=quality,
            in_production=True,
            jobs_created=0,
            would_recommend=recommend,
            submitted_by=reviewer,
        )
    if final in (Status.UNDER_REVIEW, Status.SUBMITTED):
        Assignment.objects.create(application=application, reviewer=reviewer, assigned_by=reviewer)
    application.refresh_from_db()
    if money:
        add_money(application, reviewer, *money)
        application.refresh_from_db()
    return application


def add_money(application, by, granted, signed_after, amended_after, requests) -> None:
    """The grant, the agreement signed `signed_after` days after the selection (and an amendment
    signed `amended_after` days after it), and the payment requests, each submitted 30 days +
    its rank hours after the selection."""
    Application.objects.filter(pk=application.pk).update(granted_amount=Decimal(granted))
    selected = application.selected_at
    versions = [signed_after] + ([amended_after] if amended_after is not None else [])
    for number, days in enumerate(versions, start=1):
        signed = selected + timedelta(days=days)
        Agreement.objects.create(
            application=application,
            number=number,
            status="signed" if number == len(versions) else "superseded",
            language="fr",
            granted_amount=Decimal(granted),
            funding_rate=application.call.funding_rate,
            starts_on=signed.date(),
            ends_on=signed.date() + timedelta(days=365),
            beneficiary_signed_at=signed,
            adn_signed_at=signed,
            signed_at=signed,
        )
    for rank, (instalment, status, approved, paid_after) in enumerate(requests):
        submitted = selected + timedelta(days=30, hours=rank)
        request = PaymentRequest.objects.create(
            application=application,
            instalment=instalment,
            status=status,
            paid_to="beneficiary",
            payee_name="Bénéficiaire",
            iban="BE68539007547034",
            requested_by=by,
            submitted_at=submitted,
            approved_amount=Decimal(approved) if approved else None,
        )
        if paid_after is not None:
            Payment.objects.create(
                request=request,
                amount=request.approved_amount,
                paid_on=timezone.localtime(submitted).date() + timedelta(days=paid_after),
                communication=structured_communication(request.pk),
                recorded_by=by,
            )


# A count by hand, file by file, of what the snapshot computes in SQL.


def reached(application, status) -> bool:
    return any(e.to_status == status for e in application.events.all())


BY_HAND = [
    "requests",
    "completed",
    "organisations_supported",
    "acceptance",
    "conversion",
    "investment_multiplier",
    "improved_competitiveness",
    "improved_quality",
    "improved_either",
    "recommendation",
]


def investment_after(application, outcome) -> Decimal:
    """The investment the year after: as measured by the survey 12 months on when it was
    answered with it, else as told at completion."""
    later = FollowUpSurvey.objects.filter(application=application).first()
    if later is not None and later.investment_after is not None:
        return later.investment_after
    return outcome.investment_after


def selected_at(application):
    """When the file was selected, read from its timeline (None if never)."""
    return next((e.at for e in application.events.all() if e.to_status == Status.SELECTED), None)


def counted_by_hand(files) -> dict:
    """(indicator, dimension, key) → (value, numerator, denominator, organisations), from the
    files, their timelines and their surveys one by one."""
    groups = defaultdict(lambda: defaultdict(int) | {"orgs": defaultdict(set)})
    for f in files:
        code, year, org = f.programme.code, timezone.localtime(f.submitted_at).year, f.organisation
        selected = reached(f, Status.SELECTED)
        stages = {
            "requests": True,
            "completed": reached(f, Status.COMPLETED),
            "selected": selected,
            "decided": selected or f.status in (Status.REJECTED, Status.INELIGIBLE),
        }
        for key in (
            ("all", "all"),
            ("programme", code),
            ("year", str(year)),
            ("programme_year", f"{code}|{year}"),
            ("province", org.province),
            ("sector", org.sector),
            ("kind", org.kind),
            ("province_programme_year", f"{org.province}|{code}|{year}"),
            ("sector_programme_year", f"{org.sector}|{code}|{year}"),
            ("kind_programme_year", f"{org.kind}|{code}|{year}"),
        ):
            for stage, met in stages.items():
                if met:
                    groups[key][stage] += 1
                    groups[key]["orgs"][stage].add(org.pk)
            survey = getattr(f, "outcome", None) if stages["completed"] else None
            if survey is not None:
                g = groups[key]
                g["answered"] += 1
                g["orgs"]["answered"].add(org.pk)
                g["before"] += survey.investment_before
                g["after"] += investment_after(f, survey)
                g["improved_competitiveness"] += survey.improved_competitiveness
                g["improved_quality"] += survey.improved_quality
                g["improved_either"] += survey.improved_competitiveness or survey.improved_quality
                g["recommendation"] += survey.would_recommend
    by_org_only = ("all", "programme", "province", "sector", "kind")
    by_cell = ("all", "programme", "year", "programme_year")
    by_attribute_and_cell = ("province_programme_year", "sector_programme_year")
    by_attribute_and_cell += ("kind_programme_year",)
    expected = {}
    for (dimension, key), g in groups.items():
        # The cells by attribute are for staff only: no distinct organisations.
        orgs = {
            stage: None if dimension in by_attribute_and_cell else len(members)
            for stage, members in g["orgs"].items()
        }
        expected["requests", dimension, key] = (g["requests"], None, None, orgs["requests"])
        if g["completed"]:
            expected["completed", dimension, key] = (g["completed"], None, None, orgs["completed"])
        if g["selected"] and dimension in by_org_only:
            n = orgs["selected"]
            expected["organisations_supported", dimension, key] = (n, None, None, n)
        if g["decided"] and dimension in by_cell:
            ratio = Decimal(g["selected"] / g["decided"]).quantize(Decimal("0.0001"))
            expected["acceptance", dimension, key] = (
                ratio,
                g["selected"],
                g["decided"],
                orgs["decided"],
            )
        if g["answered"] and dimension in (*by_org_only, "year", "programme_year"):
            n, orgs_ = g["answered"], orgs["answered"]
            ratio = (g["after"] / g["before"]).quantize(Decimal("0.0001"))
            expected["investment_multiplier", dimension, key] = (
                ratio,
                g["after"],
                g["before"],
                orgs_,
            )
            for share in ("improved_competitiveness", "improved_quality", "improved_either"):
                ratio = Decimal(g[share] / n).quantize(Decimal("0.0001"))
                expected[share, dimension, key] = (ratio, g[share], n, orgs_)
            ratio = Decimal(g["recommendation"] / n).quantize(Decimal("0.0001"))
            expected["recommendation", dimension, key] = (ratio, g["recommendation"], n, orgs_)
    expected |= supported_by_year_range_by_hand(files)
    for first, then in (("START", "TREMPLIN"), ("TREMPLIN", "CAP")):
        # docs/domain.md, Outcomes and indicators: organisations with a selected file in the
        # earlier programme, and those of them with a file in the later one submitted after
        # that selection.
        first_selected = {}
        for f in files:
            moment = selected_at(f) if f.programme.code == first else None
            if moment is not None:
                known = first_selected.get(f.organisation_id)
                first_selected[f.organisation_id] = min(moment, known or moment)
        movers = {
            f.organisation_id
            for f in files
            if f.programme.code == then
            and f.organisation_id in first_selected
            and f.submitted_at > first_selected[f.organisation_id]
        }
        if first_selected:
            n = len(first_selected)
            ratio = Decimal(len(movers) / n).quantize(Decimal("0.0001"))
            expected["conversion", "all", f"{first}>{then}"] = (ratio, len(movers), n, n)
    return expected


def supported_by_year_range_by_hand(files) -> dict:
    """Distinct organisations with a selected file, per programme (or all) and range of the
    years of the files."""
    years = [timezone.localtime(f.submitted_at).year for f in files]
    programmes = sorted({f.programme.code for f in files})
    expected = {}
    for programme in (None, *programmes):
        for first in range(min(years), max(years) + 1):
            for last in range(first, max(years) + 1):
                supported = {
                    f.organisation_id
                    for f in files
                    if programme in (None, f.programme.code)
                    and first <= timezone.localtime(f.submitted_at).year <= last
                    and reached(f, Status.SELECTED)
                }
                if supported:
                    key = f"{programme or 'all'}|{first}-{last}"
                    n = len(supported)
                    expected["organisations_supported", "year_range", key] = (n, None, None, n)
    return expected


def stored_file_and_survey_figures() -> dict:
    return {
        (v.indicator, v.dimension, v.key): (v.value, v.numerator, v.denominator, v.organisations)
        for v in IndicatorValue.objects.filter(indicator__in=BY_HAND)
    }


def files_now() -> list[Application]:
    return list(
        Application.objects.filter(submitted_at__isnull=False).select_related(
            "programme", "organisation"
        )
    )


# The money after selection, counted by hand (docs/domain.md, After selection).

MONEY_INDICATORS = [
    "granted",
    "committed",
    "paid",
    "envelope_consumption",
    "days_to_signature",
    "days_to_payment",
]
# The files whose grant stands (counted against the call's envelope): selected and after,
# an information request on the way included; not an abandoned one.
GRANT_STANDS = {
    Status.SELECTED,
    Status.AGREEMENT_SIGNED,
    Status.IN_PROGRESS,
    Status.REPORT_SUBMITTED,
    Status.COMPLETED,
    Status.CLOSED,
    Status.INFO_REQUESTED,
}


def money_by_hand(files) -> dict:
    """(indicator, dimension, key) → (value, numerator, denominator, organisations) of the
    money indicators, from each selected file, its agreements, requests and payments."""
    sums = defaultdict(lambda: {"granted": Decimal(0), "committed": Decimal(0), "paid": Decimal(0)})
    envelopes = {}
    signature_days, payment_days = defaultdict(list), defaultdict(list)
    for f in files:
        if not reached(f, Status.SELECTED):
            continue
        code, year = f.programme.code, timezone.localtime(f.submitted_at).year
        granted = f.granted_amount if f.status in GRANT_STANDS and f.granted_amount else 0
        requests = list(PaymentRequest.objects.filter(application=f))
        committed = sum(r.approved_amount for r in requests if r.status in ("approved", "paid"))
        payments = list(Payment.objects.filter(request__application=f))
        call_key = f"{code}|{f.call_id}"
        envelopes[call_key] = f.call.budget_envelope
        for key in (
            ("all", "all"),
            ("programme", code),
            ("year", str(year)),
            ("programme_year", f"{code}|{year}"),
            ("call", call_key),
        ):
            sums[key]["granted"] += granted
            sums[key]["committed"] += committed
            sums[key]["paid"] += sum(p.amount for p in payments)
        first = Agreement.objects.filter(application=f, number=1, signed_at__isnull=False).first()
        if first is not None:
            days = (first.signed_at - selected_at(f)).total_seconds() / 86400
            signature_days["all", "all"].append(days)
            signature_days["programme", code].append(days)
        for p in payments:
            days = (p.paid_on - timezone.localtime(p.request.submitted_at).date()).days
            payment_days["all", "all"].append(days)
            payment_days["programme", code].append(days)
    cent, ten_thousandth = Decimal("0.01"), Decimal("0.0001")
    expected = {}
    for (dimension, key), s in sums.items():
        for indicator, value in s.items():
            expected[indicator, dimension, key] = (value, None, None, None)
        if dimension == "call" and envelopes[key]:
            ratio = (s["granted"] / envelopes[key]).quantize(ten_thousandth)
            expected["envelope_consumption", "call", key] = (
                ratio,
                s["granted"],
                envelopes[key],
                None,
            )
    for indicator, found in (
        ("days_to_signature", signature_days),
        ("days_to_payment", payment_days),
    ):
        for (dimension, key), days in found.items():
            expected[indicator, dimension, key] = (
                Decimal(statistics.median(days)).quantize(cent),
                Decimal(sum(days)).quantize(cent),
                len(days),
                None,
            )
    return expected


def stored_money_figures() -> dict:
    return {
        (v.indicator, v.dimension, v.key): (v.value, v.numerator, v.denominator, v.organisations)
        for v in IndicatorValue.objects.filter(indicator__in=MONEY_INDICATORS)
    }
