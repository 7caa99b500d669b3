"""Reminders the portal sends on its own (the daily beat task, tasks.send_reminders), each
through adn_portal/accounts/notifications/reminders.py:reminder_send: looked at again under a
lock (never for a file that no longer needs it), claimed once per (kind, thing, due date), told
through the notifications (in the portal, and by e-mail through the outbox as each person
chose, in their language). docs/architecture.md, Notifications and reminders.

- drafts: DRAFT_REMINDER_DAYS (7 and 1) days before their call closes, to the organisation;
- unanswered requests for information: the day before they are due, then every
  INFO_REQUEST_REMINDER_DAYS while unanswered, to the organisation;
- reviews: REVIEW_DUE_DAYS after the assignment to the reviewer who has not submitted a review, then
  REVIEW_ESCALATION_DAYS later to the programme's managers.
Other reminders (a project's milestones) follow the same shape: select, then reminder_send."""

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from adn_portal.accounts.models import NotificationKind
from adn_portal.accounts.notifications.reminders import reminder_send
from adn_portal.accounts.notifications.services import text_for

from .. import notifications, selectors
from ..models import ApplicantMessage, Application, ApplicationEvent, Assignment, Review
from ..workflow import Status
from .reviews import SCORABLE

logger = logging.getLogger(__name__)


def reminders_send(*, now: datetime | None = None) -> dict[str, int]:
    """Every reminder due today. One kind failing does not keep the others from going; the
    run then fails (logged, the worker says so), and the next run retries what is left."""
    now = now or timezone.now()
    sent, failed = {}, []
    for name, remind in REMINDERS.items():
        try:
            sent[name] = remind(now=now)
        except Exception:
            logger.exception("Reminders %s failed; the others went on.", name)
            failed.append(name)
    if failed:
        raise RuntimeError(f"Reminders failed: {', '.join(failed)}")
    return sent


# --- drafts before their call closes ------------------------------------------------------------


def _reminder_days(days_left: int) -> int | None:
    """Which reminder a draft whose call closes in `days_left` days is due: the nearest of
    DRAFT_REMINDER_DAYS at or above it (a draft started 3 days before gets the 7-day one)."""
    fitting = [days for days in sorted(settings.DRAFT_REMINDER_DAYS) if days_left <= days]
    return fitting[0] if fitting else None


def drafts_remind(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = now + timedelta(days=max(settings.DRAFT_REMINDER_DAYS) + 1)
    drafts = (
        Application.objects.filter(
            status=Status.DRAFT, call__closes_at__gt=now, call__closes_at__lte=horizon
        )
        .select_related("call", "programme")
        .order_by("pk")
    )
    sent = 0
    for draft in drafts:
        closes_at = draft.call.closes_at
        days = _reminder_days((timezone.localdate(closes_at) - today).days)
        if days is None:
            continue
        sent += reminder_send(
            kind=f"draft_deadline_{days}",
            target=f"application:{draft.pk}",
            due_on=timezone.localdate(closes_at),
            still_due=_draft_still_due(draft.pk, closes_at=closes_at, now=now),
            send=lambda draft=draft, closes_at=closes_at: notifications.application_notify(
                application=draft,
                recipients=notifications.organisation_members(draft),
                kind=NotificationKind.REMINDER,
                text=gettext_noop(
                    "Your draft application to %(programme)s is not submitted yet: the call "
                    "closes on %(closes)s."
                ),
                params={"programme": draft.programme.name, "closes": closes_at},
                url=draft.get_absolute_url(),
            ),
        )
    return sent


def _draft_still_due(pk: int, *, closes_at: datetime, now: datetime) -> Callable[[], bool]:
    def still_due() -> bool:
        draft = (
            Application.objects.select_for_update(of=("self",))
            .select_related("call")
            .filter(pk=pk)
            .first()
        )
        # Deleted, submitted, or the call's deadline moved (its own reminder will go).
        return (
            draft is not None
            and draft.status == Status.DRAFT
            and draft.call.closes_at == closes_at
            and closes_at > now
        )

    return still_due


# --- unanswered requests for information ---------------------------------------------------------


def information_requests_remind(*, now: datetime | None = None) -> int:
    """The organisation of each unanswered request for information due by tomorrow (or
    overdue), once per INFO_REQUEST_REMINDER_DAYS: the claim is per request and day, and a
    request reminded less than the interval ago is not selected. Returns how many."""
    now = now or timezone.now()
    today, interval = timezone.localdate(now), settings.INFO_REQUEST_REMINDER_DAYS
    sent = 0
    for request in selectors.information_requests_to_remind(today=today, interval_days=interval):
        sent += reminder_send(
            kind="information_request",
            target=f"message:{request.pk}",
            due_on=today,
            still_due=_request_still_due(request.pk, now=now, today=today, interval=interval),
            send=lambda request=request: _request_remind(request, today=today),
        )
    return sent


def _request_still_due(pk: int, *, now: datetime, today: date, interval: int):
    def still_due() -> bool:
        # Answered since it was selected, or reminded by a run beside this one: nothing.
        return bool(
            ApplicantMessage.objects.filter(
                selectors.not_reminded_since(today=today, interval_days=interval),
                pk=pk,
                answered_at__isnull=True,
                application__status=Status.INFO_REQUESTED,
            ).update(reminded_at=now)
        )

    return still_due


def _request_remind(request: ApplicantMessage, *, today: date) -> None:
    application = request.application
    overdue = request.due_date < today
    text = (
        gettext_noop("Reminder: your answer on %(reference)s was due on %(due_date)s.")
        if overdue
        else gettext_noop(
            "Reminder: the AdN is waiting for your answer on %(reference)s by %(due_date)s."
        )
    )
    params = {"due_date": request.due_date}
    notifications.application_notify(
        application=application,
        recipients=notifications.organisation_members(application),
        kind=NotificationKind.REMINDER,
        text=text,
        params=params,
        url=reverse("applications:answer", args=[application.pk]),
    )
    # On the file's timeline, for the applicant and staff: the portal wrote, nobody by hand.
    line = text_for(
        user=application.created_by,
        text=text,
        params={"reference": application.reference, **params},
    )
    ApplicationEvent.objects.create(
        application=application, kind=ApplicationEvent.Kind.MESSAGE, comment=line
    )


# --- reviews overdue ---------------------------------------------------------------------------------


def _unscored():
    return ~Exists(
        Review.objects.submitted().filter(
            application=OuterRef("application"), reviewer=OuterRef("reviewer")
        )
    )


def reviews_remind(*, now: datetime | None = None) -> int:
    """A review is due REVIEW_DUE_DAYS after its assignment: then its reviewer is reminded,
    and REVIEW_ESCALATION_DAYS later the programme's managers, while the reviewer has not
    scored and the file waits for it."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due_days, escalation = settings.REVIEW_DUE_DAYS, settings.REVIEW_ESCALATION_DAYS
    overdue = (
        Assignment.objects.filter(
            _unscored(),
            ended_at__isnull=True,
            application__status__in=sorted(SCORABLE),
            assigned_at__lte=now - timedelta(days=due_days),
        )
        .select_related("application__programme", "reviewer")
        .order_by("pk")
    )
    sent = 0
    for assignment in overdue:
        due_on = timezone.localdate(assignment.assigned_at) + timedelta(days=due_days)
        still_due = _review_still_due(assignment.pk)
        application = assignment.application
        url = reverse("applications:staff_application", args=[application.pk])
        sent += reminder_send(
            kind="review_overdue",
            target=f"assignment:{assignment.pk}",
            due_on=due_on,
            still_due=still_due,
            send=lambda a=assignment, url=url, due_on=due_on: notifications.application_notify(
                application=a.application,
                recipients=[a.reviewer],
                kind=NotificationKind.REMINDER,
                text=gettext_noop("Your review of the file %(reference)s was due on %(due_date)s."),
                params={"due_date": due_on},
                url=url,
            ),
        )
        if today >= due_on + timedelta(days=escalation):
            sent += reminder_send(
                kind="review_overdue_managers",
                target=f"assignment:{assignment.pk}",
                due_on=due_on,
                still_due=still_due,
                send=lambda a=assignment, url=url, due_on=due_on: notifications.application_notify(
                    application=a.application,
                    recipients=notifications.programme_managers(a.application),
                    kind=NotificationKind.REMINDER,
                    text=gettext_noop(
                        "The review of the file %(reference)s is overdue since %(due_date)s "
                        "(its reviewer was reminded)."
                    ),
                    params={"due_date": due_on},
                    url=url,
                ),
            )
    return sent


def _review_still_due(pk: int) -> Callable[[], bool]:
    def still_due() -> bool:
        # Ended (reassigned, a conflict declared), scored, or the file moved on: nothing.
        locked = Assignment.objects.select_for_update(of=("self",)).filter(
            _unscored(),
            pk=pk,
            ended_at__isnull=True,
            application__status__in=sorted(SCORABLE),
        )
        return bool(list(locked.values_list("pk", flat=True)))

    return still_due


REMINDERS: dict[str, Callable[..., int]] = {
    "drafts": drafts_remind,
    "information_requests": information_requests_remind,
    "reviews": reviews_remind,
}
