"""The rush's applicants: each with their own account and organisation, made in bulk."""

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import transaction

from adn_portal.accounts.models import User
from bench.data import POSTCODES, enterprise_number
from companies.models import MemberRole, Membership, Organisation, OrganisationKind

from . import PASSWORD


def applicants_create(*, prefix: str, count: int) -> None:
    """`count` applicants, each the owner of their own Walloon SME, able to log in (a verified
    address), written in bulk: one password hash for all of them, by the hasher production uses
    (Django's default; the test settings' own is faster and unknown to production)."""
    hasher = PBKDF2PasswordHasher()
    password = hasher.encode(PASSWORD, hasher.salt())
    provinces = list(POSTCODES)
    first = Organisation.objects.count()  # enterprise numbers not used yet
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(
                email=f"rush-{prefix}{n:04d}@bench.example",
                first_name="Camille",
                last_name=f"Rush {n}",
                password=password,
            )
            for n in range(1, count + 1)
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
        )
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"PME Rush {prefix}{n:04d}",
                enterprise_number=enterprise_number(900_000 + first + n),
                kind=OrganisationKind.SME,
                street="Rue de l'Industrie 1",
                postcode=POSTCODES[province := provinces[n % len(provinces)]],
                municipality="Ville",
                province=province,
                headcount=12,
                turnover=1_500_000,
            )
            for n in range(1, count + 1)
        )
        Membership.objects.bulk_create(
            Membership(user=user, organisation=organisation, role=MemberRole.OWNER)
            for user, organisation in zip(users, organisations, strict=True)
        )


def applicants_of(prefix: str):
    return User.objects.filter(email__startswith=f"rush-{prefix}")
