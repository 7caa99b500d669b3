"""Conditions a transition needs beyond the workflow table (docs/domain.md, The life of a
file): a decision needs a submitted review; selecting needs budget left in the call's envelope. Each
returns a refusal or None. And who may work on a file: the one answer to "does this staff
member work on this programme", for the services' guards and the staff selectors alike."""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from adn_portal.accounts.permissions import MANAGERS, has_role
from adn_portal.lib.decimals import format_amount

# Who works on which programme is programs' to say (its staff pages ask too); the staff
# selectors and guards of files use the same answer.
from programs.selectors import programmes_worked_on, works_on  # noqa: F401

from .models import Application, ConflictOfInterest, PaymentRequest, Review
from .workflow import PaymentStatus, Status

# Files whose funding counts against the call's envelope.
FUNDED = {
    Status.SELECTED,
    Status.AGREEMENT_SIGNED,
    Status.IN_PROGRESS,
    Status.REPORT_SUBMITTED,
    Status.COMPLETED,
    Status.CLOSED,
    Status.INFO_REQUESTED,
}


def funding_amount(application: Application) -> Decimal:
    """What selecting this file commits: the amount requested, or for calls funding expert
    days, days times day rate times funding rate; never more than the call's ceiling per file
    (the form checks the request against it, but the ceiling may have been lowered since)."""
    call = application.call
    if application.amount_requested is not None:
        amount = application.amount_requested
    elif call.expert_days and call.expert_day_rate:
        amount = (call.expert_days * call.expert_day_rate * call.funding_rate / 100).quantize(
            Decimal("0.01")
        )
    else:
        amount = Decimal("0")
    if call.ceiling_per_file is not None:
        amount = min(amount, call.ceiling_per_file)
    return amount


def budget_committed(call_id: int, *, excluding: int | None = None) -> Decimal:
    committed = (
        Application.objects.filter(call_id=call_id, granted_amount__isnull=False, status__in=FUNDED)
        .exclude(pk=excluding)
        .aggregate(total=Sum("granted_amount"))["total"]
    )
    return committed or Decimal("0")


def has_submitted_review(application: Application) -> bool:
    """A reviewer submitted a review of the file (every criterion scored, a recommendation;
    not the review of a reviewer who declared a conflict of interest with the organisation)."""
    return Review.objects.counted().submitted().filter(application=application).exists()


def _needs_score(application: Application) -> str | None:
    if has_submitted_review(application):
        return None
    return _("A decision needs a review: a reviewer must first submit theirs.")


def _budget_left(application: Application) -> str | None:
    call = application.call
    needed = funding_amount(application)
    left = call.budget_envelope - budget_committed(call.pk, excluding=application.pk)
    if needed <= left:
        return None
    return _("The call's envelope has %(left)s left; this file needs %(needed)s.") % {
        "left": format_amount(left),
        "needed": format_amount(needed),
    }


def _no_payment_pending(application: Application) -> str | None:
    """A file is closed once its money is settled: no request being prepared, waiting for a
    decision or approved and not yet paid (closed, the payee could no longer be paid)."""
    pending = PaymentRequest.objects.filter(
        application=application,
        status__in=[PaymentStatus.DRAFT, PaymentStatus.SUBMITTED, PaymentStatus.APPROVED],
    )
    if pending.exists():
        return _("A payment request of this file is still open: pay or reject it first.")
    return None


GUARDS = {
    Status.SELECTED: [_needs_score, _budget_left],
    Status.CLOSED: [_no_payment_pending],
    Status.REJECTED: [_needs_score],
    Status.WAITLISTED: [_needs_score],
}


def refusal(application: Application, target: Status) -> str | None:
    for guard in GUARDS.get(target, []):
        reason = guard(application)
        if reason:
            return reason
    return None


# --- who may work on a file ------------------------------------------------------------------


def has_conflict(user, organisation_id: int) -> bool:
    return ConflictOfInterest.objects.filter(
        reviewer=user, organisation_id=organisation_id
    ).exists()


def needs_declaration(user, application: Application) -> bool:
    """A reviewer reads a file once they said they have no conflict of interest with its
    organisation (their review of it exists); programme managers, who oversee every file of
    their programmes, read it without (they declare when they start a review of their own).
    From the file's prefetched reviews when there (selectors.staff_application)."""
    if has_role(user, *MANAGERS):
        return False
    reviews = getattr(application, "review_list", None)
    if reviews is None:
        return not Review.objects.filter(application=application, reviewer=user).exists()
    return not any(review.reviewer_id == user.pk for review in reviews)


def staff_refusal(user, application: Application, *, manager: bool = False) -> str | None:
    """Why `user` may not read or act on this file, or None. The guard of every staff service;
    the staff selectors leave the same files out (404 on the pages and the API)."""
    if not works_on(user, application.programme_id) or (manager and not has_role(user, *MANAGERS)):
        return _("You do not work on this programme, or this needs a programme manager.")
    if has_conflict(user, application.organisation_id):
        return _(
            "You declared a conflict of interest with this organisation: its files are not yours to handle."
        )
    return None
