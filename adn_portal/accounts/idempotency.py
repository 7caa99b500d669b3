"""Idempotency-Key: an unsafe API request repeated with the same key is answered again, never
done twice. The key is bound to the request (method, path and body), reserved in its own
committed row before the action runs (a concurrent duplicate finds it and is told to wait),
and keeps only a successful answer. The API's side is api.py `Idempotent`."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import IdempotencyKey, User

# A reservation still "running" after this long belongs to a request that died (its worker was
# killed: gunicorn's timeout is 30 s): a repeat takes it over. Its transaction was rolled back.
ABANDONED_AFTER = timedelta(minutes=2)


class KeyReused(Exception):
    """The key was used for another request (method, path or body differ)."""


class InProgress(Exception):
    """The first request with this key is still running."""


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: object


def _cutoff(now: datetime) -> datetime:
    return now - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


def idempotency_key_reserve(
    *, user: User, key: str, scope: str, fingerprint: str, now: datetime | None = None
) -> IdempotencyKey | Replay:
    """The reservation to run the action under, or the stored answer to replay. Raises
    KeyReused or InProgress. Commits at once: the duplicate sent a moment later must see it."""
    now = now or timezone.now()
    # Expired keys are forgotten: this user's now, everyone's by the daily purge.
    IdempotencyKey.objects.filter(user=user, created_at__lt=_cutoff(now)).delete()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    user=user, key=key, scope=scope, fingerprint=fingerprint, created_at=now
                )
        except IntegrityError:
            pass  # the key is taken: by this request's twin, or by another request
        stored = IdempotencyKey.objects.filter(user=user, key=key).first()
        if stored is None:
            continue  # released in the meantime: reserve it again
        if (stored.scope, stored.fingerprint) != (scope, fingerprint):
            raise KeyReused
        if stored.status_code is not None:
            return Replay(stored.status_code, stored.body)
        if stored.created_at >= now - ABANDONED_AFTER:
            raise InProgress
        # Abandoned: taken over by whoever updates it first.
        if IdempotencyKey.objects.filter(
            pk=stored.pk, status_code__isnull=True, created_at=stored.created_at
        ).update(created_at=now):
            stored.created_at = now
            return stored
    raise InProgress


def idempotency_key_complete(*, reservation: IdempotencyKey, status_code: int, body) -> None:
    """Keep the successful answer for the repeats."""
    IdempotencyKey.objects.filter(pk=reservation.pk).update(status_code=status_code, body=body)


def idempotency_key_release(*, reservation: IdempotencyKey) -> None:
    """The action did not succeed (and changed nothing): the same key may run it again."""
    IdempotencyKey.objects.filter(pk=reservation.pk, status_code__isnull=True).delete()


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Forget every key older than IDEMPOTENCY_KEY_HOURS (their answers hold personal data)."""
    deleted, _per_model = IdempotencyKey.objects.filter(
        created_at__lt=_cutoff(now or timezone.now())
    ).delete()
    return deleted
