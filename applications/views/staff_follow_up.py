"""The AdN staff's side of the life after selection (docs/domain.md, After selection): the
agreement (countersigned copy, both signatures recorded, amendments), the payment requests
(eligible amounts, approval, the payment), the diagnostic, and the accounting export. Reads
need a staff role of the file's programme, writes a programme manager; a declared conflict of
interest makes the file a 404 (selectors.staff_application)."""

import io
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from adn_portal.accounts.audit import audit
from adn_portal.accounts.models import AuditEvent
from adn_portal.accounts.permissions import MANAGERS, STAFF, has_role, role_required
from adn_portal.lib.banking import iban_display
from adn_portal.lib.spreadsheet import safe_cell, write_csv
from adn_portal.lib.uploads import upload_refusal

from .. import guards, selectors, services
from ..file_page import staff_after_selection
from ..forms.follow_up import (
    AmendmentForm,
    DecisionCommentForm,
    EligibleAmountsForm,
    PaymentRecordForm,
    PeriodForm,
    RecordSignaturesForm,
    SignedCopyForm,
)
from ..services import ApplicationError
from ..workflow import Actor, AgreementStatus, PaymentStatus
from .shared import document_response, or_404


def staff_follow_up_context(request, application, **bound_forms) -> dict:
    """What the staff's file page shows after selection, and the forms a manager gets."""
    follow_up = staff_after_selection(application)
    if not follow_up:
        return {}
    current = next(
        (a for a in follow_up["agreements"] if a.status != AgreementStatus.SUPERSEDED), None
    )
    manager = has_role(request.user, *MANAGERS)
    amendment = bound_forms.get("amendment_form") or AmendmentForm(
        initial={
            "granted_amount": application.granted_amount,
            "starts_on": current.starts_on if current else None,
            "ends_on": current.ends_on if current else None,
        }
    )
    return {
        "follow_up": follow_up,
        "current_agreement": current,
        "countersign_form": bound_forms.get("countersign_form") or SignedCopyForm(),
        "signatures_form": bound_forms.get("signatures_form") or RecordSignaturesForm(),
        "amendment_form": amendment,
        "can_amend": manager and current is not None,
        "can_countersign": manager
        and current is not None
        and current.status in (AgreementStatus.AWAITING, AgreementStatus.SIGNED_BY_BENEFICIARY),
        "milestones_late": [
            m
            for m in follow_up["milestones"]
            if m.done_at is None and m.due_on < timezone.localdate()
        ],
    }


def _file(request, pk: int):
    return or_404(selectors.staff_application(user=request.user, pk=pk))


def _refused(request, application, **bound_forms):
    """The staff's file page again with the refused form (400)."""
    from .staff import _refused as refused

    return refused(request, application, **bound_forms)


def _agreement(application, agreement_pk: int, *, current: bool = False):
    agreements = application.agreements.filter(pk=agreement_pk)
    if current:
        agreements = agreements.exclude(status=AgreementStatus.SUPERSEDED)
    return or_404(agreements.first())


@role_required(*STAFF)
def agreement_download(request, pk: int, agreement_pk: int):
    application = _file(request, pk)
    agreement = _agreement(application, agreement_pk)
    document = services.agreement_document(agreement=agreement)
    audit(
        AuditEvent.Action.DOCUMENT_DOWNLOADED,
        request=request,
        application=application.pk,
        follow_up_document=document.pk,
    )
    return document_response(document)


@role_required(*STAFF)
def document_download(request, pk: int, document_pk: int):
    application = _file(request, pk)
    document = or_404(selectors.follow_up_document_of(application, document_pk))
    audit(
        AuditEvent.Action.DOCUMENT_DOWNLOADED,
        request=request,
        application=application.pk,
        follow_up_document=document.pk,
    )
    return document_response(document)


@role_required(*MANAGERS)
@require_POST
def agreement_countersign(request, pk: int, agreement_pk: int):
    application = _file(request, pk)
    agreement = _agreement(application, agreement_pk, current=True)
    form = SignedCopyForm(request.POST, request.FILES, refusal=upload_refusal(request))
    if form.is_valid():
        try:
            services.agreement_sign(
                agreement=agreement,
                upload=form.cleaned_data["file"],
                by=request.user,
                actor=Actor.MANAGER,
            )
        except ValidationError as error:
            form.add_error("file", error)
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The countersigned copy is stored."))
            return redirect("applications:staff_application", pk=application.pk)
    return _refused(request, application, countersign_form=form)


@role_required(*MANAGERS)
@require_POST
def agreement_signatures(request, pk: int, agreement_pk: int):
    application = _file(request, pk)
    agreement = _agreement(application, agreement_pk, current=True)
    form = RecordSignaturesForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_record_signatures(
                agreement=agreement, by=request.user, comment=form.cleaned_data["comment"]
            )
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Both signatures are recorded."))
            return redirect("applications:staff_application", pk=application.pk)
    return _refused(request, application, signatures_form=form)


@role_required(*MANAGERS)
@require_POST
def agreement_amend(request, pk: int):
    application = _file(request, pk)
    form = AmendmentForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_amend(application=application, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The amendment is drafted: both parties sign it again."))
            return redirect("applications:staff_application", pk=application.pk)
    return _refused(request, application, amendment_form=form)


@role_required(*MANAGERS)
@require_POST
def diagnostic_decide(request, pk: int):
    application = _file(request, pk)
    diagnostic = or_404(getattr(application, "diagnostic", None))
    form = DecisionCommentForm(request.POST)
    if form.is_valid():
        try:
            services.diagnostic_decide(
                diagnostic=diagnostic,
                accept=form.cleaned_data["approve"],
                by=request.user,
                comment=form.cleaned_data["comment"],
            )
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            done = (
                _("%(reference)s: the diagnostic is accepted.")
                if form.cleaned_data["approve"]
                else _("%(reference)s: the diagnostic is sent back to the expert company.")
            )
            messages.success(request, done % {"reference": application.reference})
            return redirect("applications:staff_application", pk=application.pk)
    return _refused(request, application, diagnostic_form=form)


# --- payment requests ------------------------------------------------------------------------------


def _request_page(request, application, payment_request, *, status=200, **bound_forms):
    manager = has_role(request.user, *MANAGERS) and not guards.staff_refusal(
        request.user, application, manager=True
    )
    submitted = payment_request.status == PaymentStatus.SUBMITTED
    check_form = bound_forms.get("check_form") or EligibleAmountsForm(
        lines=payment_request.line_list
    )
    for field in check_form.fields.values():
        field.widget.attrs["class"] = "form-control form-control-sm text-end"
    return render(
        request,
        "applications/staff/payment_request.html",
        {
            "application": application,
            "payment_request": payment_request,
            "iban": iban_display(payment_request.iban),
            "due": services.amount_due(payment_request) if submitted else None,
            "is_manager": manager,
            "check_rows": [
                (line, check_form[f"line_{line.pk}"]) for line in payment_request.line_list
            ],
            "decision_form": bound_forms.get("decision_form") or DecisionCommentForm(),
            "record_form": bound_forms.get("record_form")
            or PaymentRecordForm(initial={"paid_on": timezone.localdate()}),
            "refused_form": next(iter(bound_forms.values()), None),
        },
        status=status,
    )


def _payment_request(request, pk: int, request_pk: int):
    # The file's row alone (the file page's history is not shown here), with the same access.
    application = or_404(
        selectors.staff_applications(request.user).select_related("call").filter(pk=pk).first()
    )
    payment_request = or_404(selectors.payment_request_of(application, request_pk))
    payment_request.application = application
    return application, payment_request


@role_required(*STAFF)
def payment_request_detail(request, pk: int, request_pk: int):
    application, payment_request = _payment_request(request, pk, request_pk)
    audit(AuditEvent.Action.FILE_VIEWED, request=request, application=application.pk)
    return _request_page(request, application, payment_request)


def _act_on_request(request, application, payment_request, form_name, form, action, done):
    """`done`: what happened, or a function of the valid form that says it."""
    if form.is_valid():
        try:
            action(form)
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done(form) if callable(done) else done)
            return redirect(
                "applications:staff_payment_request",
                pk=application.pk,
                request_pk=payment_request.pk,
            )
    payment_request = selectors.payment_request_of(application, payment_request.pk)
    return _request_page(request, application, payment_request, status=400, **{form_name: form})


@role_required(*MANAGERS)
@require_POST
def payment_request_check(request, pk: int, request_pk: int):
    application, payment_request = _payment_request(request, pk, request_pk)
    form = EligibleAmountsForm(request.POST, lines=payment_request.line_list)
    return _act_on_request(
        request,
        application,
        payment_request,
        "check_form",
        form,
        lambda f: services.payment_request_check(
            request=payment_request, eligible=f.eligible(), by=request.user
        ),
        _("The eligible amounts are recorded."),
    )


@role_required(*MANAGERS)
@require_POST
def payment_request_decide(request, pk: int, request_pk: int):
    application, payment_request = _payment_request(request, pk, request_pk)
    form = DecisionCommentForm(request.POST)

    def decide(f):
        if f.cleaned_data["approve"]:
            services.payment_request_approve(
                request=payment_request, by=request.user, comment=f.cleaned_data["comment"]
            )
        else:
            services.payment_request_reject(
                request=payment_request, by=request.user, comment=f.cleaned_data["comment"]
            )

    def done(f) -> str:
        said = (
            _("%(reference)s: payment request approved.")
            if f.cleaned_data["approve"]
            else _("%(reference)s: payment request rejected.")
        )
        return said % {"reference": application.reference}

    return _act_on_request(
        request, application, payment_request, "decision_form", form, decide, done
    )


@role_required(*MANAGERS)
@require_POST
def payment_record(request, pk: int, request_pk: int):
    application, payment_request = _payment_request(request, pk, request_pk)
    form = PaymentRecordForm(request.POST)
    return _act_on_request(
        request,
        application,
        payment_request,
        "record_form",
        form,
        lambda f: services.payment_record(
            request=payment_request, paid_on=f.cleaned_data["paid_on"], by=request.user
        ),
        _("The payment is recorded."),
    )


# --- the accounting export -------------------------------------------------------------------------


def accounting_columns(what: str = PeriodForm.PAID) -> list[str]:
    return [
        _("Approved on") if what == PeriodForm.TO_PAY else _("Paid on"),
        _("Reference"),
        _("Organisation"),
        _("Enterprise number"),
        _("Programme"),
        _("Call"),
        _("Instalment"),
        _("Account holder"),
        _("IBAN"),
        _("Amount (EUR)"),
        _("Structured communication"),
    ]


def accounting_lines(found, what: str) -> list[dict]:
    """The payments made (`found`: Payment rows), or the transfers to make (PaymentRequest rows
    approved, not paid), as the page and the export show them."""
    if what == PeriodForm.TO_PAY:
        return [
            {
                "day": timezone.localdate(r.decided_at),
                "request": r,
                "amount": r.approved_amount,
                "communication": r.communication,
                "iban": iban_display(r.iban),
            }
            for r in found
        ]
    return [
        {
            "day": p.paid_on,
            "request": p.request,
            "amount": p.amount,
            "communication": p.communication,
        }
        for p in found
    ]


def accounting_rows(lines: list[dict]) -> list[list]:
    rows = []
    for line in lines:
        payment_request = line["request"]
        application = payment_request.application
        rows.append(
            [
                line["day"],
                application.reference,
                application.organisation.name,
                application.organisation.enterprise_number_display,
                application.programme.name,
                application.call.title,
                payment_request.get_instalment_display(),
                payment_request.payee_name,
                iban_display(payment_request.iban),
                line["amount"],
                line["communication"],
            ]
        )
    return rows


def _export(rows: list[list], *, fmt: str, what: str, start: date, end: date) -> HttpResponse:
    prefix = "a-payer" if what == PeriodForm.TO_PAY else "paiements"
    name = f"{prefix}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append([safe_cell(c) for c in accounting_columns(what)])
        for row in rows:
            sheet.append([safe_cell(c) for c in row])
        content = io.BytesIO()
        workbook.save(content)
        response = HttpResponse(
            content.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        write_csv(response, accounting_columns(what), rows)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(*MANAGERS)
def accounting(request):
    """Payments made in a period, or the requests approved then and not yet paid (the
    transfers to make, with the structured communication to give them), on the page and as
    CSV or XLSX for the accountants (the files the manager works on: their programmes, less
    their conflicts of interest)."""
    today = timezone.localdate()
    form = PeriodForm(request.GET or {"start": today.replace(day=1), "end": today})
    lines, what = [], PeriodForm.PAID
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        what = form.cleaned_data["what"] or PeriodForm.PAID
        read = (
            selectors.approved_between if what == PeriodForm.TO_PAY else selectors.payments_between
        )
        lines = accounting_lines(read(start=start, end=end, user=request.user), what)
        if form.cleaned_data["format"]:
            rows = accounting_rows(lines)
            audit(
                AuditEvent.Action.EXPORT_DOWNLOADED,
                request=request,
                accounting=f"{what} {start}/{end}",
                rows=len(rows),
            )
            return _export(rows, fmt=form.cleaned_data["format"], what=what, start=start, end=end)
    return render(
        request,
        "applications/staff/accounting.html",
        {
            "form": form,
            "lines": lines,
            "to_pay": what == PeriodForm.TO_PAY,
            "querystring": request.GET.urlencode(),
            "export_url": reverse("applications:staff_accounting"),
        },
        status=200 if form.is_valid() else 400,
    )
