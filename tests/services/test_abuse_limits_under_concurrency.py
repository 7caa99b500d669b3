"""Limits against abuse hold when requests arrive at the same moment (PostgreSQL row locks and
constraints, not a count two requests can both pass)."""

import pytest
from django.db import connection

from companies import services
from companies.models import Invitation, OwnershipClaim
from tests.factories import OrganisationFactory, UserFactory, make_member
from tests.services.test_concurrency import race

# serialized_rollback: the data migrations (programmes, staff groups) survive the flushes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_one_owner_sending_invitations_at_once_stops_at_the_hourly_limit(settings):
    assert connection.vendor == "postgresql"
    settings.INVITATIONS_PER_USER_PER_HOUR = 3
    organisations = [OrganisationFactory() for _ in range(2)]
    owner = make_member(organisations[0])
    make_member(organisations[1], owner)

    results = race(
        10,
        lambda n: services.organisation_invite(
            organisation=organisations[n % 2],
            email=f"colleague{n}@example.be",
            role="member",
            by=owner,
        ),
    )

    assert Invitation.objects.count() == 3, results
    refused = [r for r in results if isinstance(r, services.InvitationLimitReached)]
    assert len(refused) == 7, results


def test_owners_of_one_organisation_inviting_at_once_stop_at_its_daily_limit(settings):
    settings.INVITATIONS_PER_ORGANISATION_PER_DAY = 4
    organisation = OrganisationFactory()
    owners = [make_member(organisation) for _ in range(10)]

    results = race(
        10,
        lambda n: services.organisation_invite(
            organisation=organisation, email=f"c{n}@example.be", role="member", by=owners[n]
        ),
    )

    assert Invitation.objects.filter(organisation=organisation).count() == 4, results
    assert sum(isinstance(r, services.InvitationLimitReached) for r in results) == 6


def test_the_same_claim_sent_twice_at_once_is_stored_once():
    organisation = OrganisationFactory()
    make_member(organisation)
    claimant = UserFactory()

    results = race(
        2,
        lambda n: services.ownership_claim_create(
            enterprise_number=organisation.enterprise_number, claimant=claimant, message="x"
        ),
    )

    assert OwnershipClaim.objects.filter(status="pending").count() == 1, results
    assert sum(isinstance(r, services.CompanyError) for r in results) == 1, results
