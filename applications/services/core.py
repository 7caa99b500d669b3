"""The errors and the one function that changes a file's status."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adn_portal.accounts.models import User
from programs.models import Call

from .. import eligibility, guards, queue_counts, workflow
from ..models import Application, ApplicationEvent
from ..workflow import Actor, Status


class ApplicationError(Exception):
    """A rule refused the action; the message is for the person who tried."""


class DraftConflict(ApplicationError):
    """A colleague saved the draft in the meantime: nothing was overwritten."""


class SubmissionRefused(ApplicationError):
    def __init__(self, checks: list[eligibility.Check]):
        self.checks = checks
        super().__init__(_("Your application cannot be submitted yet: see the points below."))


# ---------------------------------------------------------------------------------------------
# The one transition function


def application_transition(
    *,
    application: Application,
    to: Status,
    by: User | None,
    actor: Actor,
    comment: str = "",
    visible_to_applicant: bool = True,
    expected_status: Status | None = None,
) -> Application:
    """Move a file to another status. Locks the row (two people may act at once), checks the
    workflow table, saves only what changed and writes the event row, all in one transaction."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if to == Status.SELECTED:
            # Lock the call too: the envelope is a sum over its files, which their own row
            # locks do not serialise (two managers selecting two files at once would both
            # see the same budget left). The guard then reads this locked row. No key: new
            # drafts of the call (their foreign key) are not held up.
            locked.call = Call.objects.select_for_update(no_key=True).get(pk=locked.call_id)
        source = Status(locked.status)
        if expected_status is not None and source != expected_status:
            raise ApplicationError(_("This file changed in the meantime: reload the page."))
        returns_to = (
            Status(locked.status_before_info_request) if locked.status_before_info_request else None
        )
        if not workflow.allowed(source, to, actor, returns_to=returns_to):
            raise ApplicationError(
                _("This file cannot go from “%(source)s” to “%(target)s”.")
                % {"source": source.label, "target": Status(to).label}
            )
        refusal = guards.refusal(locked, Status(to))
        if refusal:
            raise ApplicationError(refusal)
        locked.status = to
        fields = ["status", "updated_at"]
        if to == Status.INFO_REQUESTED:
            locked.status_before_info_request = source
            fields.append("status_before_info_request")
        elif source == Status.INFO_REQUESTED:
            locked.status_before_info_request = ""
            fields.append("status_before_info_request")
        if to in workflow.DECIDED_STATUSES and locked.decided_at is None:
            locked.decided_at = timezone.now()
            fields.append("decided_at")
        if to == Status.SELECTED:
            # What the envelope's guard just allowed, stored under the same call lock.
            locked.granted_amount = guards.funding_amount(locked)
            fields.append("granted_amount")
            if locked.selected_at is None:
                locked.selected_at = timezone.now()
                fields.append("selected_at")
        if to == Status.COMPLETED:
            locked.completed_at = timezone.now()
            fields.append("completed_at")
        locked.save(update_fields=fields)
        # The queue's counts per status are read again once this move is committed.
        transaction.on_commit(queue_counts.status_counts_changed)
        ApplicationEvent.objects.create(
            application=locked,
            kind=ApplicationEvent.Kind.TRANSITION,
            from_status=source,
            to_status=to,
            by=by,
            comment=comment,
            visible_to_applicant=visible_to_applicant,
        )
    application.refresh_from_db()
    return application
