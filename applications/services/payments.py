"""Payment requests and payments (docs/domain.md, After selection). The payee (the beneficiary,
or the expert company of a Start IA file) prepares a request with its invoices and expense
statements and submits it; a programme manager checks each line's eligible amount, approves
(the amount is then committed) and records the payment, which gets a Belgian structured
communication. `payment_request_transition` is the only code that changes a request's status.

Money never goes over the file's grant nor the call's envelope: an approval locks the file's
row, then the call's (the order every service takes them in), and reads the sums under them."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from adn_portal.accounts.models import User
from adn_portal.lib.decimals import format_amount
from companies.selectors import is_member
from programs.models import Call, Instalment, PaidTo

from .. import guards
from ..models import Application, ApplicationEvent, Payment, PaymentLine, PaymentRequest
from ..workflow import (
    PAYMENT_TRANSITIONS,
    PAYMENTS_COMMITTED,
    Actor,
    DiagnosticStatus,
    PaymentStatus,
    Status,
)
from .agreements import _audit
from .core import ApplicationError
from .documents import document_prepare, stored_or_deleted

PS = PaymentStatus
CENT = Decimal("0.01")
# When each instalment may be requested: the advance once the agreement is signed, the balance
# once the final report is approved (the file completed), the diagnostic once it is accepted.
SIGNED = {Status.AGREEMENT_SIGNED, Status.IN_PROGRESS, Status.REPORT_SUBMITTED, Status.COMPLETED}
WHEN = {
    Instalment.ADVANCE: SIGNED,
    Instalment.BALANCE: {Status.COMPLETED},
    Instalment.DIAGNOSTIC: SIGNED,
}


def payee_actor(user: User, application: Application) -> Actor | None:
    """Who `user` is for the payments of this file: the beneficiary (a member of the
    organisation, when the call pays it) or the expert company (a member of the file's expert,
    when the call pays the expert); None otherwise."""
    if application.call.paid_to == PaidTo.EXPERT:
        expert = application.expert
        if expert is not None and is_member(user, expert.organisation):
            return Actor.EXPERT
        return None
    return Actor.APPLICANT if is_member(user, application.organisation) else None


def instalments_open(application: Application) -> list[Instalment]:
    """The instalments of the call's schedule that may be requested now and are not yet."""
    alive = set(
        application.payment_requests.exclude(status=PS.REJECTED).values_list(
            "instalment", flat=True
        )
    )
    ready = []
    for instalment, _share in application.call.payment_schedule():
        if instalment in alive or application.status not in WHEN[instalment]:
            continue
        if instalment == Instalment.DIAGNOSTIC and not _diagnostic_accepted(application):
            continue
        ready.append(instalment)
    return ready


def _diagnostic_accepted(application: Application) -> bool:
    diagnostic = getattr(application, "diagnostic", None)
    return diagnostic is not None and diagnostic.status == DiagnosticStatus.ACCEPTED


def _event(application: Application, by: User | None, comment: str, *, visible=True) -> None:
    ApplicationEvent.objects.create(
        application=application,
        kind=ApplicationEvent.Kind.PAYMENT,
        by=by,
        comment=comment,
        visible_to_applicant=visible,
    )


def payment_request_start(
    *, application: Application, instalment: str, payee_name: str, iban: str, by: User
) -> PaymentRequest:
    """Prepare a request for one instalment of the schedule (the IBAN already checked by the
    form: lib.banking.iban_compact). Its lines are added next, then it is submitted."""
    actor = payee_actor(by, application)
    if actor is None:
        raise ApplicationError(_("You do not act for the payee of this file."))
    if instalment not in instalments_open(application):
        raise ApplicationError(_("This instalment cannot be requested now."))
    try:
        with transaction.atomic():
            request = PaymentRequest.objects.create(
                application=application,
                instalment=instalment,
                paid_to=application.call.paid_to,
                payee_name=payee_name.strip(),
                iban=iban,
                requested_by=by,
            )
            _event(
                application,
                by,
                _("Payment request prepared: %(what)s.")
                % {"what": request.get_instalment_display()},
            )
    except IntegrityError:  # the same instalment requested at the same moment
        raise ApplicationError(_("This instalment is already requested.")) from None
    return request


def _require_payee(request: PaymentRequest, by: User) -> Actor:
    actor = payee_actor(by, request.application)
    if actor is None:
        raise ApplicationError(_("You do not act for the payee of this file."))
    return actor


def payment_line_add(
    *, request: PaymentRequest, description: str, amount: Decimal, upload, by: User
) -> PaymentLine:
    """Add an invoice or expense statement (checked by content like every document)."""
    _require_payee(request, by)
    if request.status != PS.DRAFT:
        raise ApplicationError(_("This request is submitted: its lines can no longer change."))
    document = document_prepare(
        application=request.application, upload=upload, kind="invoice", by=by
    )
    with stored_or_deleted(document):
        locked = PaymentRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != PS.DRAFT:
            raise ApplicationError(_("This request is submitted: its lines can no longer change."))
        document.save()
        line = PaymentLine.objects.create(
            request=locked, description=description.strip(), amount=amount, document=document
        )
    return line


def payment_request_transition(
    *,
    request: PaymentRequest,
    to: PaymentStatus,
    by: User,
    actor: Actor,
    comment: str = "",
    approved_amount: Decimal | None = None,
) -> PaymentRequest:
    """The one function that changes a request's status: locks the request's file, then its
    call (an approval's sums are read under both locks), then the request; checks the table
    (workflow.PAYMENT_TRANSITIONS); saves; writes the event row."""
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=request.application_id)
        if to == PS.APPROVED:
            Call.objects.select_for_update(no_key=True).get(pk=application.call_id)
        locked = PaymentRequest.objects.select_for_update().get(pk=request.pk)
        source = PaymentStatus(locked.status)
        if not PAYMENT_TRANSITIONS.allows(source, to, actor):
            raise ApplicationError(
                _("This payment request cannot go from “%(source)s” to “%(target)s”.")
                % {"source": source.label, "target": PaymentStatus(to).label}
            )
        now = timezone.now()
        locked.status = to
        fields = ["status"]
        if to == PS.SUBMITTED:
            locked.submitted_at = now
            fields.append("submitted_at")
        if to in (PS.APPROVED, PS.REJECTED):
            locked.decided_by, locked.decided_at, locked.comment = by, now, comment
            fields += ["decided_by", "decided_at", "comment"]
        if to == PS.APPROVED:
            refusal = money_refusal(application, locked, approved_amount)
            if refusal:
                raise ApplicationError(refusal)
            locked.approved_amount = approved_amount
            fields.append("approved_amount")
        locked.save(update_fields=fields)
        _event(
            application,
            by,
            f"{locked.get_instalment_display()}: {PaymentStatus(to).label}"
            + (f" ({approved_amount} EUR)" if to == PS.APPROVED else "")
            + (f". {comment}" if comment else ""),
        )
    request.refresh_from_db()
    return request


def committed_on(*, application_id: int | None = None, call_id: int | None = None) -> Decimal:
    """What approved requests commit, on a file or on a call."""
    scope = Q(application_id=application_id) if application_id else Q(application__call_id=call_id)
    total = PaymentRequest.objects.filter(scope, status__in=PAYMENTS_COMMITTED).aggregate(
        total=Sum("approved_amount")
    )["total"]
    return total or Decimal("0")


def money_refusal(
    application: Application, request: PaymentRequest, amount: Decimal | None
) -> str | None:
    """Why approving `amount` would go over the file's grant or the call's envelope (read
    under the file's and the call's locks), or None."""
    if amount is None or amount < 0:
        return _("An approval needs an amount.")
    granted = application.granted_amount or Decimal("0")
    on_file = committed_on(application_id=application.pk)
    if on_file + amount > granted:
        return _("The file's grant has %(left)s left; this request would need %(amount)s.") % {
            "left": format_amount(granted - on_file),
            "amount": format_amount(amount),
        }
    call = application.call
    on_call = committed_on(call_id=call.pk)
    if on_call + amount > call.budget_envelope:
        return _("The call's envelope has %(left)s left for payments.") % {
            "left": format_amount(call.budget_envelope - on_call)
        }
    return None


@dataclass(frozen=True)
class Due:
    """What a submitted request may be approved for, and how it is worked out."""

    amount: Decimal
    eligible: Decimal  # the sum of the lines' eligible amounts
    cap: Decimal  # what this instalment may pay at most
    left: Decimal  # what the grant has left


def amount_due(request: PaymentRequest) -> Due:
    """The advance is its share of the grant; the diagnostic is the eligible costs times the
    funding rate, never more than the days recorded times the day rate times the funding rate;
    the balance is the eligible costs times the funding rate less the earlier instalments. None
    is ever more than what the grant has left."""
    application = request.application
    call = application.call
    granted = application.granted_amount or Decimal("0")
    others = PaymentRequest.objects.filter(
        application=application, status__in=PAYMENTS_COMMITTED
    ).exclude(pk=request.pk).aggregate(total=Sum("approved_amount"))["total"] or Decimal("0")
    left = max(granted - others, Decimal("0"))
    lines = getattr(request, "line_list", None) or request.lines.all()  # prefetched by a page
    eligible = sum((line.eligible_amount or Decimal("0") for line in lines), Decimal("0"))
    rate = call.funding_rate / 100
    if request.instalment == Instalment.ADVANCE:
        share = dict(call.payment_schedule()).get(Instalment.ADVANCE, Decimal("0"))
        cap = granted * share / 100
        amount = cap
    elif request.instalment == Instalment.DIAGNOSTIC:
        diagnostic = getattr(application, "diagnostic", None)
        days = diagnostic.days if diagnostic and diagnostic.days is not None else Decimal("0")
        cap = days * (call.expert_day_rate or Decimal("0")) * rate
        amount = min(eligible * rate, cap)
    else:
        # The grant pays its rate of every eligible cost of the project: the balance is that,
        # less what the earlier instalments paid.
        cap = granted
        amount = max(min(eligible * rate, granted) - others, Decimal("0"))
    amount = min(amount, left).quantize(CENT)
    return Due(amount=amount, eligible=eligible, cap=cap.quantize(CENT), left=left)


def payment_request_submit(*, request: PaymentRequest, by: User) -> PaymentRequest:
    actor = _require_payee(request, by)
    if request.instalment != Instalment.ADVANCE and not request.lines.exists():
        raise ApplicationError(_("Add the invoices or expense statements first."))
    return payment_request_transition(request=request, to=PS.SUBMITTED, by=by, actor=actor)


def _require_manager(user: User, application: Application) -> None:
    refusal = guards.staff_refusal(user, application, manager=True)
    if refusal:
        raise ApplicationError(refusal)


def payment_request_check(
    *, request: PaymentRequest, eligible: dict[int, Decimal], by: User
) -> PaymentRequest:
    """Record each line's eligible amount ({line id: amount}, at most what it claims)."""
    _require_manager(by, request.application)
    lines = {line.pk: line for line in request.lines.all()}
    if set(eligible) - set(lines):
        raise ApplicationError(_("These lines are not part of the request."))
    for pk, amount in eligible.items():
        if not Decimal("0") <= amount <= lines[pk].amount:
            raise ApplicationError(
                _("An eligible amount goes from 0 to the amount claimed (%(amount)s).")
                % {"amount": format_amount(lines[pk].amount)}
            )
    with transaction.atomic():
        locked = PaymentRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != PS.SUBMITTED:
            raise ApplicationError(_("Only a submitted request is checked."))
        for pk, amount in eligible.items():
            PaymentLine.objects.filter(pk=pk).update(eligible_amount=amount)
        _event(request.application, by, _("Invoices checked."), visible=False)
    request.refresh_from_db()
    return request


def payment_request_approve(
    *, request: PaymentRequest, by: User, comment: str = ""
) -> PaymentRequest:
    """Approve the amount due (amount_due, worked out again under the locks)."""
    _require_manager(by, request.application)
    with transaction.atomic():
        # The file's row first, as payment_request_transition takes it: the amount due reads
        # what the file's other requests commit, which its lock keeps still.
        Application.objects.select_for_update().get(pk=request.application_id)
        request.refresh_from_db()
        if request.instalment != Instalment.ADVANCE and any(
            line.eligible_amount is None for line in request.lines.all()
        ):
            raise ApplicationError(_("Check every line's eligible amount first."))
        due = amount_due(request)
        if due.amount <= 0:
            raise ApplicationError(_("Nothing is due on this request: reject it instead."))
        request = payment_request_transition(
            request=request,
            to=PS.APPROVED,
            by=by,
            actor=Actor.MANAGER,
            comment=comment,
            approved_amount=due.amount,
        )
        _audit(
            by,
            request.application,
            "payment_approved",
            payment_request=request.pk,
            amount=str(due.amount),
        )
    return request


def payment_request_reject(*, request: PaymentRequest, by: User, comment: str) -> PaymentRequest:
    _require_manager(by, request.application)
    if not comment.strip():
        raise ApplicationError(_("Tell the payee why the request is rejected."))
    return payment_request_transition(
        request=request, to=PS.REJECTED, by=by, actor=Actor.MANAGER, comment=comment
    )


def payment_record(*, request: PaymentRequest, paid_on: date, by: User) -> Payment:
    """Record the transfer of an approved request: its amount, date and structured
    communication (from the request's number, unique)."""
    _require_manager(by, request.application)
    if paid_on > timezone.localdate():
        raise ApplicationError(_("A payment cannot be recorded in the future."))
    with transaction.atomic():
        request = payment_request_transition(
            request=request, to=PS.PAID, by=by, actor=Actor.MANAGER
        )
        payment = Payment.objects.create(
            request=request,
            amount=request.approved_amount,
            paid_on=paid_on,
            communication=request.communication,
            recorded_by=by,
        )
        _audit(
            by,
            request.application,
            "payment_recorded",
            payment_request=request.pk,
            amount=str(payment.amount),
        )
    return payment
