"""A plausible history of the programmes from 2020 to today, made through the portal's own
services (drafts, submission, review, decisions, report, completion), so that the indicators
computed from it land near AdN's published figures. Only the dates are set afterwards: the
services stamp "now", and a history needs the past.

Each file gets a planned timeline at the pace of its programme (`RHYTHMS`: a Start IA
diagnostic is decided in weeks and done within a quarter; a Tremplin IA pilot takes a year),
and goes through the workflow as far as that timeline has reached today."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from rich.console import Console
from rich.progress import track

from adn_portal.accounts.chains import seal_history
from adn_portal.accounts.models import User
from applications import services
from applications.models import (
    Agreement,
    ApplicantMessage,
    Application,
    ApplicationEvent,
    OutcomeReport,
    PaymentRequest,
    timeline_chain,
)
from applications.steps import steps_for
from applications.workflow import OPEN_STATUSES, Status
from companies.identifiers import _municipality_names, province_for_postcode
from companies.models import Expert, MemberRole, Membership, Organisation, OrganisationKind
from programs.models import Audience, Call, Instalment, Programme, ScoringCriterion

BRUSSELS = ZoneInfo("Europe/Brussels")
# Submissions per year: growth of 2.5 times from 2023 to 2024, as AdN reported.
PER_YEAR = {2020: 70, 2021: 105, 2022: 125, 2023: 150, 2024: 375, 2025: 330, 2026: 160}
PROGRAMME_SHARE = [
    (Programme.Code.START_IA, 0.6),
    (Programme.Code.TREMPLIN_IA, 0.3),
    (Programme.Code.CAP_IA, 0.1),
]
KINDS = (
    [OrganisationKind.SME] * 12
    + [OrganisationKind.STARTUP] * 3
    + [
        OrganisationKind.COMMUNE,
        OrganisationKind.INTERCOMMUNALE,
        OrganisationKind.CPAS,
        OrganisationKind.LARGE_COMPANY,
    ]
)
NACE = [
    "10.710",
    "25.620",
    "28.990",
    "46.900",
    "47.910",
    "49.410",
    "52.100",
    "56.101",
    "62.010",
    "70.220",
    "71.120",
    "86.100",
    "01.110",
    "41.201",
    "84.110",
    "68.201",
]
DEMO_IBAN = "BE68539007547034"
MUTED_MAILER = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}


@dataclass(frozen=True)
class Rhythm:
    """How a programme's files fare, and the days each stage takes (ranges drawn uniformly)."""

    withdrawn: float  # shares of the requests...
    ineligible: float
    rejected: float
    abandoned: float  # ...and of the projects started
    closed: float  # of the completed projects: closed once their follow-up is over
    to_decision: tuple[int, int]  # from submission to the decision
    to_agreement: tuple[int, int]  # from the selection to the signed agreement
    project: tuple[int, int]  # from the start of the work to the final report
    to_completion: tuple[int, int]  # from the final report to its approval


RHYTHMS = {
    # A 5-day diagnostic: decided in 2 to 4 weeks, done within about 2 to 3 months.
    Programme.Code.START_IA: Rhythm(
        0.05, 0.06, 0.08, 0.04, 0.25, (14, 28), (3, 10), (20, 45), (3, 10)
    ),
    # A call for projects: decided in 1 to 3 months, a pilot of 7 to 11 months.
    Programme.Code.TREMPLIN_IA: Rhythm(
        0.05, 0.05, 0.30, 0.07, 0.25, (30, 90), (14, 30), (210, 330), (10, 30)
    ),
    # Into production: longer decisions and projects.
    Programme.Code.CAP_IA: Rhythm(
        0.05, 0.05, 0.35, 0.08, 0.25, (45, 120), (20, 45), (300, 540), (15, 45)
    ),
}
# Of the organisations whose file was selected, how many go on to the next programme.
GOES_ON = {Programme.Code.TREMPLIN_IA: 0.4, Programme.Code.CAP_IA: 0.5}
PREVIOUS = {Programme.Code.TREMPLIN_IA: Programme.Code.START_IA}
PREVIOUS[Programme.Code.CAP_IA] = Programme.Code.TREMPLIN_IA


def plan(rng: random.Random, code: str, submitted: datetime) -> dict[Status, datetime]:
    """The moment each status of the file is reached, from its submission to where it ends."""
    pace = RHYTHMS[code]

    def after(moment: datetime, days: tuple[int, int]) -> datetime:
        return moment + timedelta(days=rng.randint(*days), hours=rng.randint(0, 6))

    r = rng.random()
    timeline = {Status.SUBMITTED: submitted}
    if r < pace.withdrawn:
        timeline[Status.WITHDRAWN] = after(submitted, (2, 20))
        return timeline
    timeline[Status.ELIGIBILITY_CHECK] = checked = after(submitted, (1, 3))
    if r < pace.withdrawn + pace.ineligible:
        timeline[Status.INELIGIBLE] = after(checked, (3, 10))
        return timeline
    timeline[Status.UNDER_REVIEW] = reviewed = after(checked, (1, 4))
    decided = max(after(submitted, pace.to_decision), reviewed + timedelta(days=1))
    if r < pace.withdrawn + pace.ineligible + pace.rejected:
        timeline[Status.REJECTED] = decided
        return timeline
    timeline[Status.SELECTED] = decided
    timeline[Status.AGREEMENT_SIGNED] = signed = after(decided, pace.to_agreement)
    timeline[Status.IN_PROGRESS] = started = after(signed, (0, 3))
    report = after(started, pace.project)
    if rng.random() < pace.abandoned:
        timeline[Status.ABANDONED] = started + (report - started) * rng.uniform(0.2, 0.8)
        return timeline
    timeline[Status.REPORT_SUBMITTED] = report
    timeline[Status.COMPLETED] = completed = after(report, pace.to_completion)
    if rng.random() < pace.closed:
        timeline[Status.CLOSED] = after(completed, (60, 180))
    return timeline


class History:
    def __init__(self, *, seed: int, scale: float):
        self.rng = random.Random(seed)  # noqa: S311 — repeatable demo data, not secrets
        # The payments draw from their own sequence: the files' figures stay those of the seed.
        self.money_rng = random.Random(seed + 1)  # noqa: S311
        self.scale = scale
        self.today = timezone.now()
        self.manager = User.objects.get(email="gestionnaire@adn.demo")
        self.reviewer = User.objects.get(email="evaluatrice@adn.demo")
        self.experts = list(
            Expert.objects.publicly_listed(today=timezone.localdate()).select_related(
                "organisation"
            )[:40]
        )
        self.postcodes = [
            p for p in sorted(_municipality_names()) if province_for_postcode(p) != "outside"
        ]
        self.organisations: list[tuple[Organisation, User]] = []
        # Per programme: (when, organisation number) of each selection, the earliest first.
        self.selected: dict[str, list[tuple[datetime, int]]] = {code: [] for code in RHYTHMS}
        self.surveys = 0

    # --- reference data ---------------------------------------------------------------------

    def call_for(self, code: str, year: int) -> Call:
        """One rolling call per programme and year, open from January to December."""
        programme = Programme.objects.get(code=code)
        opens = datetime(year, 1, 1, tzinfo=BRUSSELS)
        call, created = Call.objects.get_or_create(
            slug=f"{programme.slug}-{year}",
            defaults={
                "programme": programme,
                "title_fr": f"{programme.name} {year}",
                "title_en": f"{programme.name} {year}",
                "title_de": f"{programme.name} {year}",
                "summary_fr": f"Appel {programme.name} de l'année {year}.",
                "text_fr": "Appel annuel (historique de démonstration).",
                "audiences": [a.value for a in Audience],
                "opens_at": opens,
                "closes_at": datetime(year + 1, 1, 1, tzinfo=BRUSSELS),
                "budget_envelope": Decimal("50000000"),
                "funding_rate": Decimal("75" if code == Programme.Code.START_IA else "50"),
                "ceiling_per_file": Decimal("100000"),
                "advance_percent": Decimal("0" if code == Programme.Code.START_IA else "30"),
                "expert_days": 5 if code == Programme.Code.START_IA else None,
                "expert_day_rate": Decimal("1000") if code == Programme.Code.START_IA else None,
                "eligibility_rules": [],
                "form_sections": ["challenges", "expert", "project", "data", "budget", "roadmap"],
            },
        )
        if created:
            ScoringCriterion.objects.bulk_create(
                [
                    ScoringCriterion(
                        call=call,
                        label_fr="Pertinence",
                        label_en="Relevance",
                        label_de="Relevanz",
                        weight=Decimal("3"),
                        position=1,
                    ),
                    ScoringCriterion(
                        call=call,
                        label_fr="Faisabilité",
                        label_en="Feasibility",
                        label_de="Machbarkeit",
                        weight=Decimal("2"),
                        position=2,
                    ),
                ]
            )
        return call

    def organisation(self, n: int) -> tuple[Organisation, User]:
        if n < len(self.organisations):
            return self.organisations[n]
        postcode = self.rng.choice(self.postcodes)
        base = f"0{7_000_000 + n:07d}"
        organisation, _created = Organisation.objects.get_or_create(
            enterprise_number=base + f"{97 - int(base) % 97:02d}",
            defaults={
                "name": f"Organisation historique {n:04d}",
                "kind": self.rng.choice(KINDS),
                "street": "Rue de la Gare 1",
                "postcode": postcode,
                "municipality": _municipality_names()[postcode],
                "province": province_for_postcode(postcode),
                "headcount": self.rng.randint(3, 200),
                "turnover": Decimal(self.rng.randint(300, 30000) * 1000),
                "nace_codes": [self.rng.choice(NACE)],
            },
        )
        # The same derivations as a registration.
        from companies.services.organisations import _derive

        _derive(organisation)
        organisation.save()
        user, _created = User.objects.get_or_create(
            email=f"historique{n:04d}@adn.demo",
            defaults={"first_name": "Demo", "last_name": f"{n:04d}"},
        )
        Membership.objects.get_or_create(
            user=user, organisation=organisation, defaults={"role": MemberRole.OWNER}
        )
        self.organisations.append((organisation, user))
        return organisation, user

    # --- one file ---------------------------------------------------------------------------

    def steps(self, application: Application, user: User) -> None:
        expert = self.rng.choice(self.experts)
        content = {
            "organisation": {"confirmed": True},
            "contact": {
                "contact_name": "Demo",
                "contact_function": "Direction",
                "contact_email": user.email,
                "contact_phone": "+32 4 000 00 00",
            },
            "needs": {
                "activity": "Activité.",
                "challenges": "Enjeux.",
                "available_data": "Données.",
                "maturity": "exploring",
                "expected_benefits": "Gains.",
            },
            "expert": {"expert": expert, "let_adn_choose": False, "availability": "Semaine."},
            "project": {
                "title": "Projet pilote",
                "use_case": "Cas d'usage.",
                "earlier_application": None,
                "objectives": "KPI.",
            },
            "data": {"data_sources": "ERP.", "approach": "Apprentissage supervisé."},
            "provider": {"expert": expert, "work_plan": "Trois phases.", "duration_months": 6},
            "budget": {
                "cost_personnel": Decimal("10000"),
                "cost_provider": Decimal("40000"),
                "cost_equipment": Decimal("5000"),
                "cost_other": Decimal("5000"),
                "amount_requested": Decimal("30000"),
            },
            "roadmap": {"roadmap": "Mise en production."},
            "solution": {
                "solution": "Solution.",
                "target_market": "Marché.",
                "earlier_application": None,
            },
            "deployment": {"deployment_plan": "Déploiement."},
        }
        for step in steps_for(application):
            if not step.is_documents:
                application = services.application_save_step(
                    application=application,
                    step=step,
                    cleaned=content[step.slug],
                    raw={},
                    version=application.version,
                    by=user,
                )

    def file(self, code: str, submitted: datetime, n: int) -> bool:
        """File of organisation `n` in programme `code`, submitted at `submitted`, taken as far
        as its planned timeline has reached today. False if it has an open file there."""
        organisation, user = self.organisation(n)
        call = self.call_for(code, submitted.year)
        application = services.application_start(
            call=call, organisation=organisation, by=user, now=submitted
        )
        if application.call_id != call.pk or not application.is_draft:
            return False  # this organisation still has an open file in the programme
        self.steps(application, user)
        if code == Programme.Code.TREMPLIN_IA:
            self.quote(application, user)
        application = services.application_submit(
            application=application,
            by=user,
            declarations={"gdpr_consent": True, "sworn_statement": True},
            now=submitted,
        )
        timeline = {
            status: moment
            for status, moment in plan(self.rng, code, submitted).items()
            if moment <= self.today
        }
        self.follow(application, user, timeline)
        self.backdate(application, timeline)
        if Status.SELECTED in timeline:
            self.selected[code].append((timeline[Status.SELECTED], n))
        return True

    def quote(self, application: Application, user: User) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        services.attachment_add(
            application=application,
            upload=SimpleUploadedFile("devis.pdf", b"%PDF-1.4 devis"),
            kind="quote",
            by=user,
        )

    def follow(self, application: Application, user: User, timeline: dict) -> None:
        """Through the services, every status of the timeline in turn."""
        move = services.application_staff_transition
        if Status.WITHDRAWN in timeline:
            services.application_withdraw(application=application, by=user)
            return
        if Status.ELIGIBILITY_CHECK not in timeline:
            return
        move(application=application, to=Status.ELIGIBILITY_CHECK, by=self.reviewer)
        if Status.INELIGIBLE in timeline:
            services.application_decide(
                application=application, decision=Status.INELIGIBLE, by=self.manager
            )
            return
        if Status.UNDER_REVIEW not in timeline:
            return
        move(application=application, to=Status.UNDER_REVIEW, by=self.reviewer)
        decision = next((s for s in (Status.SELECTED, Status.REJECTED) if s in timeline), None)
        if decision is None:
            return
        criteria = list(application.call.criteria.filter(version=application.call.review_version))
        good = decision == Status.SELECTED
        services.review_open(application=application, reviewer=self.reviewer)
        services.review_save(
            application=application,
            reviewer=self.reviewer,
            scores={
                c.pk: (
                    self.rng.randint(3, 5) if good else self.rng.randint(0, 2),
                    "",
                )
                for c in criteria
            },
            recommendation="fund" if good else "do_not_fund",
            submit=True,
        )
        services.application_decide(application=application, decision=decision, by=self.manager)
        if Status.AGREEMENT_SIGNED in timeline:
            # Both signatures recorded: the portal moves the file on (docs/domain.md, After
            # selection).
            services.agreement_record_signatures(
                agreement=application.agreements.get(), by=self.manager, comment="Signée."
            )
        for status in (Status.IN_PROGRESS, Status.ABANDONED):
            if status in timeline:
                move(application=application, to=status, by=self.manager)
                if status == Status.IN_PROGRESS:
                    self.pay(application, user, Instalment.ADVANCE, timeline[status])
        if Status.REPORT_SUBMITTED in timeline:
            services.application_submit_report(
                application=application, by=user, report=self.survey()
            )
        for status in (Status.COMPLETED, Status.CLOSED):
            if status in timeline:
                if status == Status.CLOSED:
                    self.pay(application, user, Instalment.BALANCE, timeline[Status.COMPLETED])
                move(application=application, to=status, by=self.manager)
        if Status.COMPLETED in timeline and Status.CLOSED not in timeline:
            self.pay(application, user, Instalment.BALANCE, timeline[Status.COMPLETED])

    def pay(self, application: Application, user: User, instalment: str, moment: datetime):
        """An instalment of the call's schedule requested a few days after `moment`, approved,
        and paid if that day has come (the balance on invoices of 85 to 100 % of the costs the
        grant foresaw). Tremplin IA and Cap IA only: the Start IA diagnostic, paid to the expert
        company once delivered and accepted, is not generated."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        application.refresh_from_db()
        if application.programme.code == Programme.Code.START_IA or not application.granted_amount:
            return
        if instalment not in services.instalments_open(application):
            return
        rng = self.money_rng
        requested = moment + timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 6))
        decided = requested + timedelta(days=rng.randint(3, 15))
        paid = decided + timedelta(days=rng.randint(2, 20))
        if decided > self.today:
            return  # not yet asked for
        request = services.payment_request_start(
            application=application,
            instalment=instalment,
            payee_name=application.organisation.name,
            iban=DEMO_IBAN,
            by=user,
        )
        if instalment == Instalment.BALANCE:
            rate = application.call.funding_rate / 100
            costs = (
                application.granted_amount / rate * Decimal(str(rng.uniform(0.85, 1)))
            ).quantize(Decimal("1"))
            line = services.payment_line_add(
                request=request,
                description="Factures du projet",
                amount=costs,
                upload=SimpleUploadedFile("factures.pdf", b"%PDF-1.4 factures"),
                by=user,
            )
            services.payment_request_submit(request=request, by=user)
            services.payment_request_check(
                request=request, eligible={line.pk: costs}, by=self.manager
            )
        else:
            services.payment_request_submit(request=request, by=user)
        services.payment_request_approve(request=request, by=self.manager)
        if paid <= self.today:
            services.payment_record(
                request=request, paid_on=timezone.localdate(paid), by=self.manager
            )
        PaymentRequest.objects.filter(pk=request.pk).update(
            created_at=requested, submitted_at=requested, decided_at=decided
        )

    def survey(self) -> OutcomeReport:
        """An outcome survey: 22 answers in 25 report an improvement (88 %), 19 in 20 would
        recommend the programmes (95 %), as AdN published; investments grow 1.6 to 3.2 times."""
        rng = self.rng
        before = Decimal(int(rng.lognormvariate(10, 0.6)))
        self.surveys += 1
        improved = self.surveys % 25 not in (3, 11, 19)
        competitiveness = improved and rng.random() < 0.9
        return OutcomeReport(
            summary="Projet mené à bien.",
            investment_before=before,
            investment_after=(before * Decimal(str(round(rng.uniform(1.6, 3.2), 2)))).quantize(
                Decimal("1")
            ),
            improved_competitiveness=competitiveness,
            improved_quality=improved and (rng.random() < 0.8 or not competitiveness),
            in_production=rng.random() < 0.7,
            jobs_created=rng.choice([0, 0, 0, 1, 1, 2]),
            would_recommend=self.surveys % 20 != 7,
        )

    def backdate(self, application: Application, timeline: dict) -> None:
        """Each status change at its planned moment; the other events at the moment of the
        change they lead to (a score, the report) or follow (a message, a note)."""
        submitted = timeline[Status.SUBMITTED]
        events = list(application.events.order_by("pk").values_list("pk", "kind", "to_status"))
        leads_to = {ApplicationEvent.Kind.SCORE, ApplicationEvent.Kind.REPORT}
        moments, previous = {}, submitted - timedelta(days=2)  # the draft's start
        for index, (pk, kind, status) in enumerate(events):
            if kind == ApplicationEvent.Kind.TRANSITION and status in timeline:
                previous = timeline[status]
            elif kind in leads_to:
                previous = next(
                    (
                        timeline[later]
                        for _pk, later_kind, later in events[index + 1 :]
                        if later_kind == ApplicationEvent.Kind.TRANSITION and later in timeline
                    ),
                    previous,
                )
            moments[pk] = previous
        for pk, at in moments.items():
            ApplicationEvent.objects.filter(pk=pk).update(at=at)
        # The moments are part of each event's seal: the generated timeline is sealed again.
        seal_history(
            application.events.order_by("pk"),
            chain_of=lambda event: timeline_chain(event.application_id),
            content=lambda event: event.chain_content(),
            save=lambda rows: ApplicationEvent.objects.bulk_update(
                rows, ["chain_seq", "digest", "link"]
            ),
        )
        decided = next(
            (
                timeline[s]
                for s in (Status.SELECTED, Status.REJECTED, Status.INELIGIBLE)
                if s in timeline
            ),
            None,
        )
        Application.objects.filter(pk=application.pk).update(
            created_at=submitted - timedelta(days=2),
            decided_at=decided,
            selected_at=timeline.get(Status.SELECTED),
            completed_at=timeline.get(Status.COMPLETED),
            updated_at=max(timeline.values()),
        )
        ApplicantMessage.objects.filter(application=application).update(
            created_at=decided or submitted
        )
        if Status.REPORT_SUBMITTED in timeline:
            OutcomeReport.objects.filter(application=application).update(
                submitted_at=timeline[Status.REPORT_SUBMITTED]
            )
        if Status.AGREEMENT_SIGNED in timeline:
            signed = timeline[Status.AGREEMENT_SIGNED]
            Agreement.objects.filter(application=application).update(
                beneficiary_signed_at=signed, adn_signed_at=signed, signed_at=signed
            )

    def applicant(self, code: str, moment: datetime) -> int:
        """Who applies: for a later programme, often an organisation selected in the one
        before (the path Start IA → Tremplin IA → Cap IA); otherwise mostly a newcomer. Never
        one with a file still open in the programme (one open file per programme)."""
        before = [n for at, n in self.selected.get(PREVIOUS.get(code), []) if at < moment]
        if before and self.rng.random() < GOES_ON.get(code, 0):
            candidates = before
        elif self.organisations and self.rng.random() < 0.15:
            candidates = range(len(self.organisations))
        else:
            candidates = []
        if candidates:
            n = self.rng.choice(list(candidates))
            organisation, _user = self.organisations[n]
            if not Application.objects.filter(
                organisation=organisation, programme__code=code, status__in=OPEN_STATUSES
            ).exists():
                return n
        return len(self.organisations)  # a newcomer

    def days(self) -> list[datetime]:
        """The day each file of the history is submitted, spread over its year (no draw: the
        progress bar counts them before the first file)."""
        return [
            datetime(year, 1, 10, 9, tzinfo=BRUSSELS)
            + timedelta(days=int(350 * n / max(1, count * self.scale)))
            for year, count in PER_YEAR.items()
            for n in range(int(count * self.scale))
        ]

    def run(self, *, progress: bool = False) -> int:
        made, cutoff = 0, self.today - timedelta(hours=1)
        days = [day for day in self.days() if day < cutoff]
        # On a terminal only: piped or under test, the output stays free of redrawn bars.
        console = Console(stderr=True)
        shown = progress and console.is_terminal
        for day in track(days, "History 2020-today", console=console, disable=not shown):
            moment = day + timedelta(hours=self.rng.randint(0, 8))
            if moment >= cutoff:
                break  # today's last file would be submitted in the future
            code = self.rng.choices(
                [c for c, _w in PROGRAMME_SHARE], [w for _c, w in PROGRAMME_SHARE]
            )[0]
            made += self.file(code, moment, self.applicant(code, moment))
        return made


def seed_history(*, seed: int = 2020, scale: float = 1.0, progress: bool = False) -> int:
    """Generate the history once (a second call finds it and does nothing); `progress` shows a
    progress bar on a terminal."""
    if Application.objects.filter(reference__startswith="START-2020-").exists():
        return 0
    # Demo addresses do not exist: the outbox still records every message, nothing is mailed.
    # One transaction: all or nothing, and far fewer disk syncs than a commit per file.
    with override_settings(MAILERS=MUTED_MAILER), transaction.atomic():
        return History(seed=seed, scale=scale).run(progress=progress)
