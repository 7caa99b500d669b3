"""Secret links (password reset, address confirmation, invitations) reach their reader and do not
stay readable in the outbox: after sending, no usable token remains in the database."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from adn_portal.mailer import services, tasks
from adn_portal.mailer.models import OutgoingEmail
from companies.models import Invitation, invitation_digest
from companies.services import INVITATION_VALIDITY
from tests.auth import login, login_staff
from tests.factories import OrganisationFactory, UserFactory, make_member

from .dump import tables_holding

pytestmark = pytest.mark.django_db

BROKER_DOWN = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def reset_password(client, email: str, callbacks) -> None:
    with callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": email})
    assert response.status_code == 302


def test_a_sent_password_reset_link_is_not_kept_in_the_database(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="julie@pme.be")

    reset_password(client, user.email, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    path = re.search(r"https?://testserver(/compte/password/reset/key/(\S+)/)", mail.outbox[0].body)
    key = path.group(2)
    assert tables_holding(key) == {}
    stored = OutgoingEmail.objects.get(to=user.email)
    assert stored.sent_at is not None and stored.purged_at == stored.sent_at
    assert stored.body == OutgoingEmail.PURGED and stored.html == ""
    # The link that went out still works: only the stored copy is gone.
    response = client.get(path.group(1), follow=True)
    assert response.status_code == 200
    assert b'name="password1"' in response.content


def test_a_sent_address_confirmation_link_is_not_kept_in_the_database(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "first_name": "Julie",
                "last_name": "Dupont",
                "email": "julie@pme-liege.be",
                "password1": "un-mot-de-passe-solide-42",
                "password2": "un-mot-de-passe-solide-42",
                "language": "fr",
            },
        )
    assert response.status_code == 302

    assert len(mail.outbox) == 1
    key = re.search(r"/compte/confirm-email/([^/\s]+)/", mail.outbox[0].body).group(1)
    assert tables_holding(key) == {}
    assert OutgoingEmail.objects.get().body == OutgoingEmail.PURGED


def test_a_sent_invitation_link_is_not_kept_in_the_outbox(
    client, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory()
    owner = make_member(organisation)
    login(client, owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("companies:organisation_invite", kwargs={"pk": organisation.pk}),
            {"email": "colleague@pme.be", "role": "member"},
        )
    assert response.status_code == 302

    assert [m.to for m in mail.outbox] == [["colleague@pme.be"]]
    token = re.search(r"/invitations/([\w-]+)/", mail.outbox[0].body).group(1)
    assert Invitation.objects.get().token == invitation_digest(token)
    assert tables_holding(token) == {}
    assert OutgoingEmail.objects.get().body == OutgoingEmail.PURGED


def test_an_ordinary_message_keeps_its_content_once_sent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = services.email_queue(to="julie@pme.be", subject="Accusé", body="Bonjour")

    email.refresh_from_db()
    assert email.sent_at is not None and email.purged_at is None
    assert email.body == "Bonjour"


def test_a_secret_link_waits_in_the_outbox_until_sent_then_is_removed(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="julie@pme.be")
    with mock.patch.object(tasks.send_outgoing_email, "delay", side_effect=BROKER_DOWN):
        reset_password(client, user.email, django_capture_on_commit_callbacks)
    stored = OutgoingEmail.objects.get()
    assert stored.sent_at is None and "/compte/password/reset/key/" in stored.body

    assert services.emails_resend_unsent(older_than=timedelta(0)) == 1

    stored.refresh_from_db()
    assert stored.sent_at is not None and stored.body == OutgoingEmail.PURGED
    assert "/compte/password/reset/key/" in mail.outbox[0].body


def test_the_sweeper_removes_and_gives_up_secret_links_that_outlived_their_lifetime():
    with mock.patch.object(tasks.send_outgoing_email, "delay", side_effect=BROKER_DOWN):
        expired = services.email_queue(
            to="a@pme.be", subject="Reset", body="/reset/key/abc/", sensitive=True
        )
        recent = services.email_queue(
            to="b@pme.be", subject="Reset", body="/reset/key/def/", sensitive=True
        )
        ordinary = services.email_queue(to="c@pme.be", subject="Accusé", body="Bonjour")
    long_ago = timezone.now() - timedelta(days=settings.MAILER_SECRET_LIFETIME_DAYS, minutes=1)
    # Queued (and handed to the broker, which was down) that long ago.
    OutgoingEmail.objects.filter(pk__in=[expired.pk, ordinary.pk]).update(
        created_at=long_ago, dispatched_at=long_ago
    )
    an_hour_ago = timezone.now() - timedelta(hours=1)
    OutgoingEmail.objects.filter(pk=recent.pk).update(
        created_at=an_hour_ago, dispatched_at=an_hour_ago
    )

    tasks.resend_unsent_emails.run()

    for email in (expired, recent, ordinary):
        email.refresh_from_db()
    assert (expired.body, expired.html, expired.sent_at) == (OutgoingEmail.PURGED, "", None)
    assert expired.purged_at is not None
    assert recent.sent_at is not None and ordinary.sent_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == ["b@pme.be", "c@pme.be"]
    # Given up: a purged message is never sent, even asked for by id.
    assert services.email_send(email_id=expired.pk) is False


def test_the_sweeper_waits_for_the_longest_link_lifetime():
    lifetime = timedelta(days=settings.MAILER_SECRET_LIFETIME_DAYS)
    assert lifetime >= INVITATION_VALIDITY
    assert lifetime >= timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    assert lifetime >= timedelta(days=settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS)


def test_the_admin_never_shows_a_message_holding_a_secret_link(client):
    with mock.patch.object(tasks.send_outgoing_email, "delay", side_effect=BROKER_DOWN):
        secret = services.email_queue(
            to="a@pme.be", subject="Reset", body="/reset/key/abc-123/", sensitive=True
        )
        ordinary = services.email_queue(to="c@pme.be", subject="Accusé", body="Bonjour Julie")
    admin = UserFactory(is_staff=True, is_superuser=True)
    login_staff(client, admin)

    shown = client.get(reverse("admin:mailer_outgoingemail_change", args=[ordinary.pk]))
    hidden = client.get(reverse("admin:mailer_outgoingemail_change", args=[secret.pk]))

    assert shown.status_code == 200 and hidden.status_code == 200
    assert "Bonjour Julie" in shown.content.decode()
    assert "abc-123" not in hidden.content.decode()
