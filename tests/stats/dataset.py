"""A small, hand-made history: a dozen files whose every fact the tests can count by hand."""

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from applications.models import Application, ApplicationEvent, Assignment, OutcomeReport
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
            add_file(organisations[key], code, year, final, survey, reviewer, f"{batch}{n:04d}", n)
        )
    ExpertFactory.create_batch(3)
    ExpertFactory(status="expired")
    return files


def add_file(organisation, code, year, final, survey, reviewer, number: str, day: int = 0):
    """One file of `organisation` in programme `code`, submitted on March 1 + `day` of `year`,
    that went through the workflow to `final` (its timeline and its stamped moments)."""
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
    return application


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
                g["after"] += survey.investment_after
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
