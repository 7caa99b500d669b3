"""Reminders go once: the claim every reminder of the portal takes (docs/architecture.md,
Notifications and reminders). The reminders themselves (what is due, for whom) are written by
the app that knows the thing: applications/services/reminders.py."""

from collections.abc import Callable
from datetime import date

from django.db import IntegrityError, transaction

from ..models import ReminderClaim


def reminder_claim(*, kind: str, target: str, due_on: date) -> bool:
    """Take the reminder `kind` of `target` for `due_on`, inside the caller's transaction:
    False when it was already taken. A run beside this one that takes the same waits on the
    unique row until this transaction ends, then finds it taken (or free, if this one failed)."""
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction goes on
            ReminderClaim.objects.create(kind=kind, target=target, due_on=due_on)
    except IntegrityError:
        return False
    return True


def reminder_send(
    *,
    kind: str,
    target: str,
    due_on: date,
    still_due: Callable[[], bool],
    send: Callable[[], object],
) -> bool:
    """One reminder, once: in one transaction, `still_due()` looks again at the thing (lock its
    row there: it may have changed since it was selected, and a reminder never goes for a
    thing that no longer needs one), the claim is taken, and `send()` writes the notification
    and queues its e-mail. A worker that dies on the way rolls it all back: the next run
    sends it. Returns whether this call sent it."""
    with transaction.atomic():
        if not still_due():
            return False
        if not reminder_claim(kind=kind, target=target, due_on=due_on):
            return False
        send()
    return True
