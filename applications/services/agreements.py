"""The agreement of a selected file (docs/domain.md, After selection): drafted on selection from
the programme's template, signed by the beneficiary and countersigned by the AdN; an amendment
(new amount or dates) is a new version and the earlier ones are kept. `agreement_transition` is
the only code that changes an agreement's status; the file moves to "agreement signed" through
`application_transition` once both signatures are there."""

import calendar
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Sum
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from adn_portal.accounts.audit import audit
from adn_portal.accounts.models import AuditEvent, User
from adn_portal.lib.decimals import format_amount, format_percent
from adn_portal.lib.pdf import render_pdf
from companies.selectors import is_member
from programs.models import Call, Instalment, PaidTo

from .. import guards
from ..models import (
    Agreement,
    AgreementTemplate,
    Application,
    ApplicationEvent,
    Diagnostic,
    FollowUpDocument,
    Milestone,
    PaymentRequest,
)
from ..workflow import (
    AGREEMENT_TRANSITIONS,
    PAYMENTS_COMMITTED,
    Actor,
    AgreementStatus,
    Status,
)
from .core import ApplicationError, application_transition
from .documents import document_from_bytes, document_prepare, stored_or_deleted
from .messages import language_of

AS = AgreementStatus
# The file statuses in which its agreement is drafted, signed or amended.
AGREED = {Status.SELECTED, Status.AGREEMENT_SIGNED, Status.IN_PROGRESS, Status.REPORT_SUBMITTED}
# When a call sets no maximum duration, the agreement runs for a year (then amended if needed).
DEFAULT_MONTHS = 12


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def schedule_of(call: Call, amount: Decimal) -> list[dict]:
    """The call's payment schedule with each instalment's amount for this grant."""
    return [
        {
            "instalment": instalment.value,
            "share": str(share),
            "amount": str((amount * share / 100).quantize(Decimal("0.01"))),
        }
        for instalment, share in call.payment_schedule()
    ]


def _render(agreement: Agreement) -> bytes:
    """The agreement's PDF: the programme's template (or the general one) in the
    beneficiary's language, with the file's data set out by the portal."""
    application = agreement.application
    call, organisation = application.call, application.organisation
    template = (
        AgreementTemplate.objects.filter(programme=application.programme_id).first()
        or AgreementTemplate.objects.filter(programme__isnull=True).first()
    )
    if template is None:
        raise ApplicationError(_("No agreement template is defined for this programme."))
    language = agreement.language
    with translation.override(language):
        values = {
            "reference": application.reference,
            "organisation": organisation.name,
            "enterprise_number": organisation.enterprise_number_display,
            "title": application.title,
            "programme": application.programme.name,
            "call": call.title,
            # Written the reader's way with their unit: "40 000 €", "€40,000", "50 %".
            "amount": format_amount(agreement.granted_amount),
            "funding_rate": format_percent(agreement.funding_rate),
            "ceiling": "—" if agreement.ceiling is None else format_amount(agreement.ceiling),
            "starts_on": agreement.starts_on,
            "ends_on": agreement.ends_on,
        }
        context = Context(values, autoescape=False)
        title = Template(getattr(template, f"title_{language}")).render(context).strip()
        body = Template(getattr(template, f"body_{language}")).render(context)
        return render_pdf(
            "applications/agreement_pdf.html",
            {
                "agreement": agreement,
                "application": application,
                "organisation": organisation,
                "call": call,
                "expert": application.expert,
                "title": title,
                "body": body,
                "schedule": agreement.schedule,
                "instalment_labels": dict(Instalment.choices),
            },
        )


def agreement_document(*, agreement: Agreement) -> FollowUpDocument:
    """The agreement's PDF as drafted, rendered the first time it is asked for and then kept
    (a selection, alone or in a batch, renders nothing): two downloads at once render it once,
    under the agreement's row lock."""
    if agreement.document_id is not None:
        return agreement.document
    with transaction.atomic():
        locked = (
            Agreement.objects.select_for_update(of=("self",))
            .select_related("application__call", "application__organisation")
            .get(pk=agreement.pk)
        )
        if locked.document_id is None:
            content = _render(locked)
            document = document_from_bytes(
                application=locked.application,
                content=content,
                name=f"convention-{locked.application.reference}-v{locked.number}.pdf",
                kind=FollowUpDocument.Kind.AGREEMENT,
            )
            with stored_or_deleted(document):
                document.save()
                Agreement.objects.filter(pk=locked.pk).update(document=document)
    agreement.refresh_from_db()
    return agreement.document


def _event(application: Application, by: User | None, comment: str, *, visible=True) -> None:
    ApplicationEvent.objects.create(
        application=application,
        kind=ApplicationEvent.Kind.AGREEMENT,
        by=by,
        comment=comment,
        visible_to_applicant=visible,
    )


def agreement_draft(
    *,
    application: Application,
    by: User | None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    reason: str = "",
) -> Agreement:
    """Draft the file's agreement (version 1), or an amendment's version when `reason` says
    why, from its current grant (its PDF is rendered when first downloaded:
    `agreement_document`). Called on selection (application_decide) and by `agreement_amend`."""
    call = application.call
    starts_on = starts_on or timezone.localdate()
    months = call.max_duration_months or DEFAULT_MONTHS
    ends_on = ends_on or add_months(starts_on, months)
    if ends_on <= starts_on:
        raise ApplicationError(_("The agreement must end after it starts."))
    amount = application.granted_amount or Decimal("0")
    last = application.agreements.aggregate(last=Max("number"))["last"] or 0
    agreement = Agreement.objects.create(
        application=application,
        number=last + 1,
        language=language_of(application.created_by),
        granted_amount=amount,
        funding_rate=call.funding_rate,
        ceiling=call.ceiling_per_file,
        starts_on=starts_on,
        ends_on=ends_on,
        schedule=schedule_of(call, amount),
        reason=reason,
        created_by=by,
    )
    _event(
        application,
        by,
        _("Agreement version %(number)s drafted: %(amount)s, from %(start)s to %(end)s.")
        % {
            "number": agreement.number,
            "amount": format_amount(amount),
            "start": starts_on,
            "end": ends_on,
        },
    )
    agreement.refresh_from_db()
    return agreement


def agreement_transition(
    *, agreement: Agreement, to: AgreementStatus, by: User | None, actor: Actor, comment: str = ""
) -> Agreement:
    """The one function that changes an agreement's status: locks the row, checks the table
    (workflow.AGREEMENT_TRANSITIONS), stamps the signatures, saves, writes the event row; when
    both signatures are there, moves a selected file to "agreement signed"."""
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        source = AgreementStatus(locked.status)
        if not AGREEMENT_TRANSITIONS.allows(source, to, actor):
            raise ApplicationError(
                _("This agreement cannot go from “%(source)s” to “%(target)s”.")
                % {"source": source.label, "target": AgreementStatus(to).label}
            )
        now = timezone.now()
        locked.status = to
        fields = ["status"]
        if to in (AS.SIGNED_BY_BENEFICIARY, AS.SIGNED) and locked.beneficiary_signed_at is None:
            locked.beneficiary_signed_at = now
            fields.append("beneficiary_signed_at")
        if to in (AS.SIGNED_BY_ADN, AS.SIGNED) and locked.adn_signed_at is None:
            locked.adn_signed_at = now
            fields.append("adn_signed_at")
        if to == AS.SIGNED:
            locked.signed_at = now
            fields.append("signed_at")
        locked.save(update_fields=fields)
        _event(locked.application, by, f"v{locked.number}: {AgreementStatus(to).label}. {comment}")
        if to == AS.SIGNED:
            _signed(locked, by)
    agreement.refresh_from_db()
    return agreement


def _signed(agreement: Agreement, by: User | None) -> None:
    """Both signatures are there: the file moves on (a first agreement), its milestones follow
    the agreed dates, and a Start IA file gets its diagnostic to deliver."""
    application = Application.objects.select_related("call").get(pk=agreement.application_id)
    if application.status == Status.SELECTED:
        application_transition(
            application=application, to=Status.AGREEMENT_SIGNED, by=by, actor=Actor.PORTAL
        )
    call = application.call
    due = {Milestone.Kind.FINAL_REPORT: agreement.ends_on}
    if call.interim_report_months:
        interim = add_months(agreement.starts_on, call.interim_report_months)
        if interim < agreement.ends_on:
            due[Milestone.Kind.INTERIM_REPORT] = interim
    for kind, due_on in due.items():
        milestone, created = Milestone.objects.get_or_create(
            application=application, kind=kind, defaults={"due_on": due_on}
        )
        if not created and milestone.done_at is None and milestone.due_on != due_on:
            # New dates (an amendment): a reminder is due again before the new date.
            Milestone.objects.filter(pk=milestone.pk).update(due_on=due_on, reminded_at=None)
    if call.paid_to == PaidTo.EXPERT and application.expert_id:
        Diagnostic.objects.get_or_create(
            application=application, defaults={"expert_id": application.expert_id}
        )


def _signature_target(agreement: Agreement, actor: Actor) -> AgreementStatus:
    """Where a copy signed by `actor` takes the agreement: to "signed" if the other party's
    signature is there, else to this party's own signature."""
    if actor == Actor.APPLICANT:
        return AS.SIGNED if agreement.status == AS.SIGNED_BY_ADN else AS.SIGNED_BY_BENEFICIARY
    return AS.SIGNED if agreement.status == AS.SIGNED_BY_BENEFICIARY else AS.SIGNED_BY_ADN


def agreement_sign(*, agreement: Agreement, upload, by: User, actor: Actor) -> Agreement:
    """Store a signed copy: the beneficiary's (a member of the organisation) or the AdN's
    countersigned one (a programme manager of the file), and record that party's signature."""
    application = agreement.application
    if actor == Actor.APPLICANT:
        if not is_member(by, application.organisation):
            raise ApplicationError(_("You do not act for this organisation."))
        kind = FollowUpDocument.Kind.SIGNED_BY_BENEFICIARY
    else:
        _require_manager(by, application)
        kind = FollowUpDocument.Kind.SIGNED_BY_ADN
    document = document_prepare(application=application, upload=upload, kind=kind, by=by)
    with stored_or_deleted(document):
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        document.save()
        field = "beneficiary_copy" if actor == Actor.APPLICANT else "adn_copy"
        Agreement.objects.filter(pk=locked.pk).update(**{field: document})
        agreement_transition(
            agreement=locked,
            to=_signature_target(locked, actor),
            by=by,
            actor=actor,
            comment=document.original_name,
        )
        if actor == Actor.MANAGER:
            _audit(by, application, "agreement_countersigned", agreement=locked.pk)
    agreement.refresh_from_db()
    return agreement


def agreement_record_signatures(*, agreement: Agreement, by: User, comment: str) -> Agreement:
    """A programme manager records that both parties signed (on paper, in a meeting): the
    reason is kept on the file's timeline."""
    _require_manager(by, agreement.application)
    if not comment.strip():
        raise ApplicationError(_("Say where and how the agreement was signed."))
    with transaction.atomic():
        agreement_transition(
            agreement=agreement, to=AS.SIGNED, by=by, actor=Actor.MANAGER, comment=comment
        )
        _audit(by, agreement.application, "agreement_signatures_recorded", agreement=agreement.pk)
    agreement.refresh_from_db()
    return agreement


def agreement_amend(
    *,
    application: Application,
    granted_amount: Decimal,
    starts_on: date,
    ends_on: date,
    reason: str,
    by: User,
    now: datetime | None = None,
) -> Agreement:
    """An amendment: a new version with a new amount or new dates, to be signed again; the
    version in force is kept as "superseded". The new amount is what the file is granted from
    now on: never below what is already approved for payment, and within the call's envelope
    (the file's and the call's rows locked, as a selection does)."""
    _require_manager(by, application)
    if not reason.strip():
        raise ApplicationError(_("Say why the agreement is amended."))
    if granted_amount < 0:
        raise ApplicationError(_("The amount cannot be negative."))
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        call = Call.objects.select_for_update(no_key=True).get(pk=locked.call_id)
        if locked.status not in AGREED:
            raise ApplicationError(_("This file's agreement can no longer be amended."))
        current = locked.agreements.exclude(status=AS.SUPERSEDED).first()
        if current is None:
            raise ApplicationError(_("This file has no agreement to amend yet."))
        if granted_amount == current.granted_amount and (starts_on, ends_on) == (
            current.starts_on,
            current.ends_on,
        ):
            raise ApplicationError(_("An amendment changes the amount or the dates."))
        committed = PaymentRequest.objects.filter(
            application=locked, status__in=PAYMENTS_COMMITTED
        ).aggregate(total=Sum("approved_amount"))["total"] or Decimal("0")
        if granted_amount < committed:
            raise ApplicationError(
                _("%(committed)s are already approved for payment: the grant cannot be lower.")
                % {"committed": format_amount(committed)}
            )
        left = call.budget_envelope - guards.budget_committed(call.pk, excluding=locked.pk)
        if granted_amount > left:
            raise ApplicationError(
                _("The call's envelope has %(left)s left for this file.")
                % {"left": format_amount(left)}
            )
        locked.granted_amount = granted_amount
        locked.save(update_fields=["granted_amount", "updated_at"])
        agreement_transition(
            agreement=current, to=AS.SUPERSEDED, by=by, actor=Actor.MANAGER, comment=reason
        )
        amended = agreement_draft(
            application=locked, by=by, starts_on=starts_on, ends_on=ends_on, reason=reason
        )
        _audit(
            by,
            locked,
            "agreement_amended",
            agreement=amended.pk,
            amount=str(granted_amount),
            starts_on=str(starts_on),
            ends_on=str(ends_on),
        )
    return amended


def _require_manager(user: User, application: Application) -> None:
    refusal = guards.staff_refusal(user, application, manager=True)
    if refusal:
        raise ApplicationError(refusal)


def _audit(by: User, application: Application, what: str, **details) -> None:
    """Staff's actions on the money and the agreement, in the audit log beside the timeline."""
    audit(AuditEvent.Action.STAFF_ACTION, user=by, application=application.pk, did=what, **details)
