"""The recognition of an expert company (docs/domain.md, Recognised experts), as data.

`TRANSITIONS.moves[source][target]` names who may move a recognition from one status to the
other, and `ACTIONS[(source, target)]` what its history records for that move: each move is
one action. `services.expert_transition` is the only code that changes a recognition's status:
it locks the row, asks this table, saves, writes the event row and tells the owners, in one
transaction."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.lifecycle import Lifecycle


class RecognitionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Application submitted")
    INFO_REQUESTED = "info_requested", _("Information requested")
    ACTIVE = "active", _("Recognised")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")


class RecognitionAction(models.TextChoices):
    """What a recognition's history records (RecognitionEvent.action): the moves of the table,
    and what else happens to a recognised company."""

    APPLIED = "applied", _("Applied")
    INFO_REQUESTED = "info_requested", _("Information requested")
    ANSWERED = "answered", _("Information provided")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    REINSTATED = "reinstated", _("Reinstated")
    RENEWED = "renewed", _("Renewed")
    EXPIRED = "expired", _("Expired")
    REMINDER_SENT = "reminder_sent", _("Renewal reminder sent")
    PROFILE_CHANGE_ACCEPTED = "profile_change_accepted", _("Profile change accepted")
    PROFILE_CHANGE_REFUSED = "profile_change_refused", _("Profile change refused")


class Actor(models.TextChoices):
    STAFF = "staff"  # a programme manager (administrators act as managers)
    COMPANY = "company"  # a member of the expert company
    SCHEDULER = "scheduler"  # the daily task, when the period ends


S, A = RecognitionStatus, RecognitionAction
STAFF = frozenset({Actor.STAFF})
COMPANY = frozenset({Actor.COMPANY})
SCHEDULER = frozenset({Actor.SCHEDULER})

TRANSITIONS = Lifecycle(
    moves={
        S.SUBMITTED: {S.ACTIVE: STAFF, S.REJECTED: STAFF, S.INFO_REQUESTED: STAFF},
        S.INFO_REQUESTED: {S.REJECTED: STAFF, S.SUBMITTED: COMPANY},
        S.REJECTED: {S.SUBMITTED: COMPANY},  # applies again
        # Active to active: a renewal, a new validity period.
        S.ACTIVE: {S.SUSPENDED: STAFF, S.ACTIVE: STAFF, S.EXPIRED: SCHEDULER},
        S.SUSPENDED: {S.ACTIVE: STAFF, S.EXPIRED: SCHEDULER},
        S.EXPIRED: {S.ACTIVE: STAFF},
    }
)

# What each move of the table records (tests/companies check that every move has one).
ACTIONS: dict[tuple[RecognitionStatus, RecognitionStatus], RecognitionAction] = {
    (S.SUBMITTED, S.ACTIVE): A.APPROVED,
    (S.SUBMITTED, S.REJECTED): A.REJECTED,
    (S.SUBMITTED, S.INFO_REQUESTED): A.INFO_REQUESTED,
    (S.INFO_REQUESTED, S.REJECTED): A.REJECTED,
    (S.INFO_REQUESTED, S.SUBMITTED): A.ANSWERED,
    (S.REJECTED, S.SUBMITTED): A.APPLIED,
    (S.ACTIVE, S.SUSPENDED): A.SUSPENDED,
    (S.ACTIVE, S.ACTIVE): A.RENEWED,
    (S.ACTIVE, S.EXPIRED): A.EXPIRED,
    (S.SUSPENDED, S.ACTIVE): A.REINSTATED,
    (S.SUSPENDED, S.EXPIRED): A.EXPIRED,
    (S.EXPIRED, S.ACTIVE): A.RENEWED,
}

# The company reads the reason of these.
NEEDS_COMMENT = frozenset({A.REJECTED, A.INFO_REQUESTED, A.SUSPENDED})
# These (re)start a validity period.
STARTS_PERIOD = frozenset({A.APPROVED, A.RENEWED})

# The staff page's buttons say what they do (the history says what was done).
BUTTON_LABELS = {
    A.APPROVED: _("Approve"),
    A.REJECTED: _("Reject"),
    A.INFO_REQUESTED: _("Request information"),
    A.SUSPENDED: _("Suspend"),
    A.REINSTATED: _("Reinstate"),
    A.RENEWED: _("Renew"),
}


def action_of(source: str, target: str) -> RecognitionAction | None:
    """The action a move records, None when the table has no such move."""
    return ACTIONS.get((source, target))


def staff_moves(source: str) -> list[tuple[str, str]]:
    """(target, button label) of what a programme manager may do now, for the staff page."""
    return [
        (target, BUTTON_LABELS[ACTIONS[(source, target)]])
        for target in TRANSITIONS.targets(source, Actor.STAFF)
    ]
