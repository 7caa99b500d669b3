"""Conditions a transition needs beyond the workflow table (domain §3): a decision needs a
score; selecting needs budget left in the call's envelope. Each returns a refusal or None."""

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from .models import Application, Score
from .workflow import Status

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


def has_complete_score(application: Application) -> bool:
    """At least one reviewer has scored every criterion of the call's grid."""
    criteria = application.call.criteria.count()
    if criteria == 0:
        return Score.objects.filter(application=application).exists()
    complete = (
        Score.objects.filter(application=application)
        .values("reviewer")
        .annotate(n=Count("criterion", distinct=True))
        .filter(n=criteria)
    )
    return complete.exists()


def _needs_score(application: Application) -> str | None:
    if has_complete_score(application):
        return None
    return _("A decision needs a score: a reviewer must first score every criterion.")


def _budget_left(application: Application) -> str | None:
    call = application.call
    needed = funding_amount(application)
    left = call.budget_envelope - budget_committed(call.pk, excluding=application.pk)
    if needed <= left:
        return None
    return _("The call's envelope has %(left)s EUR left; this file needs %(needed)s EUR.") % {
        "left": left,
        "needed": needed,
    }


GUARDS = {
    Status.SELECTED: [_needs_score, _budget_left],
    Status.REJECTED: [_needs_score],
    Status.WAITLISTED: [_needs_score],
}


def refusal(application: Application, target: Status) -> str | None:
    for guard in GUARDS.get(target, []):
        reason = guard(application)
        if reason:
            return reason
    return None
