"""A file's conversation (docs/domain.md, The conversation of a file): who takes part, what each
side reads, and the unread counts. Reads only; the writes are in services/conversation.py.

One conversation per file, between the applicant's organisation and the AdN, with the expert
company of a Start IA file. Its messages are ApplicantMessage rows: the AdN's letters
(acknowledgement, request for information, decision), the applicant's answers, and what any
side writes. Each person has read it up to a message id (ConversationRead); unread are the
messages of the other sides after it."""

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from programs.models import Programme

from .models import ApplicantMessage, Application, ConversationRead, MessageAttachment, Side
from .workflow import OPEN_STATUSES, Status

# The expert company takes part in the conversations of Start IA files, where it delivers the
# diagnostic with the SME. It reads the conversation's messages, not the AdN's letters to the
# applicant nor the applicant's answers to them.
EXPERT_PROGRAMMES = frozenset({Programme.Code.START_IA})
EXPERT_READS = frozenset({ApplicantMessage.Kind.MESSAGE})

# Either side writes while the file is open (a draft has no conversation: nobody at the AdN
# sees it yet).
WRITABLE = OPEN_STATUSES - {Status.DRAFT}

# What a message is to each reader: what staff see of the AdN's side is their colleagues.
MESSAGE_KINDS_FOR = {
    Side.ADN: None,
    Side.APPLICANT: None,
    Side.EXPERT: EXPERT_READS,
}


def expert_takes_part(application: Application) -> bool:
    return (
        application.expert_id is not None
        and application.status != Status.DRAFT
        and application.programme.code in EXPERT_PROGRAMMES
    )


def is_writable(application: Application) -> bool:
    return application.status in WRITABLE


def target(application: Application) -> str:
    """What the conversation's notifications are about: reading it marks them read."""
    return f"application:{application.pk}"


def visible(messages: QuerySet[ApplicantMessage], side: str) -> QuerySet[ApplicantMessage]:
    kinds = MESSAGE_KINDS_FOR[side]
    return messages if kinds is None else messages.filter(kind__in=sorted(kinds))


def _readable(application: Application, side: str) -> QuerySet[ApplicantMessage]:
    """The messages `side` reads, with their authors and documents."""
    return (
        visible(application.messages.all(), side)
        .select_related("sent_by")
        .prefetch_related(
            Prefetch("attachments", queryset=MessageAttachment.objects.order_by("pk"))
        )
    )


def thread(application: Application, side: str) -> list[ApplicantMessage]:
    """The messages `side` reads, oldest first, with their authors and documents (two
    queries whatever the length)."""
    return list(_readable(application, side).order_by("pk"))


def message(application: Application, side: str, pk: int) -> ApplicantMessage | None:
    """One message of the file's conversation that `side` reads (as `thread` lists it);
    None otherwise."""
    return _readable(application, side).filter(pk=pk).first()


def author_label(message: ApplicantMessage, application: Application, reader: str) -> str:
    """Who wrote it, as `reader` is told: staff's names stay within the AdN."""
    from django.utils.translation import gettext as _

    if message.author_side == Side.ADN:
        if reader == Side.ADN and message.sent_by_id:
            return f"{message.sent_by} (AdN)"
        return _("Agence du Numérique")
    person = str(message.sent_by) if message.sent_by_id else ""
    company = (
        application.expert.organisation.name
        if message.author_side == Side.EXPERT and application.expert_id
        else application.organisation.name
    )
    return f"{person} ({company})" if person else company


def _last_read(user) -> Subquery:
    return Subquery(
        ConversationRead.objects.filter(user=user, application=OuterRef("pk")).values("last_read")[
            :1
        ]
    )


def unread_count(*, user, side: str):
    """The other sides' messages `user` has not read in a file, as an expression over the
    file's row (a subquery per row shown, no query of its own)."""
    read = ConversationRead.objects.filter(user=user, application=OuterRef("application")).values(
        "last_read"
    )[:1]
    unread = visible(
        ApplicantMessage.objects.filter(application=OuterRef("pk")).exclude(author_side=side),
        side,
    ).filter(pk__gt=Coalesce(Subquery(read), 0))
    count = unread.order_by().values("application").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(count), 0)


def with_unread(applications: QuerySet[Application], *, user, side: str):
    """Each file annotated with `unread_messages` (`unread_count`) and `last_read`."""
    return applications.annotate(
        unread_messages=unread_count(user=user, side=side),
        last_read=Coalesce(_last_read(user), 0),
    )


def last_read(*, user, application: Application) -> int:
    """The last message id `user` has read in the file's conversation (0: none)."""
    found = ConversationRead.objects.filter(user=user, application=application).values_list(
        "last_read", flat=True
    )
    return next(iter(found), 0)


def new_ids(messages: list[ApplicantMessage], *, side: str, last: int) -> set[int]:
    """The listed messages the reader has not read yet (the other sides', after `last`)."""
    return {m.pk for m in messages if m.pk > last and m.author_side != side}


def expert_applications(user) -> QuerySet[Application]:
    """The submitted files of the programmes where an expert company takes part, whose expert
    company the user belongs to."""
    return (
        Application.objects.filter(
            expert__organisation__memberships__user=user,
            programme__code__in=sorted(EXPERT_PROGRAMMES),
        )
        .exclude(status=Status.DRAFT)
        .select_related("call", "programme", "organisation", "expert__organisation")
        .distinct()
    )


def expert_application(*, user, pk: int) -> Application | None:
    return expert_applications(user).filter(pk=pk).first()


def message_attachment(*, application: Application, side: str, pk: int):
    """A document of a message of this file that `side` reads; None otherwise."""
    found = MessageAttachment.objects.filter(pk=pk, message__application=application)
    kinds = MESSAGE_KINDS_FOR[side]
    if kinds is not None:
        found = found.filter(message__kind__in=sorted(kinds))
    return found.first()
