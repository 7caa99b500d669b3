"""Organisations through their pages: registration, who sees what, invitations, requests to join,
members, and the organisation a user acts for."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from adn_portal.mailer.models import OutgoingEmail
from companies.identifiers import Province
from companies.models import (
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    MemberRole,
    Membership,
    Organisation,
    SizeClass,
    invitation_digest,
)
from tests.factories import OrganisationFactory, UserFactory, make_member

pytestmark = pytest.mark.django_db

ACTIVE_ORGANISATION = "organisation_id"  # the session key companies.session reads


def registration(**overrides) -> dict:
    data = {
        "name": "Atelier Numérique SRL",
        "enterprise_number": "BE 0566.988.259",
        "kind": "sme",
        "street": "Rue de la Gare 3",
        "postcode": "4700",
        "headcount": "30",
        "turnover": "12000000",
        "balance_sheet": "8000000",
        "nace_codes": "62.010, 70.220",
        "website": "",
        "phone": "",
    }
    return data | overrides


def member_of(organisation, role=MemberRole.MEMBER):
    return make_member(organisation, role=role)


# ---------------------------------------------------------------------------------------------
# Registering an organisation


def test_registering_an_organisation_derives_its_details_and_makes_the_creator_owner(client, user):
    client.force_login(user)

    response = client.post(reverse("companies:organisation_create"), registration())

    organisation = Organisation.objects.get()
    assert response.status_code == 302
    assert response.url == organisation.get_absolute_url()
    assert organisation.enterprise_number == "0566988259"
    assert organisation.municipality == "Eupen"
    assert organisation.province == Province.LIEGE
    # 12M turnover is over the small ceiling, 8M balance sheet is under it: still small.
    assert organisation.size_class == SizeClass.SMALL
    assert organisation.nace_codes == ["62.010", "70.220"]
    assert Membership.objects.filter(
        user=user, organisation=organisation, role=MemberRole.OWNER
    ).exists()
    assert organisation.members.count() == 1
    assert client.session[ACTIVE_ORGANISATION] == organisation.pk


def test_registering_a_second_organisation_makes_it_the_active_one(client, user):
    first = OrganisationFactory()
    make_member(first, user)
    client.force_login(user)

    client.post(reverse("companies:organisation_create"), registration())

    second = Organisation.objects.get(enterprise_number="0566988259")
    assert client.session[ACTIVE_ORGANISATION] == second.pk


def test_registering_without_figures_leaves_the_size_class_unknown(client, user):
    client.force_login(user)

    client.post(
        reverse("companies:organisation_create"),
        registration(headcount="", turnover="", balance_sheet="", postcode="5000"),
    )

    organisation = Organisation.objects.get()
    assert organisation.size_class == ""
    assert (organisation.municipality, organisation.province) == ("Namur", Province.NAMUR)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("enterprise_number", "0566.988.258", "check_digits"),
        ("enterprise_number", "0566.988.2", "length"),
        ("enterprise_number", "05669882590", "length"),
        ("postcode", "9999", "postcode_unknown"),
        ("postcode", "40OO", "postcode_format"),
    ],
)
def test_registration_with_an_invalid_identifier_is_refused_on_that_field(
    client, user, field, value, code
):
    client.force_login(user)

    response = client.post(reverse("companies:organisation_create"), registration(**{field: value}))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error(field, code), form.errors.as_data()
    assert set(form.errors) == {field}
    assert not Organisation.objects.exists()
    assert not Membership.objects.exists()
    assert ACTIVE_ORGANISATION not in client.session


def test_registering_an_already_registered_number_is_refused_with_a_link_to_ask_to_join(
    client, user
):
    existing = OrganisationFactory(enterprise_number="0202239951")
    client.force_login(user)

    response = client.post(
        reverse("companies:organisation_create"), registration(enterprise_number="0202.239.951")
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("enterprise_number", "duplicate")
    assert set(form.errors) == {"enterprise_number"}
    assert list(Organisation.objects.all()) == [existing]
    assert not existing.members.filter(pk=user.pk).exists()
    join_url = reverse("companies:organisation_join") + "?number=0202.239.951"
    assert f'href="{join_url}"' in response.content.decode()


def test_the_link_to_ask_to_join_fills_in_the_enterprise_number(client, user):
    client.force_login(user)

    response = client.get(reverse("companies:organisation_join"), {"number": "0202.239.951"})

    assert response.context["form"]["enterprise_number"].value() == "0202.239.951"


def test_anonymous_visitor_is_sent_to_log_in_to_register_an_organisation(client):
    response = client.post(reverse("companies:organisation_create"), registration())

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Organisation.objects.exists()


# ---------------------------------------------------------------------------------------------
# Who sees and edits an organisation


def test_organisation_page_shows_its_details_to_a_member(client):
    organisation = OrganisationFactory(enterprise_number="0403170701")
    member = member_of(organisation)
    client.force_login(member)

    response = client.get(organisation.get_absolute_url())

    assert response.status_code == 200
    assert "0403.170.701" in response.content.decode()
    assert response.context["is_owner"] is False


@pytest.mark.parametrize("page", ["companies:organisation_detail", "companies:organisation_edit"])
def test_another_organisations_pages_are_not_found_for_a_non_member(client, page):
    mine, theirs = OrganisationFactory(), OrganisationFactory()
    user = make_member(mine)
    client.force_login(user)

    assert client.get(reverse(page, kwargs={"pk": theirs.pk})).status_code == 404


def test_edit_page_is_not_found_for_a_plain_member(client):
    organisation = OrganisationFactory(name="Avant SRL")
    member = member_of(organisation)
    client.force_login(member)
    url = reverse("companies:organisation_edit", kwargs={"pk": organisation.pk})

    assert client.get(url).status_code == 404
    response = client.post(url, registration(name="Après SRL", enterprise_number=""))

    assert response.status_code == 404
    organisation.refresh_from_db()
    assert organisation.name == "Avant SRL"


def test_owner_edits_the_organisation_and_its_place_is_derived_again(client):
    organisation = OrganisationFactory(enterprise_number="0403170701", postcode="4000")
    owner = make_member(organisation)
    client.force_login(owner)

    response = client.post(
        reverse("companies:organisation_edit", kwargs={"pk": organisation.pk}),
        # The number is not editable: what is posted for it is ignored.
        registration(name="Nouveau Nom SRL", enterprise_number="0202.239.951", postcode="6600"),
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Nouveau Nom SRL"
    assert organisation.enterprise_number == "0403170701"
    assert (organisation.municipality, organisation.province) == ("Bastogne", Province.LUXEMBOURG)


@pytest.mark.parametrize(
    "page",
    [
        "companies:organisation_list",
        "companies:organisation_detail",
        "companies:organisation_edit",
    ],
)
def test_anonymous_visitor_is_sent_to_log_in_for_organisation_pages(client, page):
    organisation = OrganisationFactory()
    kwargs = {} if page == "companies:organisation_list" else {"pk": organisation.pk}

    response = client.get(reverse(page, kwargs=kwargs))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# ---------------------------------------------------------------------------------------------
# Invitations


def invite(client, organisation, email, role=MemberRole.MEMBER):
    return client.post(
        reverse("companies:organisation_invite", kwargs={"pk": organisation.pk}),
        {"email": email, "role": role},
    )


def invitation_for(organisation, email: str) -> str:
    """An invitation as the service stores it (a digest); returns the link's token."""
    Invitation.objects.create(
        organisation=organisation, email=email, token=invitation_digest("t" * 43)
    )
    return "t" * 43


def token_sent() -> str:
    """The token of the invitation link in the (only) message of the outbox."""
    body = OutgoingEmail.objects.get().body
    return re.search(r"/invitations/([\w-]+)/", body).group(1)


def accept(client, token: str):
    return client.post(reverse("companies:invitation_accept", kwargs={"token": token}))


def test_owner_invites_a_colleague_who_receives_an_email_with_the_link(
    client, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory()
    owner = make_member(organisation)
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, organisation, "Colleague@PME.be")

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.organisation, invitation.email, invitation.invited_by) == (
        organisation,
        "colleague@pme.be",
        owner,
    )
    email = OutgoingEmail.objects.get()
    assert email.to == "colleague@pme.be"
    assert [m.to for m in mail.outbox] == [["colleague@pme.be"]]
    token = re.search(r"/invitations/([\w-]+)/", mail.outbox[0].body).group(1)
    assert invitation.token == invitation_digest(token) != token  # only the digest is kept


def test_invited_colleague_accepts_and_becomes_a_member(client):
    organisation = OrganisationFactory()
    owner = make_member(organisation)
    client.force_login(owner)
    invite(client, organisation, "colleague@pme.be")
    invitation = Invitation.objects.get()
    token = token_sent()
    colleague = UserFactory(email="Colleague@pme.be")
    client.force_login(colleague)

    response = accept(client, token)

    assert response.status_code == 302
    assert response.url == organisation.get_absolute_url()
    assert Membership.objects.filter(
        user=colleague, organisation=organisation, role=MemberRole.MEMBER
    ).exists()
    assert client.session[ACTIVE_ORGANISATION] == organisation.pk
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_opening_the_invitation_link_does_not_accept_it(client):
    organisation = OrganisationFactory()
    colleague = UserFactory(email="colleague@pme.be")
    token = invitation_for(organisation, "colleague@pme.be")
    client.force_login(colleague)

    response = client.get(reverse("companies:invitation_accept", kwargs={"token": token}))

    assert response.status_code == 200
    assert not organisation.members.filter(pk=colleague.pk).exists()


def test_invitation_cannot_be_accepted_by_a_user_with_another_email(client):
    organisation = OrganisationFactory()
    token = invitation_for(organisation, "colleague@pme.be")
    invitation = Invitation.objects.get()
    intruder = UserFactory(email="someone.else@pme.be")
    client.force_login(intruder)

    response = accept(client, token)

    assert response.status_code == 302
    assert response.url == reverse("companies:organisation_list")
    assert not organisation.members.filter(pk=intruder.pk).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_used_invitation_cannot_bring_back_a_removed_member(client):
    organisation = OrganisationFactory()
    owner = make_member(organisation)
    colleague = UserFactory(email="colleague@pme.be")
    token = invitation_for(organisation, "colleague@pme.be")
    client.force_login(colleague)
    assert accept(client, token).status_code == 302
    membership = Membership.objects.get(user=colleague, organisation=organisation)
    client.force_login(owner)
    client.post(
        reverse(
            "companies:membership_remove",
            kwargs={"pk": organisation.pk, "membership_pk": membership.pk},
        )
    )
    assert not organisation.members.filter(pk=colleague.pk).exists()
    client.force_login(colleague)

    response = accept(client, token)

    assert response.url == reverse("companies:organisation_list")
    assert not organisation.members.filter(pk=colleague.pk).exists()


def test_plain_member_cannot_invite(client):
    organisation = OrganisationFactory()
    member = member_of(organisation)
    client.force_login(member)

    response = invite(client, organisation, "colleague@pme.be")

    # Like the edit page: only owners have an invitation form.
    assert response.status_code == 404
    assert not Invitation.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_non_member_cannot_invite_to_another_organisation(client):
    theirs = OrganisationFactory()
    outsider = make_member(OrganisationFactory())
    client.force_login(outsider)

    assert invite(client, theirs, "colleague@pme.be").status_code == 404
    assert not Invitation.objects.exists()


# ---------------------------------------------------------------------------------------------
# Requests to join


def ask_to_join(client, enterprise_number, message=""):
    return client.post(
        reverse("companies:organisation_join"),
        {"enterprise_number": enterprise_number, "message": message},
    )


def decide(client, join_request, *, accept):
    return client.post(
        reverse(
            "companies:join_request_decide",
            kwargs={"pk": join_request.organisation_id, "request_pk": join_request.pk},
        ),
        {"accept": "1" if accept else "0"},
    )


def test_asking_to_join_by_enterprise_number_emails_every_owner_and_only_them(
    client, user, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(enterprise_number="0202239951")
    first_owner = make_member(organisation)
    second_owner = make_member(organisation)
    member_of(organisation)
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = ask_to_join(client, "BE 0202 239 951", message="Je suis la nouvelle comptable.")

    assert response.status_code == 302
    join_request = JoinRequest.objects.get()
    assert (join_request.organisation, join_request.user, join_request.status) == (
        organisation,
        user,
        JoinRequestStatus.PENDING,
    )
    assert sorted(OutgoingEmail.objects.values_list("to", flat=True)) == sorted(
        [first_owner.email, second_owner.email]
    )
    assert all("Je suis la nouvelle comptable." in e.body for e in OutgoingEmail.objects.all())
    assert len(mail.outbox) == 2
    assert not organisation.members.filter(pk=user.pk).exists()


def test_asking_to_join_an_unregistered_number_is_refused_on_that_field(client, user):
    client.force_login(user)

    response = ask_to_join(client, "0202.239.951")

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["enterprise_number"]
    assert not JoinRequest.objects.exists()


def test_asking_to_join_with_an_invalid_number_is_refused_with_the_reason(client, user):
    client.force_login(user)

    response = ask_to_join(client, "0202.239.952")

    assert response.context["form"].has_error("enterprise_number", "check_digits")
    assert not JoinRequest.objects.exists()


def test_owner_accepts_a_request_to_join_and_the_applicant_becomes_a_member(client, user):
    organisation = OrganisationFactory(enterprise_number="0202239951")
    owner = make_member(organisation)
    client.force_login(user)
    ask_to_join(client, "0202.239.951")
    join_request = JoinRequest.objects.get()
    client.force_login(owner)

    response = decide(client, join_request, accept=True)

    assert response.status_code == 302
    assert Membership.objects.filter(
        user=user, organisation=organisation, role=MemberRole.MEMBER
    ).exists()
    join_request.refresh_from_db()
    assert (join_request.status, join_request.decided_by) == (JoinRequestStatus.ACCEPTED, owner)
    assert OutgoingEmail.objects.filter(to=user.email).exists()


def test_refused_request_to_join_adds_nobody(client, user):
    organisation = OrganisationFactory()
    owner = make_member(organisation)
    join_request = JoinRequest.objects.create(organisation=organisation, user=user)
    client.force_login(owner)

    decide(client, join_request, accept=False)

    assert not organisation.members.filter(pk=user.pk).exists()
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.REFUSED
    assert OutgoingEmail.objects.filter(to=user.email).exists()


def test_plain_member_cannot_decide_on_a_request_to_join(client, user):
    organisation = OrganisationFactory()
    make_member(organisation)
    member = member_of(organisation)
    join_request = JoinRequest.objects.create(organisation=organisation, user=user)
    client.force_login(member)

    decide(client, join_request, accept=True)

    assert not organisation.members.filter(pk=user.pk).exists()
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.PENDING


def test_owner_of_another_organisation_cannot_decide_on_a_request_to_join(client, user):
    organisation = OrganisationFactory()
    join_request = JoinRequest.objects.create(organisation=organisation, user=user)
    other_owner = make_member(OrganisationFactory())
    client.force_login(other_owner)

    assert decide(client, join_request, accept=True).status_code == 404
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.PENDING


def test_answered_request_to_join_cannot_be_answered_again(client, user):
    organisation = OrganisationFactory()
    owner = make_member(organisation)
    join_request = JoinRequest.objects.create(organisation=organisation, user=user)
    client.force_login(owner)
    decide(client, join_request, accept=False)

    decide(client, join_request, accept=True)

    assert not organisation.members.filter(pk=user.pk).exists()
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.REFUSED


# ---------------------------------------------------------------------------------------------
# Members


def remove(client, membership):
    return client.post(
        reverse(
            "companies:membership_remove",
            kwargs={"pk": membership.organisation_id, "membership_pk": membership.pk},
        )
    )


def test_the_last_owner_cannot_be_removed(client):
    organisation = OrganisationFactory()
    owner = make_member(organisation)
    member_of(organisation)
    client.force_login(owner)
    membership = Membership.objects.get(user=owner, organisation=organisation)

    response = remove(client, membership)

    assert response.status_code == 302
    assert Membership.objects.filter(pk=membership.pk, role=MemberRole.OWNER).exists()


def test_an_owner_can_be_removed_while_another_owner_remains(client):
    organisation = OrganisationFactory()
    owner = make_member(organisation)
    other_owner = make_member(organisation)
    client.force_login(owner)

    remove(client, Membership.objects.get(user=other_owner))

    assert list(organisation.members.all()) == [owner]


def test_owner_removes_a_member(client):
    organisation = OrganisationFactory()
    owner = make_member(organisation)
    member = member_of(organisation)
    client.force_login(owner)

    remove(client, Membership.objects.get(user=member))

    assert list(organisation.members.all()) == [owner]


def test_plain_member_cannot_remove_anyone(client):
    organisation = OrganisationFactory()
    owner = make_member(organisation)
    member = member_of(organisation)
    client.force_login(member)

    remove(client, Membership.objects.get(user=owner))

    assert set(organisation.members.all()) == {owner, member}


# ---------------------------------------------------------------------------------------------
# The organisation a user acts for


def test_user_switches_to_another_of_their_organisations(client):
    first, second = OrganisationFactory(), OrganisationFactory()
    user = make_member(first)
    make_member(second, user, role=MemberRole.MEMBER)
    client.force_login(user)

    response = client.post(reverse("companies:organisation_activate", kwargs={"pk": second.pk}))

    assert response.status_code == 302
    assert client.session[ACTIVE_ORGANISATION] == second.pk


def test_switching_to_an_organisation_the_user_does_not_belong_to_is_not_found(client):
    mine, theirs = OrganisationFactory(), OrganisationFactory()
    user = make_member(mine)
    client.force_login(user)
    client.post(reverse("companies:organisation_activate", kwargs={"pk": mine.pk}))

    response = client.post(reverse("companies:organisation_activate", kwargs={"pk": theirs.pk}))

    assert response.status_code == 404
    assert client.session[ACTIVE_ORGANISATION] == mine.pk
