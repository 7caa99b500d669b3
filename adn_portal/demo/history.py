"""A plausible history of the programmes from 2020 to today, made through the portal's own
services (drafts, submission, review, decisions, report, completion), so that the indicators
computed from it land near AdN's published figures. Only the dates are set afterwards: the
services stamp "now", and a history needs the past."""

import random
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from adn_portal.accounts.models import User
from applications import services
from applications.models import Application, ApplicationEvent, OutcomeReport
from applications.steps import steps_for
from applications.workflow import Status
from companies.identifiers import _municipality_names, province_for_postcode
from companies.models import Expert, MemberRole, Membership, Organisation, OrganisationKind
from programs.models import Audience, Call, Programme, ScoringCriterion

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
MUTED_MAILER = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}


def _fate(rng: random.Random, submitted: datetime, today: datetime) -> Status:
    age = (today - submitted).days
    r = rng.random()
    if r < 0.07:
        return Status.REJECTED
    if r < 0.10:
        return Status.INELIGIBLE
    if r < 0.13:
        return Status.WITHDRAWN
    if age < 45:
        return rng.choice([Status.SUBMITTED, Status.UNDER_REVIEW])
    if age < 120:
        return rng.choice([Status.SELECTED, Status.IN_PROGRESS])
    if age < 300:
        return rng.choice([Status.IN_PROGRESS, Status.COMPLETED, Status.COMPLETED])
    if r < 0.16:
        return Status.ABANDONED
    return Status.CLOSED if r > 0.9 else Status.COMPLETED


class History:
    def __init__(self, *, seed: int, scale: float):
        self.rng = random.Random(seed)  # noqa: S311 — repeatable demo data, not secrets
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
        from companies.services import _derive  # the same derivations as a registration

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
            "declarations": {"gdpr_consent": True, "sworn_statement": True},
        }
        for step in steps_for(application.call):
            if not step.is_documents:
                application = services.application_save_step(
                    application=application,
                    step=step,
                    cleaned=content[step.slug],
                    raw={},
                    version=application.version,
                    by=user,
                )

    def file(self, code: str, submitted: datetime, organisation: Organisation, user: User) -> None:
        call = self.call_for(code, submitted.year)
        application = services.application_start(
            call=call, organisation=organisation, by=user, now=submitted
        )
        if application.call_id != call.pk or not application.is_draft:
            return  # this organisation still has an open file in the programme
        self.steps(application, user)
        if code == Programme.Code.TREMPLIN_IA:
            self.quote(application, user)
        application = services.application_submit(application=application, by=user, now=submitted)
        fate = _fate(self.rng, submitted, self.today)
        self.follow(application, user, fate)
        self.backdate(application, submitted)

    def quote(self, application: Application, user: User) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        services.attachment_add(
            application=application,
            upload=SimpleUploadedFile("devis.pdf", b"%PDF-1.4 devis"),
            kind="quote",
            by=user,
        )

    def follow(self, application: Application, user: User, fate: Status) -> None:
        move = services.application_staff_transition
        if fate == Status.WITHDRAWN:
            services.application_withdraw(application=application, by=user)
            return
        if fate == Status.SUBMITTED:
            return
        move(application=application, to=Status.ELIGIBILITY_CHECK, by=self.reviewer)
        if fate == Status.INELIGIBLE:
            services.application_decide(
                application=application, decision=Status.INELIGIBLE, by=self.manager
            )
            return
        move(application=application, to=Status.UNDER_REVIEW, by=self.reviewer)
        if fate == Status.UNDER_REVIEW:
            return
        criteria = list(application.call.criteria.all())
        good = fate != Status.REJECTED
        services.application_score(
            application=application,
            reviewer=self.reviewer,
            scores={
                c.pk: (self.rng.randint(3, 5) if good else self.rng.randint(0, 2), "")
                for c in criteria
            },
        )
        if fate == Status.REJECTED:
            services.application_decide(
                application=application, decision=Status.REJECTED, by=self.manager
            )
            return
        services.application_decide(
            application=application, decision=Status.SELECTED, by=self.manager
        )
        if fate == Status.SELECTED:
            return
        move(application=application, to=Status.AGREEMENT_SIGNED, by=self.manager)
        move(application=application, to=Status.IN_PROGRESS, by=self.manager)
        if fate == Status.ABANDONED:
            move(application=application, to=Status.ABANDONED, by=self.manager)
            return
        if fate == Status.IN_PROGRESS:
            return
        services.application_submit_report(application=application, by=user, report=self.survey())
        move(application=application, to=Status.COMPLETED, by=self.manager)
        if fate == Status.CLOSED:
            move(application=application, to=Status.CLOSED, by=self.manager)

    def survey(self) -> OutcomeReport:
        rng = self.rng
        before = Decimal(int(rng.lognormvariate(10, 0.6)))
        improved = rng.random() < 0.88
        return OutcomeReport(
            summary="Projet mené à bien.",
            investment_before=before,
            investment_after=(before * Decimal(str(round(rng.uniform(1.6, 3.2), 2)))).quantize(
                Decimal("1")
            ),
            improved_competitiveness=improved and rng.random() < 0.97,
            improved_quality=improved and rng.random() < 0.95,
            in_production=rng.random() < 0.7,
            jobs_created=rng.choice([0, 0, 0, 1, 1, 2]),
            would_recommend=rng.random() < 0.95,
        )

    def backdate(self, application: Application, submitted: datetime) -> None:
        """Spread the file's events over the weeks after its submission, oldest first."""
        events = list(application.events.order_by("pk").values_list("pk", "to_status"))
        step = timedelta(days=self.rng.randint(12, 40))
        moments = {}
        for index, (pk, _status) in enumerate(events):
            moments[pk] = min(submitted + step * index, self.today)
        for pk, at in moments.items():
            ApplicationEvent.objects.filter(pk=pk).update(at=at)
        decided = next(
            (
                moments[pk]
                for pk, s in events
                if s in (Status.SELECTED, Status.REJECTED, Status.INELIGIBLE)
            ),
            None,
        )
        selected = next((moments[pk] for pk, s in events if s == Status.SELECTED), None)
        completed = next((moments[pk] for pk, s in events if s == Status.COMPLETED), None)
        Application.objects.filter(pk=application.pk).update(
            created_at=submitted - timedelta(days=2),
            decided_at=decided,
            selected_at=selected,
            completed_at=completed,
            updated_at=max(moments.values()),
        )

    def run(self) -> int:
        made = 0
        for year, count in PER_YEAR.items():
            for n in range(int(count * self.scale)):
                moment = datetime(year, 1, 10, 9, tzinfo=BRUSSELS) + timedelta(
                    days=int(350 * n / max(1, count * self.scale)), hours=self.rng.randint(0, 8)
                )
                if moment >= self.today - timedelta(hours=1):
                    break
                code = self.rng.choices(
                    [c for c, _w in PROGRAMME_SHARE], [w for _c, w in PROGRAMME_SHARE]
                )[0]
                # Most files come from a new organisation; some from one that applied before.
                if self.organisations and self.rng.random() < 0.25:
                    organisation, user = self.rng.choice(self.organisations)
                else:
                    organisation, user = self.organisation(len(self.organisations))
                self.file(code, moment, organisation, user)
                made += 1
        return made


def seed_history(*, seed: int = 2020, scale: float = 1.0) -> int:
    """Generate the history once (a second call finds it and does nothing)."""
    if Application.objects.filter(reference__startswith="START-2020-").exists():
        return 0
    # Demo addresses do not exist: the outbox still records every message, nothing is mailed.
    # One transaction: all or nothing, and far fewer disk syncs than a commit per file.
    with override_settings(MAILERS=MUTED_MAILER), transaction.atomic():
        return History(seed=seed, scale=scale).run()
