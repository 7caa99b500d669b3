"""Writing notifications: the one way to tell people something (notification_send), marking
them read, the preferences, and the daily digest. Every e-mail leaves through the outbox."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from adn_portal.mailer.services import email_template_queue

from ..models import Delivery, Notification, NotificationKind, NotificationPreference, User

# How a kind reaches a person who chose nothing. New submissions come in numbers: a digest.
DEFAULT_DELIVERY = {
    NotificationKind.SUBMISSION: Delivery.DIGEST,
}
LANGUAGES = {code for code, _name in settings.LANGUAGES}


def language_of(user: User) -> str:
    return user.language if user.language in LANGUAGES else settings.LANGUAGE_CODE


def default_delivery(kind: str) -> str:
    return DEFAULT_DELIVERY.get(kind, Delivery.IMMEDIATE)


def deliveries(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """How each person wants this kind: their choice, else the kind's default."""
    ids = list(user_ids)
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    return {pk: chosen.get(pk, default_delivery(kind)) for pk in ids}


# --- the text ------------------------------------------------------------------------------------


def _stored(value):
    """A parameter as JSON keeps it: dates and times are formatted when read, in the reader's
    language (and the portal's time zone)."""
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    return value


def _shown(value) -> str:
    try:
        if isinstance(value, dict) and "datetime" in value:
            moment = timezone.localtime(datetime.fromisoformat(value["datetime"]))
            return date_format(moment, "DATETIME_FORMAT")
        if isinstance(value, dict) and "date" in value:
            return date_format(date.fromisoformat(value["date"]), "DATE_FORMAT")
    except (TypeError, ValueError):
        return ""
    if isinstance(value, dict) and "text" in value:  # a label, translated when read
        return gettext(str(value["text"]))
    return str(value)


def render_text(text: str, params: dict) -> str:
    """The notification's sentence in the active language."""
    values = {name: _shown(value) for name, value in (params or {}).items()}
    try:
        return gettext(text) % values
    except (KeyError, ValueError, TypeError):  # a text changed since it was stored
        return gettext(text)


def notification_text(notification: Notification) -> str:
    return render_text(notification.text, notification.params)


def text_for(*, user: User, text: str, params: dict) -> str:
    """The sentence as `user` reads it (their language), before it is stored."""
    with translation.override(language_of(user)):
        return render_text(text, {name: _stored(value) for name, value in params.items()})


# --- sending ------------------------------------------------------------------------------------


def notification_send(
    *,
    recipients: Iterable[User],
    kind: NotificationKind,
    text: str,
    url: str,
    params: dict | None = None,
    target: str = "",
    actor: User | None = None,
    emailed: Iterable[User] = (),
) -> list[Notification]:
    """Tell `recipients` (never `actor`, who caused it; nor inactive accounts) in the portal,
    and by e-mail in their language as each chose for this kind: at once (queued in the
    outbox in this transaction), in the daily digest, or not at all.

    `text` is an English message id marked with gettext_noop ("New message on %(reference)s"),
    `params` its values (dates are shown in the reader's format; {"text": msgid} is translated
    too); `url` the path of the page it is about, which every e-mail links to instead of
    carrying the content; `target` what it is about, so that reading that page marks it read.
    `emailed`: recipients the caller has already e-mailed the whole message (a decision's
    letter): their notification is in the portal only."""
    people = {user.pk: user for user in recipients if user.is_active}
    if actor is not None:
        people.pop(actor.pk, None)
    if not people:
        return []
    chosen = deliveries(people, kind)
    already = {user.pk for user in emailed}
    stored = {name: _stored(value) for name, value in (params or {}).items()}
    now = timezone.now()
    notifications = [
        Notification(
            recipient=user,
            kind=kind,
            text=text,
            params=stored,
            url=url,
            target=target,
            delivery=chosen[pk],
            created_at=now,
            emailed_at=now if chosen[pk] == Delivery.IMMEDIATE or pk in already else None,
        )
        for pk, user in people.items()
    ]
    # Inserts only: no row of the recipients is locked (their unread count is counted from
    # these rows), so callers notifying the same people at once never wait for each other.
    with transaction.atomic(savepoint=False):  # a caller's transaction: no savepoint needed
        Notification.objects.bulk_create(notifications)
        for notification in notifications:
            if notification.delivery == Delivery.IMMEDIATE and notification.recipient_id not in (
                already
            ):
                _email_one(notification)
    return notifications


def _links(url: str) -> dict:
    return {
        "url": f"{settings.SITE_URL}{url}",
        "preferences_url": f"{settings.SITE_URL}{reverse('notifications:preferences')}",
    }


def _email_one(notification: Notification) -> None:
    user = notification.recipient
    language = language_of(user)
    with translation.override(language):
        text = notification_text(notification)
    # The sentence and the link only: what it is about is read on the page, signed in.
    email_template_queue(
        to=user.email,
        template="notification",
        context={"text": text, **_links(notification.url)},
        language=language,
    )


# --- reading --------------------------------------------------------------------------------------


def notification_read(*, notification: Notification, user: User) -> bool:
    """Mark one of the user's notifications read (once: a second call changes nothing)."""
    done = Notification.objects.filter(
        pk=notification.pk, recipient=user, read_at__isnull=True
    ).update(read_at=timezone.now())
    user.notifications_were_read(done)
    return bool(done)


def notifications_read_all(*, user: User) -> int:
    done = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    user.notifications_were_read(done)
    return done


def notifications_read_target(*, user: User, target: str, kinds: Iterable[str] = ()) -> int:
    """The person has read the page `target` names: its notifications (of `kinds`, or all)
    are read too."""
    unread = Notification.objects.filter(recipient=user, target=target, read_at__isnull=True)
    if kinds:
        unread = unread.filter(kind__in=list(kinds))
    done = unread.update(read_at=timezone.now())
    user.notifications_were_read(done)
    return done


# --- preferences ------------------------------------------------------------------------------------


def notification_preferences_save(*, user: User, choices: dict[str, str]) -> None:
    """Store how the person wants each kind ({kind: delivery}); kinds left out keep theirs."""
    with transaction.atomic():
        for kind, delivery in choices.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=NotificationKind(kind), defaults={"delivery": Delivery(delivery)}
            )


# --- the daily digest --------------------------------------------------------------------------------


def notifications_send_digests(*, now: datetime | None = None) -> int:
    """One e-mail per person with the notifications they chose to receive as a digest, not yet
    digested nor read. Each person's digest is one transaction that claims its rows: a run
    repeated, or running beside another, mails nobody twice; a run that dies mails the rest
    next time. Returns how many digests were queued. Also forgets old read notifications."""
    now = now or timezone.now()
    pending = Notification.objects.filter(
        delivery=Delivery.DIGEST, emailed_at__isnull=True, created_at__lte=now
    )
    people = pending.order_by().values_list("recipient_id", flat=True).distinct()
    sent = sum(_digest(user_id, now=now) for user_id in list(people))
    notifications_purge_old(now=now)
    return sent


def _digest(user_id: int, *, now: datetime) -> bool:
    with transaction.atomic():
        # The person first: a run beside this one waits here until this digest is committed,
        # then finds the rows emailed. Rows alone (skip locked) let two runs that met on the
        # rows at the same instant share them out, and the person got two digests. No key
        # lock: notifications for this person are still inserted meanwhile.
        if not User.objects.select_for_update(no_key=True).filter(pk=user_id).exists():
            return False
        # A row locked elsewhere (being marked read) is skipped: the next digest takes it.
        claimed = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                recipient_id=user_id,
                delivery=Delivery.DIGEST,
                emailed_at__isnull=True,
                created_at__lte=now,
            )
            .select_related("recipient")
            .order_by("created_at", "pk")
        )
        if not claimed:
            return False
        Notification.objects.filter(pk__in=[n.pk for n in claimed]).update(emailed_at=now)
        unread = [n for n in claimed if n.read_at is None]  # read meanwhile: nothing to say
        user = claimed[0].recipient
        if not unread or not user.is_active:
            return False
        language = language_of(user)
        with translation.override(language):
            lines = [
                {"text": notification_text(n), "url": f"{settings.SITE_URL}{n.url}"} for n in unread
            ]
        email_template_queue(
            to=user.email,
            template="notification_digest",
            context={
                "lines": lines,
                "day": timezone.localdate(now),
                **_links(reverse("notifications:list")),
            },
            language=language,
        )
    return True


def notifications_purge_old(*, now: datetime) -> int:
    """Read notifications are kept NOTIFICATION_RETENTION_DAYS, then forgotten."""
    cutoff = now - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    deleted, _per_model = Notification.objects.filter(
        read_at__isnull=False, created_at__lt=cutoff
    ).delete()
    return deleted
