"""Demo files for `manage.py seed_demo`, made through the applicants' own services: the demo
SME's submitted Start IA file and a dozen others (adn_portal/demo/stages.py then moves them on
through the staff's services)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from adn_portal.accounts.models import User
from companies.models import Expert, MemberRole, Membership, Organisation, OrganisationKind
from programs.models import Call

from . import services
from .models import Application
from .steps import steps_for

DEMO_NUMBERS = [f"0{n:07d}" for n in range(4_100_001, 4_100_014)]
TOWNS = [
    ("4000", "Liège"),
    ("5000", "Namur"),
    ("7000", "Mons"),
    ("6000", "Charleroi"),
    ("1300", "Wavre"),
    ("6700", "Arlon"),
    ("4700", "Eupen"),
]


def _number(base: str) -> str:
    return base + f"{97 - int(base) % 97:02d}"


def _fill_and_submit(
    application: Application, by: User, expert: Expert, *, annex: bool = False
) -> Application:
    values = {
        "organisation": {"confirmed": True},
        "contact": {
            "contact_name": by.get_full_name() or "Contact",
            "contact_function": "Gérant·e",
            "contact_email": by.email,
            "contact_phone": "+32 4 000 00 00",
        },
        "needs": {
            "activity": "Production et vente.",
            "challenges": "Prévoir la demande et réduire les pertes.",
            "available_data": "Cinq ans de ventes.",
            "maturity": "exploring",
            "expected_benefits": "Moins de stock et moins de retards.",
        },
        "expert": {"expert": expert.pk, "let_adn_choose": False, "availability": "En semaine."},
    }
    for step in steps_for(application):
        if step.is_documents:
            continue
        form = step.form_class(values[step.slug], application=application)
        if not form.is_valid():
            raise RuntimeError(f"demo step {step.slug}: {form.errors}")
        application = services.application_save_step(
            application=application,
            step=step,
            cleaned=form.cleaned_data,
            raw={},
            version=application.version,
            by=by,
        )
    if annex:
        services.attachment_add(
            application=application,
            upload=SimpleUploadedFile(
                "organigramme.pdf", b"%PDF-1.4\n% demo\n" + b"0" * 200, "application/pdf"
            ),
            kind="annex",
            by=by,
        )
    return services.application_submit(
        application=application,
        by=by,
        declarations={"gdpr_consent": True, "sworn_statement": True},
    )


@transaction.atomic
def seed_files() -> int:
    call = Call.objects.get(slug="start-ia-entreprises")
    if not call.is_open_at(timezone.now()):
        return 0
    listed = Expert.objects.publicly_listed(today=timezone.localdate()).filter(
        facets__kind="programme", facets__value="START"
    )
    expert = listed.first()
    # The demo expert account's company is chosen by the demo SME and a few others: it has
    # files to follow (seed_demo seeds that account first).
    ours = listed.filter(organisation__memberships__user__email="expert@adn.demo").first()
    owners = [("pme@adn.demo", "Menuiserie Dupont SRL")] + [
        (f"pme{n}@adn.demo", f"PME démo {n} SRL") for n in range(1, 13)
    ]
    submitted = 0
    for (email, name), base in zip(owners, DEMO_NUMBERS, strict=True):
        user, _created = User.objects.get_or_create(
            email=email, defaults={"first_name": name.split()[0], "last_name": "Démo"}
        )
        postcode, town = TOWNS[submitted % len(TOWNS)]
        organisation, _created = Organisation.objects.get_or_create(
            enterprise_number=_number(base),
            defaults={
                "name": name,
                "kind": OrganisationKind.SME,
                "street": "Rue du Commerce 5",
                "postcode": postcode,
                "municipality": town,
                "province": "",
                "headcount": 14,
                "turnover": 1_800_000,
                "size_class": "",
            },
        )
        if not organisation.province:
            from companies.services.organisations import _derive

            _derive(organisation)
            organisation.save()
        Membership.objects.get_or_create(
            user=user, organisation=organisation, defaults={"role": MemberRole.OWNER}
        )
        if Application.objects.filter(organisation=organisation).exists():
            continue
        application = services.application_start(call=call, organisation=organisation, by=user)
        chosen = ours if ours is not None and submitted % 3 == 0 else expert
        _fill_and_submit(application, user, chosen, annex=submitted == 0)
        submitted += 1
    return submitted
