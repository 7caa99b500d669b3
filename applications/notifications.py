"""Who hears of what happens to a file (docs/domain.md, Notifications), through the portal's one
notification service (adn_portal/accounts/notifications/services.py: in the portal, and by
e-mail as each person chose, in their language, with a link and no more than the reference).

- a new submission: the programme's managers; the expert company of a Start IA file;
- an assignment: the reviewer, or the expert company;
- a message, an answered request for information: the staff following the file (its reviewer
  and the staff who wrote in its conversation; its programme's managers while nobody does);
- the AdN's letters (acknowledgement, request for information, decision), a message, a
  payment: the applicant's organisation's members; a message: the expert company too.

Texts are English message ids (gettext_noop), translated for each reader. Other parts of
applications call `application_notify` with one of these lists of people."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_noop

from adn_portal.accounts.models import NotificationKind, User
from adn_portal.accounts.notifications.services import notification_send
from adn_portal.accounts.roles import Role

from . import conversation
from .models import ApplicantMessage, Application, Assignment, Side


def application_notify(
    *,
    application: Application,
    recipients: Iterable[User],
    kind: NotificationKind,
    text: str,
    url: str,
    params: dict | None = None,
    actor: User | None = None,
    emailed: Iterable[User] = (),
):
    """notification_send about a file: `%(reference)s` is the file's reference in `text`, and
    reading the file's conversation marks its message notifications read."""
    return notification_send(
        recipients=recipients,
        kind=kind,
        text=text,
        params={"reference": application.reference or "", **(params or {})},
        url=url,
        target=conversation.target(application),
        actor=actor,
        emailed=emailed,
    )


# --- who -------------------------------------------------------------------------------------


def organisation_members(application: Application) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__organisation_id=application.organisation_id
    ).distinct()


def expert_members(application: Application) -> QuerySet[User]:
    """The members of the file's expert company, when it takes part in the conversation."""
    if not conversation.expert_takes_part(application):
        return User.objects.none()
    return User.objects.filter(
        is_active=True, memberships__organisation__expert=application.expert_id
    ).distinct()


def _staff_on(application: Application) -> QuerySet[User]:
    """Active staff who work on the file's programme, without a declared conflict of interest
    with its organisation (applications/guards.py, staff_refusal, in SQL)."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(groups__name=Role.ADMINISTRATOR)
            | Q(
                groups__name__in=[Role.REVIEWER, Role.PROGRAMME_MANAGER],
                programme_roles__programme_id=application.programme_id,
            )
        )
        .exclude(conflicts_of_interest__organisation_id=application.organisation_id)
        .distinct()
    )


def programme_managers(application: Application) -> QuerySet[User]:
    return User.objects.filter(
        pk__in=_staff_on(application).filter(
            groups__name=Role.PROGRAMME_MANAGER,
            programme_roles__programme_id=application.programme_id,
        )
    )


def staff_following(application: Application) -> QuerySet[User]:
    """The file's current reviewer and the staff who wrote in its conversation; while there
    are none, its programme's managers (a message never goes unheard)."""
    reviewer = Assignment.objects.filter(application=application, ended_at__isnull=True).values(
        "reviewer_id"
    )
    writers = ApplicantMessage.objects.filter(
        application=application, author_side=Side.ADN, sent_by__isnull=False
    ).values("sent_by_id")
    following = _staff_on(application).filter(Q(pk__in=reviewer) | Q(pk__in=writers))
    return following if following.exists() else programme_managers(application)


# --- where they read it ------------------------------------------------------------------------


def page_for(application: Application, side: str) -> str:
    """The conversation's page for each side."""
    if side == Side.ADN:
        return reverse("applications:staff_conversation", args=[application.pk])
    if side == Side.EXPERT:
        return reverse("applications:expert_conversation", args=[application.pk])
    return f"{application.get_absolute_url()}#conversation"


# --- what happened ------------------------------------------------------------------------------


def submitted(application: Application, *, by: User) -> None:
    application_notify(
        application=application,
        recipients=programme_managers(application),
        kind=NotificationKind.SUBMISSION,
        text=gettext_noop("New file %(reference)s submitted to %(programme)s."),
        params={"programme": application.programme.name},
        url=reverse("applications:staff_application", args=[application.pk]),
        actor=by,
    )
    expert_named(application, by=by)


def expert_named(application: Application, *, by: User) -> None:
    """The expert company chosen by the applicant (at submission) or by a manager."""
    application_notify(
        application=application,
        recipients=expert_members(application),
        kind=NotificationKind.ASSIGNMENT,
        text=gettext_noop("Your company is the expert of the file %(reference)s."),
        url=page_for(application, Side.EXPERT),
        actor=by,
    )


def reviewer_assigned(assignment: Assignment, *, by: User) -> None:
    application = assignment.application
    application_notify(
        application=application,
        recipients=[assignment.reviewer],
        kind=NotificationKind.ASSIGNMENT,
        text=gettext_noop("You are the reviewer of the file %(reference)s."),
        url=reverse("applications:staff_application", args=[application.pk]),
        actor=by,
    )


def message_posted(message: ApplicantMessage) -> None:
    """A message of the conversation: every other side that reads it."""
    application = message.application
    text = gettext_noop("New message on the file %(reference)s.")
    audiences = {
        Side.ADN: staff_following(application),
        Side.APPLICANT: organisation_members(application),
        Side.EXPERT: expert_members(application),
    }
    for side, people in audiences.items():
        kinds = conversation.MESSAGE_KINDS_FOR[side]
        if side == message.author_side or (kinds is not None and message.kind not in kinds):
            continue
        application_notify(
            application=application,
            recipients=people,
            kind=NotificationKind.MESSAGE,
            text=text,
            url=page_for(application, side),
            actor=message.sent_by,
        )


def information_answered(application: Application, *, by: User) -> None:
    application_notify(
        application=application,
        recipients=staff_following(application),
        kind=NotificationKind.INFORMATION_ANSWERED,
        text=gettext_noop("The applicant answered the request for information on %(reference)s."),
        url=page_for(application, Side.ADN),
        actor=by,
    )


LETTERS = {
    ApplicantMessage.Kind.ACKNOWLEDGEMENT: (
        NotificationKind.MESSAGE,
        gettext_noop("The file %(reference)s is submitted: the AdN acknowledges it."),
    ),
    ApplicantMessage.Kind.INFO_REQUEST: (
        NotificationKind.MESSAGE,
        gettext_noop("The AdN asks for information on the file %(reference)s."),
    ),
    ApplicantMessage.Kind.DECISION: (
        NotificationKind.DECISION,
        gettext_noop("The AdN took a decision on the file %(reference)s."),
    ),
}


def letter_sent(message: ApplicantMessage, *, to: User) -> None:
    """One of the AdN's letters: e-mailed whole to `to` (who submitted the file), told to the
    organisation's other members as they chose."""
    kind, text = LETTERS.get(
        message.kind,
        (NotificationKind.MESSAGE, gettext_noop("New message on the file %(reference)s.")),
    )
    application_notify(
        application=message.application,
        recipients=organisation_members(message.application),
        kind=kind,
        text=text,
        url=page_for(message.application, Side.APPLICANT),
        actor=message.sent_by,
        emailed=[to],
    )
