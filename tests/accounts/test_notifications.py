"""Notifications (adn_portal/accounts/notifications): the one service that tells people, in the
portal and by e-mail as each chose, in their language; reading them; the preferences; the
daily digest."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop
from rest_framework.test import APIClient

from adn_portal.accounts.models import Delivery, Notification, NotificationKind, User
from adn_portal.accounts.notifications import services
from adn_portal.mailer.models import OutgoingEmail
from tests.auth import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEXT = gettext_noop("New message on the file %(reference)s.")


def send(*recipients, kind=NotificationKind.MESSAGE, text=TEXT, **extra):
    return services.notification_send(
        recipients=recipients,
        kind=kind,
        text=text,
        params={"reference": "START-2026-0042", **extra.pop("params", {})},
        url="/dossiers/42/#conversation",
        target="application:42",
        **extra,
    )


def unread(user) -> int:
    """The header's badge as the session loads it; always the count of unread rows."""
    badge = User.objects.with_unread_notifications().get(pk=user.pk).unread_notifications
    assert badge == Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return badge


def test_a_notification_is_listed_counted_and_mailed_at_once_with_a_link_and_no_content():
    julie = UserFactory(language="en")

    send(julie)

    notification = Notification.objects.get(recipient=julie)
    assert notification.delivery == Delivery.IMMEDIATE
    assert unread(julie) == 1
    email = OutgoingEmail.objects.get(to=julie.email)
    assert email.subject == "New message on the file START-2026-0042."
    assert "http://127.0.0.1:8000/dossiers/42/#conversation" in email.body
    assert "/compte/notifications/preferences/" in email.body


def test_the_person_who_acted_and_inactive_accounts_are_not_told():
    actor, gone, other = UserFactory(), UserFactory(is_active=False), UserFactory()

    sent = send(actor, gone, other, actor=actor)

    assert [n.recipient for n in sent] == [other]
    assert unread(actor) == unread(gone) == 0
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [other.email]


def test_each_recipient_reads_the_text_and_dates_in_their_own_language():
    english, german = UserFactory(language="en"), UserFactory(language="de")

    send(
        english,
        german,
        kind=NotificationKind.REMINDER,
        text=gettext_noop("Reminder: your answer on %(reference)s was due on %(due_date)s."),
        params={"due_date": date(2026, 3, 12)},
    )

    assert "12 March 2026" in OutgoingEmail.objects.get(to=english.email).subject
    assert "12. März 2026" in OutgoingEmail.objects.get(to=german.email).subject


def test_a_person_who_chose_the_portal_only_or_the_digest_gets_no_email_at_once():
    portal, digest = UserFactory(), UserFactory()
    services.notification_preferences_save(
        user=portal, choices={NotificationKind.MESSAGE: Delivery.PORTAL}
    )
    services.notification_preferences_save(
        user=digest, choices={NotificationKind.MESSAGE: Delivery.DIGEST}
    )

    send(portal, digest)

    assert not OutgoingEmail.objects.exists()
    assert unread(portal) == unread(digest) == 1
    assert Notification.objects.get(recipient=digest).emailed_at is None


def test_recipients_the_caller_already_mailed_the_whole_letter_get_no_second_email():
    creator, colleague = UserFactory(), UserFactory()

    send(creator, colleague, kind=NotificationKind.DECISION, emailed=[creator])

    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [colleague.email]
    assert unread(creator) == 1
    assert Notification.objects.get(recipient=creator).emailed_at is not None


def test_the_digest_gathers_a_day_once_and_leaves_out_what_was_read(
    django_capture_on_commit_callbacks,
):
    julie = UserFactory(language="en")
    services.notification_preferences_save(
        user=julie, choices={NotificationKind.MESSAGE: Delivery.DIGEST}
    )
    first, read, second = (
        send(julie)[0],
        send(julie)[0],
        send(julie, params={"reference": "CAP-2026-0001"})[0],
    )
    services.notification_read(notification=read, user=julie)

    assert services.notifications_send_digests() == 1
    assert services.notifications_send_digests() == 0  # run again: nothing twice

    digest = OutgoingEmail.objects.get(to=julie.email)
    assert digest.subject.startswith("Your ADN Portal notifications of")
    assert digest.body.count("START-2026-0042") == 1 and "CAP-2026-0001" in digest.body
    assert not Notification.objects.filter(recipient=julie, emailed_at__isnull=True).exists()
    assert {first.pk, second.pk} <= set(Notification.objects.values_list("pk", flat=True))


def test_reading_one_all_or_a_page_keeps_the_count_right():
    julie = UserFactory()
    one, _two, _three = send(julie)[0], send(julie)[0], send(julie)[0]
    other_page = services.notification_send(
        recipients=[julie],
        kind=NotificationKind.MESSAGE,
        text=TEXT,
        url="/x/",
        target="application:7",
    )[0]

    assert services.notification_read(notification=one, user=julie) is True
    assert services.notification_read(notification=one, user=julie) is False  # once
    assert unread(julie) == 3
    assert services.notifications_read_target(user=julie, target="application:42") == 2
    assert unread(julie) == 1
    assert services.notifications_read_all(user=julie) == 1
    assert unread(julie) == 0
    assert Notification.objects.get(pk=other_page.pk).read_at is not None


def test_the_header_shows_the_unread_count_without_a_query_of_its_own(
    client, django_assert_num_queries
):
    julie = UserFactory()
    send(julie)
    send(julie)
    login(client, julie)

    with django_assert_num_queries(2):  # session, user with its unread count
        page = client.get(reverse("profile"))
    assert page.status_code == 200
    assert 'id="unread-notifications">2<' in page.content.decode()


@pytest.mark.parametrize(
    "backend",
    [
        "adn_portal.accounts.backends.ModelBackend",  # the log-in form
        "adn_portal.accounts.backends.AuthenticationBackend",  # sessions allauth opens itself
    ],
)
def test_every_session_loads_its_user_with_the_unread_count(
    client, django_assert_num_queries, backend
):
    julie = UserFactory()
    send(julie)
    services.notification_read(notification=send(julie)[0], user=julie)
    client.force_login(julie, backend=backend)

    with django_assert_num_queries(2):  # session, user with its unread count
        page = client.get(reverse("profile"))
    assert page.status_code == 200
    assert 'id="unread-notifications">1<' in page.content.decode()


@pytest.mark.parametrize("count", [2, 40])
def test_the_notification_list_is_constant_in_queries(client, django_assert_num_queries, count):
    julie = UserFactory()
    for _ in range(count):
        send(julie)
    login(client, julie)

    # session, user (with their roles: a staff member's list waits for the second factor), a
    # page of notifications with the total
    with django_assert_num_queries(3):
        page = client.get(reverse("notifications:list"))
    assert page.status_code == 200
    assert len(page.context["rows"]) == min(count, 30)
    assert "Nouveau message" in page.content.decode() or "New message" in page.content.decode()


def test_following_a_notification_reads_it_and_lands_on_its_page_only_on_this_site(client):
    julie, other = UserFactory(), UserFactory()
    mine = send(julie)[0]
    theirs = send(other)[0]
    elsewhere = services.notification_send(
        recipients=[julie], kind=NotificationKind.MESSAGE, text=TEXT, url="//evil.example/"
    )[0]
    login(client, julie)

    response = client.get(reverse("notifications:open", args=[mine.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/dossiers/42/#conversation"
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert client.get(reverse("notifications:open", args=[elsewhere.pk]))["Location"] == "/"


def test_mark_all_as_read_on_the_page_and_through_the_api_alike(client):
    julie = UserFactory()
    send(julie), send(julie)
    login(client, julie)

    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert unread(julie) == 0

    send(julie)
    api = APIClient()
    api.force_authenticate(User.objects.get(pk=julie.pk))
    assert api.post("/api/v1/me/notifications/read-all/").status_code == 204
    assert unread(julie) == 0


def test_the_api_lists_the_callers_notifications_in_their_language_and_reads_one():
    julie, other = UserFactory(), UserFactory()
    mine = send(julie)[0]
    theirs = send(other)[0]
    api = APIClient()
    api.force_authenticate(julie)

    listed = api.get("/api/v1/me/notifications/", HTTP_ACCEPT_LANGUAGE="en")
    assert listed.status_code == 200
    assert [n["id"] for n in listed.json()["results"]] == [mine.pk]
    assert listed.json()["results"][0]["text"] == "New message on the file START-2026-0042."
    assert api.post(f"/api/v1/me/notifications/{theirs.pk}/read/").status_code == 404
    assert api.post(f"/api/v1/me/notifications/{mine.pk}/read/").status_code == 204
    assert Notification.objects.get(pk=mine.pk).read_at is not None


def test_preferences_are_chosen_per_kind_on_the_page_and_through_the_api_alike(client):
    julie = UserFactory()
    login(client, julie)

    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    assert page.context["form"]["submission"].initial == Delivery.DIGEST  # the kind's default

    response = client.post(
        reverse("notifications:preferences"),
        {"message": "digest", "reminder": "portal", "decision": "immediate"},
    )
    assert response.status_code == 302
    refused = client.post(reverse("notifications:preferences"), {"message": "pigeon"})
    assert refused.status_code == 400
    assert "message" in refused.context["form"].errors

    api = APIClient()
    api.force_authenticate(julie)
    assert api.get("/api/v1/me/notification-preferences/").json()["message"] == "digest"
    answer = api.put("/api/v1/me/notification-preferences/", {"message": "pigeon"}, format="json")
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["message"]
    answer = api.put("/api/v1/me/notification-preferences/", {"message": "portal"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["message"] == "portal" and answer.json()["reminder"] == "portal"


def test_old_read_notifications_are_forgotten_unread_ones_kept(settings):
    settings.NOTIFICATION_RETENTION_DAYS = 30
    julie = UserFactory()
    old_read, old_unread = send(julie)[0], send(julie)[0]
    services.notification_read(notification=old_read, user=julie)
    Notification.objects.update(created_at=timezone.now() - timedelta(days=31))

    services.notifications_send_digests()

    assert list(Notification.objects.values_list("pk", flat=True)) == [old_unread.pk]
