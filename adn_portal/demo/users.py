"""Demo accounts for `manage.py seed_demo`: one per staff role and one applicant."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group
from django.db import transaction

from adn_portal.accounts.models import User
from adn_portal.accounts.roles import Role
from programs.models import Programme, ProgrammeStaff

DEMO_PASSWORD = "demo-adn-2026"  # noqa: S105 — printed by seed_demo, which production refuses
# The demo staff's authenticator secret (the staff interface needs two factors); print the
# current code with `manage.py demo_totp_code EMAIL`, or add the secret to an app.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 — printed by seed_demo, refused in production

DEMO_USERS = [
    # email, first name, last name, role, is_staff, is_superuser
    ("admin@adn.demo", "Alice", "Administratrice", Role.ADMINISTRATOR, True, True),
    ("gestionnaire@adn.demo", "Marc", "Gestionnaire", Role.PROGRAMME_MANAGER, True, False),
    ("evaluatrice@adn.demo", "Sophie", "Évaluatrice", Role.REVIEWER, True, False),
    ("pme@adn.demo", "Julie", "Dupont", None, False, False),
    ("expert@adn.demo", "Thomas", "Lambert", None, False, False),
]


@transaction.atomic
def seed_users() -> list[tuple[User, Role | None]]:
    seeded = []
    for email, first_name, last_name, role, is_staff, is_superuser in DEMO_USERS:
        user, _created = User.objects.update_or_create(
            email=email,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "is_staff": is_staff,
                "is_superuser": is_superuser,
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        if (
            is_staff
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, DEMO_TOTP_SECRET)
        if role in (Role.PROGRAMME_MANAGER, Role.REVIEWER):
            for programme in Programme.objects.all():  # demo staff work on every programme
                ProgrammeStaff.objects.get_or_create(user=user, programme=programme)
        seeded.append((user, role))
    return seeded
