"""Writing in a file's conversation (docs/domain.md, The conversation of a file), and reading
it: a message from any side with an optional document, and each person's read marker."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adn_portal.accounts.models import NotificationKind, User
from adn_portal.accounts.notifications.services import notifications_read_target
from companies.selectors import is_member

from .. import conversation, guards, notifications, uploads
from ..models import ApplicantMessage, Application, ConversationRead, MessageAttachment, Side
from .core import ApplicationError

# What reading the conversation answers: its messages, letters and answers.
READ_WITH_THE_CONVERSATION = (
    NotificationKind.MESSAGE,
    NotificationKind.DECISION,
    NotificationKind.INFORMATION_ANSWERED,
)


def _refusal(application: Application, by: User, side: str) -> str | None:
    """Why `by` may not write on this side of the file's conversation, or None."""
    if side == Side.ADN:
        return guards.staff_refusal(by, application)
    if side == Side.APPLICANT:
        if is_member(by, application.organisation):
            return None
        return _("You do not act for this organisation.")
    if conversation.expert_takes_part(application) and is_member(
        by, application.expert.organisation
    ):
        return None
    return _("Your company does not take part in this file's conversation.")


def message_post(
    *, application: Application, by: User, side: str, body: str, upload=None
) -> ApplicantMessage:
    """Write in the file's conversation as `side`, while the file is open, with at most one
    checked document. The other sides are told (applications/notifications.py); the writer's
    own conversation stays read. Refused whole: no message without its document."""
    refusal = _refusal(application, by, side)
    if refusal:
        raise ApplicationError(refusal)
    body = body.strip()
    if not body:
        raise ApplicationError(_("Write your message."))
    checked = uploads.check_upload(upload) if upload is not None else None
    stored = None
    if checked is not None:
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        attachment = MessageAttachment(
            original_name=checked.safe_name,
            content_type=checked.mime,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=by,
        )
        attachment.file.save(checked.stored_name, upload, save=False)
        stored = (attachment.file.storage, attachment.file.name)
    try:
        with transaction.atomic():
            # Lock the file: its status is read once for the message, and the limits below
            # count under the lock (two posts at once do not both pass them).
            locked = (
                Application.objects.select_for_update(of=("self",))
                .select_related("programme", "organisation", "expert__organisation")
                .get(pk=application.pk)
            )
            if not conversation.is_writable(locked):
                raise ApplicationError(_("This file is closed: its conversation is read only."))
            _check_limits(locked, by, with_document=checked is not None)
            message = ApplicantMessage.objects.create(
                application=locked,
                kind=ApplicantMessage.Kind.MESSAGE,
                body=body,
                sent_by=by,
                author_side=side,
            )
            if checked is not None:
                attachment.message = message
                attachment.save()
            _mark_read(user=by, application=locked, up_to=message.pk)
            notifications.message_posted(message)
    except Exception:
        if stored:  # no stored document without its message
            storage, name = stored
            storage.delete(name)
        raise
    return message


def _check_limits(application: Application, by: User, *, with_document: bool) -> None:
    hour_ago = timezone.now() - timedelta(hours=1)
    recent = application.messages.filter(sent_by=by, created_at__gte=hour_ago).count()
    if recent >= settings.MESSAGES_PER_PERSON_PER_HOUR:
        raise ApplicationError(
            _("You sent %(count)s messages on this file in the last hour: wait a little.")
            % {"count": recent}
        )
    if with_document:
        documents = MessageAttachment.objects.filter(message__application=application).count()
        if documents >= settings.MESSAGE_DOCUMENTS_MAX_PER_FILE:
            raise ValidationError(
                _("This conversation holds %(max)s documents at most.")
                % {"max": settings.MESSAGE_DOCUMENTS_MAX_PER_FILE},
                code="too_many",
            )


def _mark_read(*, user: User, application: Application, up_to: int) -> None:
    # One upsert; a later id never goes back to an earlier one.
    ConversationRead.objects.bulk_create(
        [
            ConversationRead(
                user=user, application=application, last_read=up_to, read_at=timezone.now()
            )
        ],
        update_conflicts=True,
        unique_fields=["user", "application"],
        update_fields=["last_read", "read_at"],
    )


def conversation_read(*, application: Application, user: User, up_to: int, last: int) -> None:
    """`user` has read the conversation up to the message `up_to` (they had read up to `last`):
    their marker moves on, and the notifications it answers are read. Nothing is written when
    nothing is new."""
    if up_to <= last:
        return
    with transaction.atomic(savepoint=False):
        _mark_read(user=user, application=application, up_to=up_to)
        notifications_read_target(
            user=user,
            target=conversation.target(application),
            kinds=READ_WITH_THE_CONVERSATION,
        )
