"""Erasure leaves nobody behind: after a person erases their account, no table holds their e-mail
address, their name or the IP address they used; their files stay for the statistics."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import CHANGE, LogEntry
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from adn_portal.accounts.models import ApiToken, AuditEvent
from adn_portal.accounts.tokens import api_token_create
from applications.models import Application
from applications.privacy import ERASED
from applications.workflow import Status
from companies.models import OwnershipClaim
from companies.services import ownership_claim_decide
from stats.computation import compute
from tests.auth import login
from tests.factories import DEFAULT_PASSWORD, OrganisationFactory, UserFactory, make_member
from tests.fixtures.applicants import DECLARED, START_STEPS, fill_steps, pdf

from .dump import tables_holding

pytestmark = pytest.mark.django_db

EMAIL = "zenobie.quintal@menuiserie-erasure.be"
FIRST, LAST = "Zénobie", "Quintalverhaegen"
IP = "203.0.113.77"


def log_in(client, password: str):
    return client.post(reverse("account_login"), {"login": EMAIL, "password": password})


def invited_through_the_emailed_link(browser, callbacks):
    organisation = OrganisationFactory(name="Menuiserie Wéry SRL", postcode="4000")
    owner = make_member(organisation, UserFactory(first_name="Marc", last_name="Lemaire"))
    owner_browser = Client(REMOTE_ADDR="198.51.100.9")
    login(owner_browser, owner)
    with callbacks(execute=True):
        response = owner_browser.post(
            reverse("companies:organisation_invite", args=[organisation.pk]),
            {"email": EMAIL, "role": "owner"},
        )
    assert response.status_code == 302
    link = re.search(r"(/invitations/\S+/)", mail.outbox[-1].body).group(1)
    assert browser.post(link).status_code == 302
    return organisation


def asks_to_join_another_organisation(browser, callbacks):
    other = OrganisationFactory(name="Atelier Tiers SRL")
    make_member(other, UserFactory(first_name="Anne", last_name="Tiers"))
    with callbacks(execute=True):
        response = browser.post(
            reverse("companies:organisation_join"),
            {"enterprise_number": other.enterprise_number, "message": f"Bonjour, {FIRST} ici."},
        )
    assert response.status_code == 302


def claims_two_organisations_one_refused(browser, callbacks) -> None:
    organisations = [OrganisationFactory(name=f"Scierie Revendiquée {n} SRL") for n in (1, 2)]
    for organisation in organisations:
        make_member(organisation, UserFactory(first_name="Paul", last_name="Squatteur"))
        with callbacks(execute=True):
            response = browser.post(
                reverse("companies:organisation_claim"),
                {
                    "enterprise_number": organisation.enterprise_number,
                    "message": f"Je suis {FIRST} {LAST}, gérante ({EMAIL}).",
                    "document": pdf("statuts.pdf"),
                },
            )
        assert response.status_code == 302
    refused = OwnershipClaim.objects.get(organisation=organisations[0])
    with callbacks(execute=True):
        ownership_claim_decide(
            claim=refused,
            grant=False,
            by=UserFactory(is_staff=True, first_name="Agent", last_name="AdN"),
            comment=f"Madame {LAST} n'apparaît pas au Moniteur belge.",
        )


def submits_a_file(browser, start_call, expert, callbacks) -> Application:
    assert browser.post(reverse("applications:start", args=[start_call.slug])).status_code == 302
    application = Application.objects.get()
    steps = dict(START_STEPS)
    steps["contact"] = {
        "contact_name": f"{FIRST} {LAST}",
        "contact_function": "Gérante",
        "contact_email": EMAIL,
        "contact_phone": "+32 4 123 45 67",
    }
    steps["expert"] = {"expert": str(expert.pk), "availability": "Les mardis."}
    fill_steps(browser, application, expert, steps)
    with callbacks(execute=True):
        response = browser.post(reverse("applications:submit", args=[application.pk]), DECLARED)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    return application


def test_after_erasure_no_table_holds_the_persons_address_name_or_ip(
    start_call, expert, django_capture_on_commit_callbacks
):
    callbacks = django_capture_on_commit_callbacks
    person = UserFactory(email=EMAIL, first_name=FIRST, last_name=LAST)
    browser, phone = Client(REMOTE_ADDR=IP), Client(REMOTE_ADDR=IP)

    # Logged in through the real form, after a wrong password; a second device stays signed in.
    assert log_in(browser, "not-the-password").status_code == 200
    assert log_in(browser, DEFAULT_PASSWORD).status_code == 302
    assert log_in(phone, DEFAULT_PASSWORD).status_code == 302
    # Received e-mails: a password reset, an invitation; e-mails about them: a join request.
    with callbacks(execute=True):
        assert browser.post(reverse("account_reset_password"), {"email": EMAIL}).status_code == 302
    invited_through_the_emailed_link(browser, callbacks)
    asks_to_join_another_organisation(browser, callbacks)
    claims_two_organisations_one_refused(browser, callbacks)
    application = submits_a_file(browser, start_call, expert, callbacks)
    assert browser.get(reverse("applications:my_data")).status_code == 200
    api_token_create(user=person, name="ERP", second_factor=False)
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={})
    LogEntry.objects.log_actions(
        user_id=UserFactory(is_staff=True, is_superuser=True).pk,
        queryset=[person],
        action_flag=CHANGE,
        change_message=f"Changed the language of {FIRST} {LAST} ({EMAIL}).",
    )
    before = tables_holding(EMAIL, FIRST, LAST, IP)
    assert {"accounts_user", "mailer_outgoingemail", "accounts_auditevent"} <= set(before)
    assert {"axes_accesslog", "django_session", "django_admin_log"} <= set(before)
    assert "companies_ownershipclaim" in before
    figures = compute(timezone.localdate())
    documents = [c.document for c in OwnershipClaim.objects.all()]
    assert all(d.storage.exists(d.name) for d in documents)

    assert browser.post(reverse("applications:erase_account"), {"password": "x"}).status_code == 200
    with callbacks(execute=True):
        response = browser.post(
            reverse("applications:erase_account"), {"password": DEFAULT_PASSWORD}
        )

    assert response.status_code == 302
    assert tables_holding(EMAIL, FIRST, LAST, IP) == {}
    # Nothing of theirs is left to sign in with, in any browser or with any key.
    assert phone.get(reverse("applications:my_applications")).status_code == 302
    assert not Authenticator.objects.filter(user=person).exists()
    assert not ApiToken.objects.filter(user=person).exists()
    # The file stays, anonymised, and the figures do not move.
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED and application.created_by == person
    assert application.data["contact"]["contact_email"] == ERASED
    assert compute(timezone.localdate()) == figures
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ERASURE, user=person).exists()
    # The refused claim stays as history, without their words or document; the pending one goes.
    assert list(OwnershipClaim.objects.values_list("status", "message", "document")) == [
        ("refused", ERASED, "")
    ]
    assert not any(d.storage.exists(d.name) for d in documents)


def test_erasure_keeps_other_peoples_rows_from_the_same_address(client):
    """A colleague behind the same office address keeps their own audit trail."""
    colleague = UserFactory(email="collegue@menuiserie-erasure.be")
    person = UserFactory(email=EMAIL, first_name=FIRST, last_name=LAST)
    for user in (colleague, person):
        browser = Client(REMOTE_ADDR=IP)
        response = browser.post(
            reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 302
        if user == person:
            erase = browser.post(
                reverse("applications:erase_account"), {"password": DEFAULT_PASSWORD}
            )
            assert erase.status_code == 302

    assert list(
        AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN).values_list("user", "ip")
    ) == [(person.pk, None), (colleague.pk, IP)]
