from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services


@shared_task
def expire_recognitions() -> int:
    return services.experts_expire(today=timezone.localdate())


@shared_task
def send_renewal_reminders() -> int:
    return services.experts_send_renewal_reminders(today=timezone.localdate())


@shared_task
def import_register_extracts() -> int:
    """Apply the extracts of the enterprise register that KBO_EXTRACTS_DIR holds and the
    register has not seen (companies/services/register.py); nothing when it is not set."""
    if not settings.KBO_EXTRACTS_DIR:
        return 0
    outcomes = services.register_folder_import(folder=Path(settings.KBO_EXTRACTS_DIR))
    return sum(1 for outcome in outcomes if outcome.extract is not None)
