"""The demo files of today moved on through the services, as a portal a few weeks into its
calls would hold them (`manage.py seed_demo`, with or without the history): the demo SME's
Start IA file selected and in progress with the demo expert company (its diagnostic begun, a
conversation of the three sides, a document); files assigned to the demo reviewer (a review
drafted, one submitted, a request for information); files checked, refused, withdrawn; two
Tremplin IA projects in review. Every demo account then finds rows in its lists, in the
pages and in the API (`make test-api-fuzz` starts from these data)."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from adn_portal.accounts.models import User
from adn_portal.demo.history import History
from applications import services
from applications.models import Application, Assignment, Side
from applications.workflow import Actor, Status
from companies.models import MemberRole, Membership, Organisation, OrganisationKind
from programs.models import Call


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% demo\n" + b"0" * 200, "application/pdf")


def _file(email: str) -> Application:
    return Application.objects.get(
        created_by__email=email, call__slug="start-ia-entreprises", status=Status.SUBMITTED
    )


class Stages:
    def __init__(self):
        self.manager = User.objects.get(email="gestionnaire@adn.demo")
        self.reviewer = User.objects.get(email="evaluatrice@adn.demo")
        self.expert_user = User.objects.get(email="expert@adn.demo")
        self.ours = (
            Membership.objects.filter(user=self.expert_user)
            .values_list("organisation", flat=True)
            .first()
        )

    def move(self, application: Application, *statuses: Status, by: User | None = None):
        for status in statuses:
            application = services.application_staff_transition(
                application=application, to=status, by=by or self.reviewer
            )
        return application

    def review(self, application: Application, value: int, *, submit: bool) -> None:
        services.review_open(application=application, reviewer=self.reviewer)
        criteria = application.call.criteria.filter(version=application.call.review_version)
        services.review_save(
            application=application,
            reviewer=self.reviewer,
            scores={c.pk: (value, "Analyse de démonstration.") for c in criteria},
            recommendation=("fund" if value >= 3 else "do_not_fund") if submit else "",
            submit=submit,
        )

    def assigned(self, application: Application) -> Application:
        services.application_assign(
            application=application, reviewer=self.reviewer, by=self.manager
        )
        return self.move(application, Status.ELIGIBILITY_CHECK, Status.UNDER_REVIEW)

    def in_progress(self, application: Application) -> None:
        """The demo SME's diagnostic: selected, the agreement signed, the work begun."""
        application = self.assigned(application)
        self.review(application, 4, submit=True)
        services.application_decide(
            application=application, decision=Status.SELECTED, by=self.manager
        )
        services.agreement_record_signatures(
            agreement=application.agreements.get(),
            by=self.manager,
            comment="Signée lors de la réunion de lancement.",
        )
        application = self.move(application, Status.IN_PROGRESS, by=self.manager)
        applicant = application.created_by
        services.message_post(
            application=application,
            by=applicant,
            side=Side.APPLICANT,
            body="Pouvons-nous fixer la première journée du diagnostic ?",
            upload=_pdf("plan-atelier.pdf"),
        )
        services.message_post(
            application=application,
            by=self.expert_user,
            side=Side.EXPERT,
            body="Nous proposons le mardi 8 décembre, à l'atelier.",
        )
        services.message_post(
            application=application,
            by=self.manager,
            side=Side.ADN,
            body="La convention est signée : bon diagnostic !",
        )
        services.diagnostic_save(
            diagnostic=application.diagnostic,
            by=self.expert_user,
            days=2,
            report=_pdf("rapport-diagnostic.pdf"),
        )

    def tremplin(self, n: int, postcode: str, town: str) -> Application:
        """A Tremplin IA project of a start-up that did its Start IA elsewhere."""
        base = f"0{4_100_100 + n:07d}"
        organisation, _created = Organisation.objects.get_or_create(
            enterprise_number=base + f"{97 - int(base) % 97:02d}",
            defaults={
                "name": f"Jeune pousse démo {n} SRL",
                "kind": OrganisationKind.STARTUP,
                "street": "Rue de l'Industrie 12",
                "postcode": postcode,
                "municipality": town,
                "headcount": 6,
                "turnover": 400_000,
            },
        )
        from companies.services.organisations import _derive

        _derive(organisation)
        organisation.save()
        user, _created = User.objects.get_or_create(
            email=f"startup{n}@adn.demo", defaults={"first_name": "Start-up", "last_name": "Démo"}
        )
        Membership.objects.get_or_create(
            user=user, organisation=organisation, defaults={"role": MemberRole.OWNER}
        )
        call = Call.objects.get(slug="tremplin-ia-entreprises")
        application = services.application_start(call=call, organisation=organisation, by=user)
        history = History(seed=n, scale=0)
        # Another provider than the demo expert company, whose list then starts with the
        # Start IA files it follows (it takes part in their conversations only).
        history.experts = [e for e in history.experts if e.organisation_id != self.ours]
        history.steps(application, user)
        history.quote(application, user)
        return services.application_submit(
            application=Application.objects.get(pk=application.pk),
            by=user,
            declarations={"gdpr_consent": True, "sworn_statement": True},
        )

    def run(self) -> None:
        self.in_progress(_file("pme@adn.demo"))
        # Assigned to the demo reviewer: a review drafted, one submitted, a question asked.
        self.review(self.assigned(_file("pme1@adn.demo")), 3, submit=False)
        self.review(self.assigned(_file("pme2@adn.demo")), 2, submit=True)
        services.application_request_information(
            application=self.assigned(_file("pme3@adn.demo")),
            by=self.reviewer,
            actor=Actor.REVIEWER,
            message="Pouvez-vous joindre l'inventaire des données de production ?",
            due_date=timezone.localdate() + timedelta(days=14),
        )
        # Checked, refused after review, found ineligible, withdrawn by its organisation.
        self.move(_file("pme4@adn.demo"), Status.ELIGIBILITY_CHECK)
        refused = self.assigned(_file("pme5@adn.demo"))
        self.review(refused, 1, submit=True)
        services.application_decide(application=refused, decision=Status.REJECTED, by=self.manager)
        ineligible = self.move(_file("pme6@adn.demo"), Status.ELIGIBILITY_CHECK)
        services.application_decide(
            application=ineligible, decision=Status.INELIGIBLE, by=self.manager
        )
        withdrawn = _file("pme7@adn.demo")
        services.application_withdraw(
            application=withdrawn, by=withdrawn.created_by, reason="Projet reporté."
        )
        # The expert company introduces itself on the last file that chose it.
        latest = _file("pme12@adn.demo")
        services.message_post(
            application=latest,
            by=self.expert_user,
            side=Side.EXPERT,
            body="Bonjour, nous vous appellerons cette semaine pour préparer le diagnostic.",
        )
        services.message_post(
            application=latest,
            by=latest.created_by,
            side=Side.APPLICANT,
            body="Merci, le jeudi matin nous convient le mieux.",
        )
        for n, (postcode, town) in enumerate((("5000", "Namur"), ("1348", "Louvain-la-Neuve"))):
            self.assigned(self.tremplin(n + 1, postcode, town))


@transaction.atomic
def seed_stages() -> bool:
    """Move the demo files on, once (False: already done, or no demo files to move)."""
    if Assignment.objects.filter(reviewer__email="evaluatrice@adn.demo").exists():
        return False
    if not Application.objects.filter(
        created_by__email="pme7@adn.demo", status=Status.SUBMITTED
    ).exists():
        return False
    Stages().run()
    return True
