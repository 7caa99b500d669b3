"""The unread badge under concurrent submissions on PostgreSQL (issue 23): notifying writes
notification rows and locks no row of the people told, and the badge is always the count of
their unread rows, whatever arrives or is read at the same moment."""

import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext_noop

from adn_portal.accounts.models import Notification, NotificationKind, User
from adn_portal.accounts.notifications import services as notifications
from applications import services
from applications.models import Application
from tests.auth import login_staff
from tests.fixtures.applicants import DECLARATIONS
from tests.fixtures.staff import staff

from .test_concurrency import race, ready_draft

# serialized_rollback: the data migrations (programmes, staff groups) survive the flushes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def badge(user: User) -> int:
    """What the header shows: the count loaded with the session's user."""
    return User.objects.with_unread_notifications().get(pk=user.pk).unread_notifications


def unread_rows(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def test_submissions_at_once_leave_each_manager_a_badge_equal_to_their_unread_notifications(
    client,
):
    assert connection.vendor == "postgresql"
    reader, *others = [staff("programme manager", "START") for _ in range(3)]
    drafts = [ready_draft() for _ in range(8)]

    # Eight submissions of one programme and, among them, a manager reading everything.
    def act(n: int):
        if n == len(drafts):
            return notifications.notifications_read_all(user=reader)
        return services.application_submit(
            application=Application.objects.get(pk=drafts[n].pk),
            by=drafts[n].created_by,
            declarations=DECLARATIONS,
        )

    results = race(len(drafts) + 1, act)

    assert all(isinstance(r, Application) for r in results[:-1]), results
    for manager in others:
        assert badge(manager) == unread_rows(manager) == len(drafts)
    read_before_some = results[-1]
    assert badge(reader) == unread_rows(reader) == len(drafts) - read_before_some
    login_staff(client, others[0])
    page = client.get(reverse("notifications:list"))
    assert page.status_code == 200
    assert f'id="unread-notifications">{len(drafts)}<' in page.content.decode()


def test_notifying_the_same_people_never_waits_for_another_open_transaction():
    """With a counter on the user row, the second transaction waited for the first's commit
    (here: refused after 2 s); the rows alone are inserted side by side."""
    managers = [staff("programme manager", "START") for _ in range(2)]

    def tell():
        notifications.notification_send(
            recipients=managers,
            kind=NotificationKind.SUBMISSION,
            text=gettext_noop("New file %(reference)s submitted to %(programme)s."),
            params={"reference": "START-2026-0001", "programme": "Start IA"},
            url="/espace-adn/dossiers/1/",
        )

    holding, release = threading.Event(), threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                tell()
                holding.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert holding.wait(timeout=10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            tell()
        # The first is still open: its notifications are not counted yet.
        assert [badge(m) for m in managers] == [1, 1]
    finally:
        release.set()
        thread.join(timeout=10)
    assert [badge(m) for m in managers] == [unread_rows(m) for m in managers] == [2, 2]
