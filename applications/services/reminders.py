"""Reminders the portal sends on its own (the daily beat task), through the outbox."""

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from adn_portal.mailer.services import email_template_queue

from .. import selectors
from ..models import ApplicantMessage, ApplicationEvent
from ..workflow import Status
from .messages import language_of


def information_requests_remind(*, now: datetime | None = None) -> int:
    """E-mail the applicant of each unanswered request for information due by tomorrow (or
    overdue), in their language, once per INFO_REQUEST_REMINDER_DAYS: a run repeated the
    same day, or at the same time as another, reminds nobody twice. Returns how many."""
    now = now or timezone.now()
    today, interval = timezone.localdate(now), settings.INFO_REQUEST_REMINDER_DAYS
    sent = 0
    for request in selectors.information_requests_to_remind(today=today, interval_days=interval):
        sent += _remind(request, now=now, today=today, interval=interval)
    return sent


def _remind(request: ApplicantMessage, *, now: datetime, today: date, interval: int) -> bool:
    application, applicant = request.application, request.application.created_by
    with transaction.atomic():
        # Claim the reminder: another run that read the same request finds it taken, and an
        # answer that arrived since the read is not reminded.
        claimed = ApplicantMessage.objects.filter(
            selectors.not_reminded_since(today=today, interval_days=interval),
            pk=request.pk,
            answered_at__isnull=True,
            application__status=Status.INFO_REQUESTED,
        ).update(reminded_at=now)
        if not claimed:
            return False
        email = email_template_queue(
            to=applicant.email,
            template="application_info_reminder",
            context={
                "application": application,
                "request": request,
                "overdue": request.due_date < today,
            },
            language=language_of(applicant),
        )
        # On the file's timeline, for the applicant and staff: the portal wrote, nobody by hand.
        ApplicationEvent.objects.create(
            application=application, kind=ApplicationEvent.Kind.MESSAGE, comment=email.subject
        )
    return True
