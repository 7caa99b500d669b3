"""Abuse of the portal by its own users (issue 15 §5): invitations as a mailing machine, names
that carry lines, links or the AdN's name, a recognised expert turning into a phishing page,
enterprise numbers squatted, logos that decode into gigapixels."""

import html
import io
import re
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from adn_portal.accounts.models import AuditEvent, User
from adn_portal.mailer.models import OutgoingEmail
from adn_portal.mailer.services import email_template_queue
from companies import services
from companies.models import (
    ExpertProfileChange,
    Invitation,
    MemberRole,
    Membership,
    Organisation,
    OwnershipClaim,
)
from companies.workflow import RecognitionStatus
from tests.auth import login, login_staff
from tests.companies.test_organisations import registration
from tests.factories import (
    ExpertFactory,
    OrganisationFactory,
    UserFactory,
    make_member,
)
from tests.fixtures.applicants import pdf
from tests.fixtures.staff import staff

pytestmark = pytest.mark.django_db


def field_error(response, field: str) -> str:
    """The message crispy-forms shows under a field (its first error), unescaped."""
    page = response.content.decode()
    match = re.search(rf'id="error_1_id_{field}"[^>]*>\s*<strong>(.*?)</strong>', page, re.S)
    return html.unescape(match.group(1).strip()) if match else ""


@pytest.fixture
def manager(db):
    return staff("programme manager")


# ---------------------------------------------------------------------------------------------
# 1. Invitations: only owners, and rationed per person and per organisation


def invite(client, organisation, email: str):
    return client.post(
        reverse("companies:organisation_invite", args=[organisation.pk]),
        {"email": email, "role": MemberRole.MEMBER},
    )


def test_an_owner_sending_more_invitations_than_the_hourly_limit_is_stopped_with_429(
    client, settings
):
    settings.INVITATIONS_PER_USER_PER_HOUR = 3
    organisation = OrganisationFactory()
    owner = make_member(organisation)
    login(client, owner)
    for n in range(3):
        assert invite(client, organisation, f"colleague{n}@example.be").status_code == 302

    response = invite(client, organisation, "one-too-many@example.be")

    assert response.status_code == 429
    assert field_error(response, "email") == (
        "Vous avez envoyé 3 invitations au cours de la dernière heure, le maximum permis : "
        "réessayez plus tard."
    )
    assert Invitation.objects.count() == 3
    assert not OutgoingEmail.objects.filter(to="one-too-many@example.be").exists()


def test_the_hourly_limit_counts_a_persons_invitations_across_its_organisations(settings):
    settings.INVITATIONS_PER_USER_PER_HOUR = 2
    first, second = OrganisationFactory(), OrganisationFactory()
    owner = make_member(first)
    make_member(second, owner)
    services.organisation_invite(organisation=first, email="a@example.be", role="member", by=owner)
    services.organisation_invite(organisation=second, email="b@example.be", role="member", by=owner)

    with pytest.raises(services.InvitationLimitReached):
        services.organisation_invite(
            organisation=second, email="c@example.be", role="member", by=owner
        )
    assert Invitation.objects.count() == 2


def test_an_organisation_cannot_send_more_invitations_a_day_than_its_limit(client, settings):
    settings.INVITATIONS_PER_ORGANISATION_PER_DAY = 2
    organisation = OrganisationFactory()
    first_owner, second_owner = make_member(organisation), make_member(organisation)
    services.organisation_invite(
        organisation=organisation, email="a@example.be", role="member", by=first_owner
    )
    services.organisation_invite(
        organisation=organisation, email="b@example.be", role="member", by=first_owner
    )
    login(client, second_owner)  # another owner of the same organisation

    response = invite(client, organisation, "c@example.be")

    assert response.status_code == 429
    assert field_error(response, "email") == (
        "Cette organisation a envoyé 2 invitations au cours des dernières 24 heures, le maximum "
        "permis : réessayez demain."
    )
    assert Invitation.objects.count() == 2


def test_only_owners_send_invitations():
    organisation = OrganisationFactory()
    member = make_member(organisation, role=MemberRole.MEMBER)

    with pytest.raises(services.CompanyError):
        services.organisation_invite(
            organisation=organisation, email="x@example.be", role="owner", by=member
        )
    assert not Invitation.objects.exists()
    assert not OutgoingEmail.objects.exists()


# ---------------------------------------------------------------------------------------------
# 2. Names stay one plain line, on every form and through the API

ONE_LINE = "Écrivez le nom sur une seule ligne."
HIDDEN = "Le nom contient un caractère invisible ou de contrôle : saisissez-le à nouveau."
WEB = "Un nom ne peut pas contenir d'adresse web."

BAD_NAMES = [
    ("Acme SRL\nCliquez ici", ONE_LINE),
    ("Acme SRL\r\nBcc: victim@example.be", ONE_LINE),
    ("Acme\u2028SRL", ONE_LINE),  # Unicode line separator
    ("Acme\x1b[2JSRL", HIDDEN),  # escape (NUL: Django's own message comes first)
    ("Acme\tSRL", HIDDEN),
    ("Acme\u202eLRS", HIDDEN),  # right-to-left override
    ("Acme\u200bSRL", HIDDEN),  # zero-width space
    ("Acme SRL https://subsides.example", WEB),
    ("Acme SRL hxxp://subsides.example", WEB),
    ("WWW.subsides-wallonie.be", WEB),
    ("\uff57\uff57\uff57\uff0esubsides.be", WEB),  # full-width www.
]


@pytest.mark.parametrize(("name", "message"), BAD_NAMES)
def test_an_organisation_name_must_be_one_plain_line(client, user, name, message):
    login(client, user)

    response = client.post(reverse("companies:organisation_create"), registration(name=name))

    assert response.status_code == 200
    assert field_error(response, "name") == message
    assert not Organisation.objects.exists()


def test_a_name_refused_for_its_link_is_accepted_once_plain(client, user):
    login(client, user)
    create = reverse("companies:organisation_create")

    refused = client.post(create, registration(name="L'Épi d'Or — www.epidor.be"))
    accepted = client.post(create, registration(name="L'Épi d'Or & Fils — Booking.com SRL"))

    assert refused.status_code == 200
    assert field_error(refused, "name") == WEB
    assert accepted.status_code == 302
    assert Organisation.objects.get().name == "L'Épi d'Or & Fils — Booking.com SRL"


@pytest.mark.parametrize(("name", "message"), BAD_NAMES[:1] + BAD_NAMES[3:4] + BAD_NAMES[7:8])
def test_a_person_signing_up_gives_a_plain_one_line_name(
    client, django_capture_on_commit_callbacks, name, message
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "first_name": "Julie",
                "last_name": name,
                "email": "julie@pme.be",
                "password1": "un-mot-de-passe-solide-42",
                "password2": "un-mot-de-passe-solide-42",
                "language": "fr",
            },
        )

    assert response.status_code == 200
    assert field_error(response, "last_name") == message
    assert not User.objects.filter(email="julie@pme.be").exists()
    assert not OutgoingEmail.objects.exists()


def test_a_profile_name_cannot_carry_a_link_or_a_line(client, user):
    login(client, user)

    response = client.post(
        reverse("profile"),
        {"first_name": "Julie\nVotre dossier", "last_name": "www.x.be", "language": "fr"},
    )

    assert response.status_code == 200
    assert field_error(response, "first_name") == ONE_LINE
    assert field_error(response, "last_name") == WEB
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Julie", "Dupont")


@pytest.mark.parametrize("char", ["\x00", "\x7f", "\u00ad", "\ufeff", "\u2029", "\x85"])
def test_the_shared_validator_refuses_every_control_or_invisible_character(char):
    from adn_portal.lib.names import one_line, validate_plain_name

    with pytest.raises(ValidationError):
        validate_plain_name(f"Acme{char}SRL")
    assert one_line(f"Acme{char}SRL") == "Acme SRL"


def test_a_reference_client_must_be_one_plain_line():
    from companies.forms.owner import ReferenceForm

    form = ReferenceForm({"client": "Client\nhttps://x.be", "summary": "Un projet", "year": 2024})

    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["client"]] == ["newline"]


def test_the_api_refuses_an_expert_name_on_several_lines_with_a_structured_error():
    expert = ExpertFactory(organisation__name="Vision Meuse SRL")
    api = APIClient()
    api.force_authenticate(make_member(expert.organisation))

    response = api.patch("/api/v1/me/expert/", {"name": "Vision\nMeuse"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "name", "code": "newline", "message": ONE_LINE}]
    assert not ExpertProfileChange.objects.exists()


def test_a_name_stored_before_the_rule_cannot_add_lines_to_an_invitation():
    # Names already in the database were never checked: the e-mails flatten them.
    organisation = OrganisationFactory(name="Acme\nBcc: x@evil.example\n\nVotre virement")
    owner = make_member(organisation, UserFactory(first_name="Julie\r\nDe:", last_name="AdN"))

    services.organisation_invite(
        organisation=organisation, email="colleague@example.be", role="member", by=owner
    )

    email = OutgoingEmail.objects.get(to="colleague@example.be")
    assert "\n" not in email.subject
    assert "Acme Bcc: x@evil.example Votre virement" in email.subject
    line = next(line for line in email.body.splitlines() if "Acme" in line)
    assert line.startswith("Julie De: AdN ")
    assert "Acme Bcc: x@evil.example Votre virement" in line
    assert not any(
        line.startswith(("Bcc:", "De:", "Votre virement")) for line in email.body.splitlines()
    )


@pytest.mark.parametrize(
    "template",
    ["invitation", "join_request", "join_request_answer", "expert_status", "ownership_moved"],
)
def test_every_email_naming_an_organisation_writes_its_name_on_one_line(template):
    organisation = OrganisationFactory(name="Acme\u2028Ligne 2\rLigne 3")
    expert = ExpertFactory(organisation=organisation)
    person = UserFactory(first_name="Julie\nLigne", last_name="Dupont")
    join_request = services.join_request_create(
        enterprise_number=organisation.enterprise_number, user=person, message=""
    )
    invitation = Invitation.objects.create(organisation=organisation, email="a@b.be", token="t")
    context = {
        "organisation": organisation,
        "expert": expert,
        "inviter": person,
        "invitation": invitation,
        "token": "t",
        "applicant": person,
        "join_request": join_request,
        "action": "approved",
        "claim": None,
        "kept": False,
    }

    email = email_template_queue(
        to="x@example.be", template=template, context=context, language="fr"
    )

    assert "Acme Ligne 2 Ligne 3" in email.subject + email.body
    assert "\u2028" not in email.body and "\r" not in email.body
    assert not any(line.startswith("Ligne") for line in email.body.splitlines())


# ---------------------------------------------------------------------------------------------
# 2b. Nobody else's name passes for the AdN's

RESERVED = (
    "« Agence du Numérique » est réservé à l'Agence du Numérique et à ses programmes. S'il fait "
    "vraiment partie de votre dénomination légale, écrivez à l'AdN : son équipe peut "
    "l'enregistrer pour vous."
)


@pytest.mark.parametrize(
    "name",
    [
        "Agence du Numérique - Service officiel des subsides",
        "AGENCE DU NUMERIQUE",
        "agence-du-numérique sprl",
    ],
)
def test_an_organisation_cannot_take_the_agencys_name(client, user, name):
    login(client, user)

    response = client.post(reverse("companies:organisation_create"), registration(name=name))

    assert response.status_code == 200
    assert field_error(response, "name") == RESERVED
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("name", "term"),
    [
        ("ADN Subsides SRL", "AdN"),
        ("Digital Wallonia Conseil", "Digital Wallonia"),
        ("Guichet officiel des primes", "officiel"),
        ("Start IA Wallonie", "Start IA"),
    ],
)
def test_names_using_a_reserved_word_are_refused_with_that_word(client, user, name, term):
    login(client, user)

    response = client.post(reverse("companies:organisation_create"), registration(name=name))

    assert response.status_code == 200
    assert field_error(response, "name").startswith(f"« {term} » est réservé")


def test_only_whole_reserved_words_are_refused(client, user):
    login(client, user)
    create = reverse("companies:organisation_create")

    refused = client.post(create, registration(name="Adn Consulting SRL"))
    accepted = client.post(create, registration(name="Adnane Consulting SRL"))

    assert refused.status_code == 200
    assert field_error(refused, "name").startswith("« AdN » est réservé")
    assert accepted.status_code == 302


def test_a_person_cannot_sign_up_under_the_agencys_name(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "first_name": "Agence du Numérique",
                "last_name": "Service des subsides",
                "email": "phisher@example.be",
                "password1": "un-mot-de-passe-solide-42",
                "password2": "un-mot-de-passe-solide-42",
                "language": "fr",
            },
        )

    assert response.status_code == 200
    assert field_error(response, "first_name") == RESERVED
    assert not User.objects.filter(email="phisher@example.be").exists()


def test_an_owner_cannot_rename_to_a_reserved_name_but_keeps_one_set_by_staff(client):
    organisation = OrganisationFactory(name="Béton SA")
    owner = make_member(organisation)
    login(client, owner)
    edit = reverse("companies:organisation_edit", args=[organisation.pk])

    refused = client.post(edit, registration(name="Béton officiel SA", enterprise_number=""))

    assert refused.status_code == 200
    assert field_error(refused, "name").startswith("« officiel » est réservé")
    # An administrator may set a legitimate one in the admin; it does not block other edits.
    Organisation.objects.filter(pk=organisation.pk).update(name="Officiel Béton SA")
    kept = client.post(
        edit, registration(name="Officiel Béton SA", enterprise_number="", street="Rue Neuve 1")
    )
    assert kept.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name, organisation.street) == ("Officiel Béton SA", "Rue Neuve 1")


# ---------------------------------------------------------------------------------------------
# 3. A recognised expert's public identity changes only after staff review

PHISHING_NAME = "Agence Wallonne - Service des subsides"


def profile_data(expert, **changes) -> dict:
    data = {
        "name": expert.organisation.name,
        "website": expert.organisation.website,
        "description_fr": expert.description_fr,
        "description_en": "",
        "description_de": "",
        "specialities": expert.specialities,
        "sectors": expert.sectors,
        "languages": expert.languages,
        "programmes": expert.programmes,
        "team_size": expert.team_size,
        "public_email": expert.public_email,
        "public_phone": expert.public_phone,
    }
    return data | changes


@pytest.fixture
def listed(db):
    expert = ExpertFactory(
        organisation__name="Vision Meuse SRL",
        organisation__website="https://vision-meuse.be",
        public_email="contact@vision-meuse.be",
    )
    expert.owner = make_member(expert.organisation)
    return expert


def test_a_renamed_expert_keeps_its_approved_name_and_website_in_public_until_staff_accept(
    client, listed, manager
):
    login(client, listed.owner)

    response = client.post(
        reverse("companies:expert_profile"),
        profile_data(
            listed,
            name=PHISHING_NAME,
            website="https://subsides-wallonie.example",
            public_email="subsides@wallonie.example",
            public_phone="+32 81 00 00 00",
        ),
    )

    assert response.status_code == 302
    client.logout()
    page = client.get(listed.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "Vision Meuse SRL" in text and "https://vision-meuse.be" in text
    assert "contact@vision-meuse.be" in text
    assert PHISHING_NAME not in text and "subsides" not in text
    api = APIClient().get(f"/api/v1/experts/{listed.slug}/")
    assert api.status_code == 200
    assert (api.json()["name"], api.json()["website"]) == (
        "Vision Meuse SRL",
        "https://vision-meuse.be",
    )
    change = ExpertProfileChange.objects.get(status="pending")
    assert (change.name, change.website, change.public_email) == (
        PHISHING_NAME,
        "https://subsides-wallonie.example",
        "subsides@wallonie.example",
    )

    # Staff see the proposal, then publish it.
    login_staff(client, manager)
    staff_page = client.get(reverse("companies:staff_expert_detail", args=[listed.pk]))
    assert staff_page.status_code == 200
    assert PHISHING_NAME in staff_page.content.decode()
    client.post(reverse("companies:staff_profile_change_decide", args=[listed.pk]), {"accept": "1"})
    client.logout()
    text = client.get(listed.get_absolute_url()).content.decode()
    assert PHISHING_NAME in text and "https://subsides-wallonie.example" in text


def test_the_expert_api_holds_identity_changes_for_review(listed):
    api = APIClient()
    api.force_authenticate(listed.owner)

    response = api.patch(
        "/api/v1/me/expert/",
        {
            "name": PHISHING_NAME,
            "website": "https://subsides-wallonie.example",
            "public_email": "subsides@wallonie.example",
            "public_phone": "+32 81 00 00 00",
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["pending_review"] is True
    assert (body["name"], body["website"], body["public_email"]) == (
        "Vision Meuse SRL",
        "https://vision-meuse.be",
        "contact@vision-meuse.be",
    )
    listed.refresh_from_db()
    listed.organisation.refresh_from_db()
    assert listed.organisation.name == "Vision Meuse SRL"
    assert ExpertProfileChange.objects.get().name == PHISHING_NAME


def test_renaming_a_recognised_expert_from_the_organisation_page_waits_for_review(client, listed):
    login(client, listed.owner)

    response = client.post(
        reverse("companies:organisation_edit", args=[listed.organisation.pk]),
        registration(name=PHISHING_NAME, website="https://subsides.example", enterprise_number=""),
    )

    assert response.status_code == 302
    listed.organisation.refresh_from_db()
    assert listed.organisation.name == "Vision Meuse SRL"
    assert listed.organisation.website == "https://vision-meuse.be"
    assert listed.organisation.street == "Rue de la Gare 3"  # the rest applies at once
    change = ExpertProfileChange.objects.get(status="pending")
    assert (change.name, change.website) == (PHISHING_NAME, "https://subsides.example")


def test_a_second_edit_adds_to_the_pending_proposal_instead_of_dropping_it(listed):
    services.expert_update_profile(expert=listed, data={"name": "Nouveau Nom SRL"}, by=listed.owner)
    services.expert_update_profile(
        expert=listed, data={"public_phone": "+32 4 000 00 00"}, by=listed.owner
    )

    change = ExpertProfileChange.objects.get(status="pending")
    assert (change.name, change.public_phone) == ("Nouveau Nom SRL", "+32 4 000 00 00")


def test_a_new_logo_is_not_public_before_staff_accept_it(client, listed, manager):
    listed.logo.save("old.png", io.BytesIO(png(64, 64)), save=True)
    login(client, listed.owner)

    response = client.post(
        reverse("companies:expert_profile"),
        profile_data(listed) | {"logo": SimpleUploadedFile("new.png", png(80, 80))},
    )

    assert response.status_code == 302
    listed.refresh_from_db()
    assert listed.logo.name.endswith("old.png")
    change = ExpertProfileChange.objects.get(status="pending")
    assert change.logo.name != listed.logo.name
    served = client.get(reverse("companies:expert_logo", args=[listed.slug]))
    assert b"".join(served.streaming_content) == png(64, 64)
    # Staff look at it on their own URL before deciding.
    login_staff(client, manager)
    proposed = client.get(reverse("companies:staff_profile_change_logo", args=[listed.pk]))
    assert proposed.status_code == 200
    assert b"".join(proposed.streaming_content) == png(80, 80)


def test_an_expert_cannot_rename_itself_after_the_agency(client, listed):
    login(client, listed.owner)

    response = client.post(
        reverse("companies:expert_profile"),
        profile_data(listed, name="Agence du Numérique - Service officiel des subsides"),
    )

    assert response.status_code == 200
    assert field_error(response, "name") == RESERVED
    assert not ExpertProfileChange.objects.exists()


def test_the_api_refuses_an_expert_name_passing_for_the_agency(listed):
    api = APIClient()
    api.force_authenticate(listed.owner)

    response = api.patch("/api/v1/me/expert/", {"name": "Service officiel AdN"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "name"
    assert response.json()["errors"][0]["code"] == "reserved"


def test_a_company_not_yet_public_edits_its_identity_directly(listed):
    listed.status = RecognitionStatus.SUBMITTED
    listed.save()

    change = services.expert_update_profile(
        expert=listed, data={"name": "Vision Meuse Lab SRL"}, by=listed.owner
    )

    assert change is None
    listed.organisation.refresh_from_db()
    assert listed.organisation.name == "Vision Meuse Lab SRL"


# ---------------------------------------------------------------------------------------------
# 4. Enterprise-number squatting: the real company claims, staff verify and move ownership


@pytest.fixture
def squatted(db):
    """A large company's number registered by someone else, who invited an accomplice."""
    organisation = OrganisationFactory(name="Grande Entreprise SA", enterprise_number="0403170701")
    organisation.squatter = make_member(organisation)
    organisation.accomplice = make_member(organisation, role=MemberRole.MEMBER)
    return organisation


@pytest.fixture
def real_owner(db):
    return UserFactory(email="ceo@grande-entreprise.be", first_name="Anne", last_name="Martin")


def claim(client, number="0403.170.701", **fields):
    data = {"enterprise_number": number, "message": "Je suis l'administratrice déléguée."}
    return client.post(reverse("companies:organisation_claim"), data | fields)


def test_registering_a_number_already_held_offers_to_claim_it(client, squatted, real_owner):
    login(client, real_owner)

    response = client.post(
        reverse("companies:organisation_create"), registration(enterprise_number="0403.170.701")
    )

    assert response.status_code == 200
    assert reverse("companies:organisation_claim") + "?number=0403.170.701" in (
        response.content.decode()
    )


def test_a_claim_goes_to_staff_and_not_to_the_current_owners(
    client, squatted, real_owner, manager, django_capture_on_commit_callbacks
):
    reviewer = staff("reviewer")
    login(client, real_owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = claim(client, document=pdf("extrait-bce.pdf"))

    assert response.status_code == 302
    filed = OwnershipClaim.objects.get()
    assert (filed.organisation, filed.claimant, filed.status) == (squatted, real_owner, "pending")
    assert filed.document_name == "extrait-bce.pdf"
    assert OutgoingEmail.objects.filter(to=manager.email).count() == 1
    assert not OutgoingEmail.objects.filter(to=reviewer.email).exists()
    assert not OutgoingEmail.objects.filter(to=squatted.squatter.email).exists()


def test_a_supporting_document_is_checked_by_its_content(client, squatted, real_owner):
    login(client, real_owner)
    fake = SimpleUploadedFile("extrait.pdf", b"MZ\x90\x00" + b"\x00" * 500)

    response = claim(client, document=fake)

    assert response.status_code == 200
    assert field_error(response, "document").startswith("Ce type de fichier n")
    assert not OwnershipClaim.objects.exists()


def test_one_pending_claim_per_claimant_and_organisation(client, squatted, real_owner):
    login(client, real_owner)
    assert claim(client).status_code == 302

    response = claim(client)

    assert response.status_code == 200
    assert field_error(response, "enterprise_number") == (
        "Vous avez déjà revendiqué cette organisation : l'AdN examine votre demande."
    )
    assert OwnershipClaim.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        OwnershipClaim.objects.create(organisation=squatted, claimant=real_owner, message="encore")


def test_the_current_owners_can_neither_cancel_a_claim_nor_remove_the_claimant(
    client, squatted, real_owner, manager
):
    services.ownership_claim_create(
        enterprise_number=squatted.enterprise_number, claimant=real_owner, message="C'est à nous."
    )
    login(client, squatted.squatter)

    # Nothing on their pages names the claim, and staff pages are 404 for them.
    page = client.get(squatted.get_absolute_url()).content.decode()
    assert "ceo@grande-entreprise.be" not in page
    pending = OwnershipClaim.objects.get()
    for url in (
        reverse("companies:staff_claim_list"),
        reverse("companies:staff_claim_detail", args=[pending.pk]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("companies:staff_claim_detail", args=[pending.pk]),
            {"grant": "0", "comment": "Annulé"},
        ).status_code
        == 404
    )
    assert OwnershipClaim.objects.get().status == "pending"

    # Once ownership has moved, the former owner cannot remove the new owner either.
    services.ownership_claim_decide(
        claim=pending, grant=True, by=manager, keep_previous_owners=True
    )
    new_owner = Membership.objects.get(user=real_owner, organisation=squatted)
    response = client.post(reverse("companies:membership_remove", args=[squatted.pk, new_owner.pk]))
    assert response.status_code == 302
    assert Membership.objects.filter(pk=new_owner.pk, role=MemberRole.OWNER).exists()


def test_staff_see_pending_claims_with_both_parties(client, squatted, real_owner, manager):
    services.ownership_claim_create(
        enterprise_number=squatted.enterprise_number, claimant=real_owner, message="C'est à nous."
    )
    login_staff(client, manager)

    response = client.get(reverse("companies:staff_claim_list"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    text = response.content.decode()
    assert "Grande Entreprise SA" in text and "0403.170.701" in text
    assert "ceo@grande-entreprise.be" in text  # the claimant
    assert squatted.squatter.email in text  # the current owner
    detail = client.get(
        reverse("companies:staff_claim_detail", args=[OwnershipClaim.objects.get().pk])
    )
    assert detail.status_code == 200
    assert "C&#x27;est à nous." in detail.content.decode()


def test_the_staff_claim_list_query_count_does_not_grow_with_claims(
    client, manager, django_assert_num_queries
):
    for _ in range(5):
        organisation = OrganisationFactory()
        make_member(organisation)
        make_member(organisation)
        services.ownership_claim_create(
            enterprise_number=organisation.enterprise_number, claimant=UserFactory(), message="x"
        )
    login_staff(client, manager)
    client.get(reverse("companies:staff_claim_list"))  # warms the menu's count in the cache

    # session, user (with their roles), page count, page of claims with both parties, owners
    with django_assert_num_queries(5):
        response = client.get(reverse("companies:staff_claim_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "applicant", "reviewer"])
def test_claim_pages_are_for_programme_managers_and_administrators_only(client, squatted, who):
    pending = services.ownership_claim_create(
        enterprise_number=squatted.enterprise_number,
        claimant=UserFactory(),
        message="x",
        document=pdf(),
    )
    if who == "applicant":
        login(client, UserFactory())
    elif who == "reviewer":
        login_staff(client, staff("reviewer"))
    urls = [
        reverse("companies:staff_claim_list"),
        reverse("companies:staff_claim_detail", args=[pending.pk]),
        reverse("companies:staff_claim_document", args=[pending.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == (302 if who == "anonymous" else 404)


def test_staff_move_ownership_and_the_previous_owners_leave(
    client, squatted, real_owner, manager, django_capture_on_commit_callbacks
):
    pending = services.ownership_claim_create(
        enterprise_number=squatted.enterprise_number, claimant=real_owner, message="C'est à nous."
    )
    services.organisation_invite(
        organisation=squatted, email="other-owner@example.be", role="owner", by=squatted.squatter
    )
    login_staff(client, manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("companies:staff_claim_detail", args=[pending.pk]),
            {"grant": "1", "comment": "Vérifié au Moniteur belge."},
        )

    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by) == ("granted", manager)
    assert pending.previous_owners == [squatted.squatter.pk]
    roles = dict(Membership.objects.filter(organisation=squatted).values_list("user", "role"))
    # The squatter is gone; the member it had added stays for the new owner to judge.
    assert roles == {real_owner.pk: "owner", squatted.accomplice.pk: "member"}
    assert not Invitation.objects.filter(organisation=squatted, accepted_at=None).exists()
    to_claimant = OutgoingEmail.objects.get(to=real_owner.email)
    assert "Grande Entreprise SA" in to_claimant.subject
    assert OutgoingEmail.objects.filter(to=squatted.squatter.email).count() == 1
    assert AuditEvent.objects.filter(
        action="staff_action", details__ownership_claim=pending.pk, details__decision="granted"
    ).exists()
    assert OwnershipClaim.objects.pending().count() == 0


def test_staff_may_keep_the_previous_owners_as_members(squatted, real_owner, manager):
    pending = services.ownership_claim_create(
        enterprise_number=squatted.enterprise_number, claimant=real_owner, message="x"
    )

    services.ownership_claim_decide(
        claim=pending, grant=True, by=manager, keep_previous_owners=True
    )

    assert Membership.objects.get(user=squatted.squatter, organisation=squatted).role == "member"
    assert Membership.objects.get(user=real_owner, organisation=squatted).role == "owner"


def test_a_refusal_needs_a_reason_and_changes_nothing(client, squatted, real_owner, manager):
    pending = services.ownership_claim_create(
        enterprise_number=squatted.enterprise_number, claimant=real_owner, message="x"
    )
    login_staff(client, manager)
    url = reverse("companies:staff_claim_detail", args=[pending.pk])

    without_reason = client.post(url, {"grant": "0", "comment": ""})

    assert without_reason.status_code == 200
    assert field_error(without_reason, "comment") == (
        "Donnez la raison : la personne qui revendique la lira."
    )
    assert client.post(url, {"grant": "0", "comment": "Pas de mandat."}).status_code == 302
    assert OwnershipClaim.objects.get().status == "refused"
    assert Membership.objects.get(user=squatted.squatter).role == "owner"
    assert not Membership.objects.filter(user=real_owner).exists()
    assert OutgoingEmail.objects.filter(to=real_owner.email).count() == 1


def test_staff_download_the_supporting_document_privately(client, squatted, manager):
    pending = services.ownership_claim_create(
        enterprise_number=squatted.enterprise_number,
        claimant=UserFactory(),
        message="x",
        document=pdf("mandat.pdf"),
    )
    login_staff(client, manager)

    response = client.get(reverse("companies:staff_claim_document", args=[pending.pk]))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'attachment; filename="mandat.pdf"'


def test_the_staff_menu_shows_how_many_claims_wait(client, squatted, manager):
    services.ownership_claim_create(
        enterprise_number=squatted.enterprise_number, claimant=UserFactory(), message="x"
    )
    services.ownership_claim_create(
        enterprise_number=squatted.enterprise_number, claimant=UserFactory(), message="y"
    )
    login_staff(client, manager)

    page = client.get(reverse("programs:home")).content.decode()

    assert re.search(
        r'href="/espace-adn/revendications/">Revendications de propriété <span[^>]*>2<', page
    )


def test_a_claimant_has_a_few_claims_pending_at_most(settings, real_owner):
    settings.OWNERSHIP_CLAIMS_PENDING_PER_USER = 2
    numbers = [OrganisationFactory().enterprise_number for _ in range(3)]
    for number in numbers[:2]:
        services.ownership_claim_create(enterprise_number=number, claimant=real_owner, message="x")

    with pytest.raises(services.CompanyError):
        services.ownership_claim_create(
            enterprise_number=numbers[2], claimant=real_owner, message="x"
        )
    assert OwnershipClaim.objects.count() == 2


# ---------------------------------------------------------------------------------------------
# 5. Logos: pixel dimensions from the header, decompression bombs refused as field errors


def png(width: int, height: int) -> bytes:
    """A valid black-and-white PNG of any size: 1 bit a pixel, rows of zeros compress to
    almost nothing (12000 x 12000 is about 20 KB)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def upload_logo(client, expert, content: bytes):
    return client.post(
        reverse("companies:expert_profile"),
        profile_data(expert) | {"logo": SimpleUploadedFile("logo.png", content)},
    )


def test_a_logo_wider_than_the_limit_is_refused_and_one_at_the_limit_accepted(client, listed):
    login(client, listed.owner)

    response = upload_logo(client, listed, png(2500, 400))

    assert response.status_code == 200
    assert field_error(response, "logo") == (
        "Le logo mesure 2500 x 400 pixels ; le maximum est de 2000 x 2000."
    )
    assert not ExpertProfileChange.objects.exists()
    assert upload_logo(client, listed, png(2000, 2000)).status_code == 302
    assert ExpertProfileChange.objects.get().logo


@pytest.mark.parametrize(
    "side",
    [
        12000,  # 144 Mpx: Pillow only warns (its DecompressionBombWarning)
        20000,  # 400 Mpx: Pillow refuses to open it (DecompressionBombError)
    ],
)
def test_a_decompression_bomb_logo_is_a_field_error(client, listed, side):
    login(client, listed.owner)

    response = upload_logo(client, listed, png(side, side))

    assert response.status_code == 200
    assert field_error(response, "logo") in {
        f"Le logo mesure {side} x {side} pixels ; le maximum est de 2000 x 2000.",
        "Le logo compte beaucoup trop de pixels ; le maximum est de 2000 x 2000.",
    }
    assert not ExpertProfileChange.objects.exists()


def test_the_api_checks_a_logos_pixels_like_the_page(listed):
    api = APIClient()
    api.force_authenticate(listed.owner)

    response = api.patch(
        "/api/v1/me/expert/",
        {"logo": SimpleUploadedFile("logo.png", png(12000, 12000))},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "logo"
    assert response.json()["errors"][0]["code"] == "too_many_pixels"
    assert not ExpertProfileChange.objects.exists()


def test_a_logo_sent_through_the_api_waits_for_review(listed):
    api = APIClient()
    api.force_authenticate(listed.owner)

    response = api.patch(
        "/api/v1/me/expert/",
        {"logo": SimpleUploadedFile("logo.png", png(100, 100))},
        format="multipart",
    )

    assert response.status_code == 200
    assert response.json()["pending_review"] is True
    listed.refresh_from_db()
    assert not listed.logo
    assert ExpertProfileChange.objects.get().logo


def test_the_admin_checks_logo_pixels_too(rf):
    from django.contrib.admin.sites import site

    from companies.models import Expert

    request = rf.get("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    field = site._registry[Expert].get_form(request).base_fields["logo"]

    with pytest.raises(ValidationError) as refused:
        field.clean(SimpleUploadedFile("logo.png", png(12000, 12000)))
    assert refused.value.code == "too_many_pixels"
