from celery import shared_task
from django.core.files.base import ContentFile
from django.http import QueryDict
from django.utils import timezone, translation

from . import exports, selectors
from .filters import QueueFilter
from .models import Export


@shared_task(acks_late=True)
def build_export(export_id: int) -> int:
    """Build a queue export with the filters it was asked with. Idempotent: a ready export is
    left alone."""
    export = Export.objects.select_related("requested_by").get(pk=export_id)
    if export.state == Export.State.READY:
        return export.rows
    try:
        params = QueryDict(mutable=True)
        for key, values in export.query.items():
            params.setlist(key, values)
        applications = QueueFilter(
            params,
            queryset=selectors.staff_applications(export.requested_by),
            user=export.requested_by,
        ).qs
        with translation.override(export.requested_by.language):
            header, data = exports.table(
                applications.select_related(
                    "form_version", "expert__organisation", "earlier_application__call"
                ).order_by("submitted_at", "pk")
            )
            content = (
                exports.to_xlsx(header, data)
                if export.format == Export.Format.XLSX
                else exports.to_csv(header, data)
            )
        export.file.save(f"exports/{export.pk}.{export.format}", ContentFile(content), save=False)
        export.rows, export.state, export.finished_at = (
            len(data),
            Export.State.READY,
            timezone.now(),
        )
        export.save(update_fields=["file", "rows", "state", "finished_at"])
    except Exception as error:
        Export.objects.filter(pk=export.pk).update(
            state=Export.State.FAILED, error=repr(error)[:2000], finished_at=timezone.now()
        )
        raise
    return export.rows


@shared_task
def send_reminders() -> dict[str, int]:
    """Drafts before their call closes, unanswered requests for information, overdue reviews:
    each sent once (services/reminders.py)."""
    from .services import reminders_send

    return reminders_send(now=timezone.now())


@shared_task
def remind_milestones() -> int:
    from .services import milestones_remind

    return milestones_remind(now=timezone.now())


@shared_task
def send_follow_up_surveys() -> int:
    from .services import follow_up_surveys_send

    return follow_up_surveys_send(now=timezone.now())


@shared_task
def verify_records() -> bool:
    """Daily: the audit log's and the timelines' chains (applications/records.py)."""
    from adn_portal.accounts.models import RecordCheck

    from .records import records_verify

    return bool(records_verify(trigger=RecordCheck.Trigger.SCHEDULE).intact)
