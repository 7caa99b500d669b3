from celery import shared_task

from .idempotency import idempotency_keys_purge
from .notifications.services import notifications_send_digests


@shared_task
def purge_idempotency_keys() -> int:
    return idempotency_keys_purge()


@shared_task
def send_notification_digests() -> int:
    return notifications_send_digests()
