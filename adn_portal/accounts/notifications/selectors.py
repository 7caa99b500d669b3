from django.db.models import QuerySet

from ..models import Notification, NotificationKind, NotificationPreference, User
from .services import default_delivery


def notifications_of(user: User) -> QuerySet[Notification]:
    """The person's notifications, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def notification_of(*, user: User, pk: int) -> Notification | None:
    """One of the person's notifications; None for anyone else's."""
    return Notification.objects.filter(recipient=user, pk=pk).first()


def preferences_of(user: User) -> dict[str, str]:
    """{kind: delivery} for every kind, the defaults where the person chose nothing."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind.value: chosen.get(kind.value, default_delivery(kind)) for kind in NotificationKind}
