"""The recognition lifecycle of an expert company, as data (domain §4).

Each action names the statuses it may start from, the status it leads to, and who may fire it.
`services.expert_transition` is the only code that changes a recognition's status."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import RecognitionEvent, RecognitionStatus

S = RecognitionStatus
A = RecognitionEvent.Action


@dataclass(frozen=True)
class Transition:
    sources: frozenset[RecognitionStatus]
    target: RecognitionStatus
    by_staff: bool  # False: the expert company itself (or the scheduler, for expiry)
    needs_comment: bool = False


TRANSITIONS: dict[str, Transition] = {
    A.APPROVED: Transition(frozenset({S.SUBMITTED}), S.ACTIVE, by_staff=True),
    A.REJECTED: Transition(
        frozenset({S.SUBMITTED, S.INFO_REQUESTED}), S.REJECTED, by_staff=True, needs_comment=True
    ),
    A.INFO_REQUESTED: Transition(
        frozenset({S.SUBMITTED}), S.INFO_REQUESTED, by_staff=True, needs_comment=True
    ),
    A.ANSWERED: Transition(frozenset({S.INFO_REQUESTED}), S.SUBMITTED, by_staff=False),
    A.APPLIED: Transition(frozenset({S.REJECTED}), S.SUBMITTED, by_staff=False),  # apply again
    A.SUSPENDED: Transition(frozenset({S.ACTIVE}), S.SUSPENDED, by_staff=True, needs_comment=True),
    A.REINSTATED: Transition(frozenset({S.SUSPENDED}), S.ACTIVE, by_staff=True),
    A.RENEWED: Transition(frozenset({S.ACTIVE, S.EXPIRED}), S.ACTIVE, by_staff=True),
    A.EXPIRED: Transition(frozenset({S.ACTIVE, S.SUSPENDED}), S.EXPIRED, by_staff=False),
}

# The staff page's buttons say what they do (the history says what was done).
BUTTON_LABELS = {
    A.APPROVED: _("Approve"),
    A.REJECTED: _("Reject"),
    A.INFO_REQUESTED: _("Request information"),
    A.SUSPENDED: _("Suspend"),
    A.REINSTATED: _("Reinstate"),
    A.RENEWED: _("Renew"),
}

# Actions that (re)start a validity period.
STARTS_PERIOD = {A.APPROVED, A.RENEWED}


def staff_actions_from(status: RecognitionStatus) -> list[str]:
    """What a programme manager may do now, for the buttons of the staff page."""
    return [action for action, t in TRANSITIONS.items() if t.by_staff and status in t.sources]
