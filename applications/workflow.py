"""The life of a file (docs/domain.md, The life of a file), as data.

`TRANSITIONS` (a `Lifecycle`, the encoding every lifecycle of the portal shares) names who may
move a file from one status to another. `services.application_transition` is the only code that
changes a file's status: it locks the row, checks this table and the guards, saves, and writes
the event row in one transaction."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.lifecycle import Lifecycle


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ELIGIBILITY_CHECK = "eligibility_check", _("Eligibility check")
    UNDER_REVIEW = "under_review", _("Under review")
    WAITLISTED = "waitlisted", _("Waiting list")
    SELECTED = "selected", _("Selected")
    AGREEMENT_SIGNED = "agreement_signed", _("Agreement signed")
    IN_PROGRESS = "in_progress", _("In progress")
    REPORT_SUBMITTED = "report_submitted", _("Final report submitted")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    INFO_REQUESTED = "info_requested", _("Information requested")
    INELIGIBLE = "ineligible", _("Ineligible")
    REJECTED = "rejected", _("Not selected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ABANDONED = "abandoned", _("Abandoned")


class Actor(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    REVIEWER = "reviewer", _("Reviewer")
    MANAGER = "manager", _("Programme manager")  # administrators act as managers
    EXPERT = "expert", _("Expert company")  # the recognised expert of a Start IA file
    # A move the portal makes itself once its condition holds (both signatures are there).
    PORTAL = "portal", _("The portal")


S, A = Status, Actor
STAFF = frozenset({A.REVIEWER, A.MANAGER})
MANAGER = frozenset({A.MANAGER})
APPLICANT = frozenset({A.APPLICANT})

# Files that are still alive: an organisation has at most one per programme (a DB constraint).
OPEN_STATUSES = frozenset(
    {
        S.DRAFT,
        S.SUBMITTED,
        S.ELIGIBILITY_CHECK,
        S.UNDER_REVIEW,
        S.WAITLISTED,
        S.SELECTED,
        S.AGREEMENT_SIGNED,
        S.IN_PROGRESS,
        S.REPORT_SUBMITTED,
        S.INFO_REQUESTED,
    }
)
# Files a reviewer can be made responsible for: submitted and not yet ended (a draft is the
# applicant's alone; an ended file has nothing left to review or follow).
ASSIGNABLE_STATUSES = OPEN_STATUSES - {S.DRAFT}
# From these, staff may ask the applicant for information (the file returns here afterwards).
INFO_REQUEST_SOURCES = OPEN_STATUSES - {S.DRAFT, S.INFO_REQUESTED}
DECIDED_STATUSES = frozenset({S.SELECTED, S.REJECTED, S.INELIGIBLE})
# The moves a programme manager decides, each with the templated message to the applicant (a
# MessageTemplate of the same kind), and what the action is called where it is offered.
DECISIONS: dict[Status, str] = {
    S.SELECTED: _("Select"),
    S.WAITLISTED: _("Put on the waiting list"),
    S.REJECTED: _("Reject"),
    S.INELIGIBLE: _("Declare ineligible"),
}

_MOVES: dict[Status, dict[Status, frozenset[Actor]]] = {
    # A draft is never withdrawn (a withdrawn file keeps its reference): it is deleted.
    S.DRAFT: {S.SUBMITTED: APPLICANT},
    S.SUBMITTED: {S.ELIGIBILITY_CHECK: STAFF, S.WITHDRAWN: APPLICANT},
    S.ELIGIBILITY_CHECK: {S.UNDER_REVIEW: STAFF, S.INELIGIBLE: MANAGER},
    S.UNDER_REVIEW: {S.SELECTED: MANAGER, S.REJECTED: MANAGER, S.WAITLISTED: MANAGER},
    S.WAITLISTED: {S.SELECTED: MANAGER, S.REJECTED: MANAGER},
    # Only once the agreement carries both signatures (agreement_transition makes the move).
    S.SELECTED: {S.AGREEMENT_SIGNED: frozenset({A.PORTAL})},
    S.AGREEMENT_SIGNED: {S.IN_PROGRESS: MANAGER},
    S.IN_PROGRESS: {S.REPORT_SUBMITTED: APPLICANT, S.ABANDONED: MANAGER},
    S.REPORT_SUBMITTED: {S.COMPLETED: MANAGER},
    S.COMPLETED: {S.CLOSED: MANAGER},
    # Back to where it came from when the applicant answers (see `allowed`), or withdrawn.
    S.INFO_REQUESTED: {S.WITHDRAWN: APPLICANT},
}
for _source in INFO_REQUEST_SOURCES:
    _MOVES.setdefault(_source, {})[S.INFO_REQUESTED] = STAFF
TRANSITIONS = Lifecycle(moves=_MOVES)


def allowed(
    source: Status, target: Status, actor: Actor, *, returns_to: Status | None = None
) -> bool:
    """May `actor` move a file from `source` to `target`? An information request returns, when
    answered by the applicant, to the status it was asked from (a move the table cannot hold:
    its target is the file's own earlier status)."""
    if source == S.INFO_REQUESTED and target == returns_to and target is not None:
        return actor == A.APPLICANT
    return TRANSITIONS.allows(source, target, actor)


def targets(source: Status, actor: Actor) -> list[Status]:
    """The moves `actor` may offer from `source` (for the buttons of a page)."""
    return [Status(target) for target in TRANSITIONS.targets(source, actor)]


# What the applicant should do next, shown on "my files" and the file page.
NEXT_STEP = {
    S.DRAFT: _("Complete and submit your application."),
    S.SUBMITTED: _("The AdN checks your application."),
    S.ELIGIBILITY_CHECK: _("The AdN checks your eligibility."),
    S.UNDER_REVIEW: _("Your application is being assessed."),
    S.WAITLISTED: _("Your application is on the waiting list."),
    S.SELECTED: _("Your project is selected: the agreement follows."),
    S.AGREEMENT_SIGNED: _("The agreement is signed: the project can start."),
    S.IN_PROGRESS: _("Your project is running. Submit the final report at the end."),
    S.REPORT_SUBMITTED: _("The AdN reviews your final report."),
    S.COMPLETED: _("Your project is completed. Thank you!"),
    S.CLOSED: _("This file is closed."),
    S.INFO_REQUESTED: _("Answer the AdN's request for information."),
    S.INELIGIBLE: _("This application is not eligible."),
    S.REJECTED: _("This application was not selected."),
    S.WITHDRAWN: _("You withdrew this application."),
    S.ABANDONED: _("This project was abandoned."),
}


# ---------------------------------------------------------------------------------------------
# After selection (docs/domain.md, After selection): the agreement, the payment requests and
# the Start IA diagnostic, each a `Lifecycle` changed by one service of services/follow_up.py.


class AgreementStatus(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting both signatures")
    SIGNED_BY_BENEFICIARY = "signed_by_beneficiary", _("Signed by the beneficiary")
    SIGNED_BY_ADN = "signed_by_adn", _("Signed by the AdN")
    SIGNED = "signed", _("Signed by both parties")
    SUPERSEDED = "superseded", _("Replaced by an amendment")


AS = AgreementStatus
EXPERT = frozenset({A.EXPERT})
# An amendment replaces the current version whatever its signatures (agreement_amend).
AGREEMENT_TRANSITIONS = Lifecycle(
    moves={
        AS.AWAITING: {
            AS.SIGNED_BY_BENEFICIARY: APPLICANT,
            AS.SIGNED_BY_ADN: MANAGER,
            AS.SIGNED: MANAGER,  # both signatures recorded at once (signed on paper)
            AS.SUPERSEDED: MANAGER,
        },
        AS.SIGNED_BY_BENEFICIARY: {AS.SIGNED: MANAGER, AS.SUPERSEDED: MANAGER},
        AS.SIGNED_BY_ADN: {AS.SIGNED: APPLICANT, AS.SUPERSEDED: MANAGER},
        AS.SIGNED: {AS.SUPERSEDED: MANAGER},
    }
)


class PaymentStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")


PS = PaymentStatus
PAYEES = frozenset({A.APPLICANT, A.EXPERT})
PAYMENT_TRANSITIONS = Lifecycle(
    moves={
        PS.DRAFT: {PS.SUBMITTED: PAYEES},
        PS.SUBMITTED: {PS.APPROVED: MANAGER, PS.REJECTED: MANAGER},
        PS.APPROVED: {PS.PAID: MANAGER},
    }
)
# The requests whose amount counts against the grant and the call's envelope.
PAYMENTS_COMMITTED = frozenset({PS.APPROVED, PS.PAID})
# The requests still alive: one per instalment of a file (a rejected one may be made again).
PAYMENTS_ALIVE = frozenset({PS.DRAFT, PS.SUBMITTED, PS.APPROVED, PS.PAID})


class DiagnosticStatus(models.TextChoices):
    DRAFT = "draft", _("Being written by the expert")
    SUBMITTED = "submitted", _("Report delivered")
    CONFIRMED = "confirmed", _("Confirmed by the organisation")
    ACCEPTED = "accepted", _("Accepted by the AdN")


DS = DiagnosticStatus
DIAGNOSTIC_TRANSITIONS = Lifecycle(
    moves={
        DS.DRAFT: {DS.SUBMITTED: EXPERT},
        DS.SUBMITTED: {DS.CONFIRMED: APPLICANT, DS.DRAFT: MANAGER},
        DS.CONFIRMED: {DS.ACCEPTED: MANAGER, DS.DRAFT: MANAGER},
    }
)
