from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def expire_recognitions() -> int:
    return services.experts_expire(today=timezone.localdate())


@shared_task
def send_renewal_reminders() -> int:
    return services.experts_send_renewal_reminders(today=timezone.localdate())
