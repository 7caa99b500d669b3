"""What AdN staff do with files: assign, decide, note, follow up, export (reviews:
services/reviews.py)."""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from adn_portal.accounts.models import User
from adn_portal.accounts.permissions import MANAGERS, has_role
from adn_portal.accounts.roles import Role
from companies.models import Expert

from .. import notifications
from ..guards import staff_refusal
from ..models import (
    ApplicantMessage,
    Application,
    ApplicationEvent,
    Assignment,
    ConflictOfInterest,
    Export,
)
from ..workflow import ASSIGNABLE_STATUSES, DECISIONS, OPEN_STATUSES, Actor, Status
from .agreements import agreement_draft
from .core import ApplicationError, application_transition
from .messages import applicant_message_send, programme_message


def staff_actor(user: User) -> Actor:
    return Actor.MANAGER if has_role(user, *MANAGERS) else Actor.REVIEWER


def _require_staff(user: User, application: Application, *, manager: bool = False) -> None:
    """Every staff action's guard (guards.staff_refusal): the file's programme, the manager's
    role where needed, no declared conflict of interest with the file's organisation."""
    refusal = staff_refusal(user, application, manager=manager)
    if refusal:
        raise ApplicationError(refusal)


def _event(application: Application, kind: str, by: User, comment: str = "") -> None:
    ApplicationEvent.objects.create(
        application=application, kind=kind, by=by, comment=comment, visible_to_applicant=False
    )


# --- assignment ------------------------------------------------------------------------------


def reviewers_of(programme_id: int):
    return User.objects.filter(
        is_active=True, groups__name=Role.REVIEWER, programme_roles__programme_id=programme_id
    ).distinct()


def application_assign(*, application: Application, reviewer: User, by: User) -> Assignment:
    """Make `reviewer` responsible for the file; the previous assignment is closed, kept."""
    _require_staff(by, application, manager=True)
    if not reviewers_of(application.programme_id).filter(pk=reviewer.pk).exists():
        raise ApplicationError(
            _("%(name)s is not a reviewer of this programme.") % {"name": reviewer}
        )
    if ConflictOfInterest.objects.filter(
        reviewer=reviewer, organisation_id=application.organisation_id
    ).exists():
        raise ApplicationError(
            _("%(name)s declared a conflict of interest with %(organisation)s.")
            % {"name": reviewer, "organisation": application.organisation}
        )
    with transaction.atomic():
        locked = Application.objects.select_for_update().only("status").get(pk=application.pk)
        if locked.status not in ASSIGNABLE_STATUSES:
            raise ApplicationError(
                _(
                    "A reviewer can only be made responsible for a submitted file that is still open."
                )
            )
        current = Assignment.objects.filter(application=application, ended_at__isnull=True).first()
        if current and current.reviewer_id == reviewer.pk:
            return current
        if current:
            current.ended_at = timezone.now()
            current.save(update_fields=["ended_at"])
        assignment = Assignment.objects.create(
            application=application, reviewer=reviewer, assigned_by=by
        )
        _event(application, ApplicationEvent.Kind.ASSIGNMENT, by, str(reviewer))
        notifications.reviewer_assigned(assignment, by=by)
    return assignment


def applications_auto_assign(*, applications, by: User) -> dict[int, User]:
    """Give each unassigned file to the programme's reviewer with the fewest open files
    (skipping conflicts of interest). Returns {file id: reviewer}."""
    done: dict[int, User] = {}
    assignable = applications.filter(status__in=sorted(ASSIGNABLE_STATUSES))
    for application in assignable.select_related("organisation"):
        if Assignment.objects.filter(application=application, ended_at__isnull=True).exists():
            continue
        loads = (
            reviewers_of(application.programme_id)
            .exclude(conflicts_of_interest__organisation_id=application.organisation_id)
            .annotate(
                load=Count(
                    "assignments",
                    filter=Q(
                        assignments__ended_at__isnull=True,
                        assignments__application__status__in=sorted(OPEN_STATUSES),
                    ),
                )
            )
            .order_by("load", "pk")
        )
        reviewer = loads.first()
        if reviewer is None:
            continue
        application_assign(application=application, reviewer=reviewer, by=by)
        done[application.pk] = reviewer
    return done


def application_assign_expert(*, application: Application, expert: Expert, by: User) -> Application:
    """Where the applicant let the AdN choose, a manager picks a recognised expert."""
    _require_staff(by, application, manager=True)
    if not expert.is_listed_on(timezone.localdate()):
        raise ApplicationError(_("This expert is not recognised at the moment."))
    with transaction.atomic():
        Application.objects.filter(pk=application.pk).update(
            expert=expert, updated_at=timezone.now()
        )
        ApplicationEvent.objects.create(
            application=application, kind=ApplicationEvent.Kind.EXPERT, by=by, comment=str(expert)
        )
        application.refresh_from_db()
        notifications.expert_named(application, by=by)
    return application


def conflict_declare(*, reviewer: User, organisation, reason: str = "") -> ConflictOfInterest:
    conflict, _created = ConflictOfInterest.objects.get_or_create(
        reviewer=reviewer, organisation=organisation, defaults={"reason": reason}
    )
    # A file already given to this reviewer goes back to the pool.
    Assignment.objects.filter(
        reviewer=reviewer, application__organisation=organisation, ended_at__isnull=True
    ).update(ended_at=timezone.now())
    return conflict


def conflicts_withdraw(*, conflicts) -> None:
    """Take back declarations made by mistake: the organisation's files are the reviewer's to
    handle again, and the scores they gave count again (assignments ended stay ended)."""
    ConflictOfInterest.objects.filter(pk__in=[c.pk for c in conflicts]).delete()


# --- decisions and messages ------------------------------------------------------------------


def application_decide(
    *,
    application: Application,
    decision: Status,
    by: User,
    comment: str = "",
    expected_status: Status | None = None,
) -> Application:
    """A programme manager selects, wait-lists, rejects or declares ineligible; the applicant
    gets the templated message. Two managers deciding at once: one wins, the other is told
    the file changed (the row lock plus `expected_status`)."""
    if decision not in DECISIONS:
        raise ApplicationError(_("Unknown decision."))
    _require_staff(by, application, manager=True)
    with transaction.atomic():
        application = application_transition(
            application=application,
            to=decision,
            by=by,
            actor=Actor.MANAGER,
            comment=comment,
            expected_status=expected_status,
        )
        if decision == Status.SELECTED:
            # docs/domain.md, After selection: the agreement is drafted on selection.
            agreement_draft(application=application, by=by)
        subject, body = programme_message(
            application=application, kind=decision, comment=comment, to=application.created_by
        )
        applicant_message_send(
            application=application,
            to=application.created_by,
            kind=ApplicantMessage.Kind.DECISION,
            subject=subject,
            body=body,
            sent_by=by,
        )
    application.refresh_from_db()
    return application


def application_decision_preview(
    *, application: Application, decision: Status, by: User, comment: str = ""
) -> tuple[str, str]:
    """(subject, body) of the message the applicant will get with this decision, in their
    language: shown to the manager before they confirm it (pages and API)."""
    if decision not in DECISIONS:
        raise ApplicationError(_("Unknown decision."))
    _require_staff(by, application, manager=True)
    return programme_message(
        application=application, kind=decision, comment=comment, to=application.created_by
    )


def applications_decide_batch(
    *, applications, decision: Status, by: User, comment: str = ""
) -> dict[str, list]:
    """The same decision on several files, each in its own transaction: one refusal does
    not undo the others. Returns {"done": [references], "refused": [(reference, reason)]}."""
    result: dict[str, list] = {"done": [], "refused": []}
    for application in applications:
        try:
            application_decide(application=application, decision=decision, by=by, comment=comment)
        except ApplicationError as error:
            result["refused"].append((application.reference, str(error)))
        else:
            result["done"].append(application.reference)
    return result


def application_staff_transition(
    *,
    application: Application,
    to: Status,
    by: User,
    comment: str = "",
    expected_status: Status | None = None,
) -> Application:
    """Follow-up moves (eligibility check, review, agreement, progress, completion, closure,
    abandonment). Decisions go through `application_decide`; information is asked for with a
    message, through `application_request_information` only."""
    if to == Status.INFO_REQUESTED:
        raise ApplicationError(
            _("Information is asked for with a message to the applicant: send a request.")
        )
    if to in DECISIONS:
        return application_decide(
            application=application,
            decision=to,
            by=by,
            comment=comment,
            expected_status=expected_status,
        )
    _require_staff(by, application)
    with transaction.atomic():
        application = application_transition(
            application=application,
            to=to,
            by=by,
            actor=staff_actor(by),
            comment=comment,
            expected_status=expected_status,
        )
    return application


def application_add_note(*, application: Application, by: User, text: str) -> ApplicationEvent:
    _require_staff(by, application)
    if not text.strip():
        raise ApplicationError(_("The note is empty."))
    return ApplicationEvent.objects.create(
        application=application,
        kind=ApplicationEvent.Kind.NOTE,
        by=by,
        comment=text.strip(),
        visible_to_applicant=False,
    )


# --- exports ---------------------------------------------------------------------------------


def export_request(*, by: User, query: dict, format: str) -> Export:
    from ..tasks import build_export

    export = Export.objects.create(requested_by=by, query=query, format=format)
    transaction.on_commit(lambda: build_export.delay(export.pk))
    return export
