"""The beneficiary's and the expert company's side of the life after selection (docs/domain.md,
After selection): the agreement to download and sign, the payment requests with their invoices,
the interim report, the diagnostic, and the survey a year on. Another organisation's file is a
404; every page holds personal data (private, no-store: PrivateResponseMiddleware)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from adn_portal.lib.uploads import upload_refusal

from .. import selectors, services
from ..forms.follow_up import (
    DiagnosticForm,
    FollowUpSurveyForm,
    MilestoneReportForm,
    PaymentLineForm,
    PaymentRequestForm,
    SignedCopyForm,
)
from ..models import FollowUpDocument
from ..services import ApplicationError
from ..workflow import Actor, AgreementStatus, PaymentStatus
from .shared import document_response, or_404


def _done(request, message: str, to: str):
    messages.success(request, message)
    return redirect(to)


# --- the beneficiary: agreement, interim report, diagnostic confirmation, survey -------------------


@login_required
def agreement_download(request, pk: int, agreement_pk: int):
    """The agreement as drafted (its PDF rendered the first time it is asked for)."""
    application = or_404(selectors.member_application(user=request.user, pk=pk))
    agreement = or_404(application.agreements.filter(pk=agreement_pk).first())
    return document_response(services.agreement_document(agreement=agreement))


@login_required
@require_POST
def agreement_sign(request, pk: int, agreement_pk: int):
    application = or_404(selectors.member_application(user=request.user, pk=pk))
    agreement = or_404(
        application.agreements.exclude(status=AgreementStatus.SUPERSEDED)
        .filter(pk=agreement_pk)
        .first()
    )
    form = SignedCopyForm(request.POST, request.FILES, refusal=upload_refusal(request))
    if form.is_valid():
        try:
            services.agreement_sign(
                agreement=agreement,
                upload=form.cleaned_data["file"],
                by=request.user,
                actor=Actor.APPLICANT,
            )
        except ValidationError as error:
            form.add_error("file", error)
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            return _done(
                request, _("Your signed copy is sent to the AdN."), application.get_absolute_url()
            )
    return _refused_on_file_page(request, application, signed_copy_form=form)


def _refused_on_file_page(request, application, **forms):
    """The file page again with the refused form and its errors (400)."""
    from .applicant import _detail_page

    return _detail_page(request, application.pk, status=400, **forms)


@login_required
def document_download(request, pk: int, document_pk: int):
    """A document of the life after selection (a signed copy, an invoice, a report), to the
    members of the organisation; to the expert company paid for the file, only the documents
    it reads (selectors.EXPERT_DOCUMENT_KINDS)."""
    application = selectors.member_application(user=request.user, pk=pk)
    kinds = None
    if application is None:
        application = or_404(selectors.payee_application(user=request.user, pk=pk))
        kinds = selectors.EXPERT_DOCUMENT_KINDS
    document = selectors.follow_up_document_of(application, document_pk, kinds=kinds)
    return document_response(or_404(document))


@login_required
@require_POST
def milestone_report(request, pk: int, milestone_pk: int):
    application = or_404(selectors.member_application(user=request.user, pk=pk))
    milestone = or_404(application.milestones.filter(pk=milestone_pk).first())
    form = MilestoneReportForm(request.POST, request.FILES, refusal=upload_refusal(request))
    if form.is_valid():
        try:
            services.milestone_submit(
                milestone=milestone, upload=form.cleaned_data["file"], by=request.user
            )
        except ValidationError as error:
            form.add_error("file", error)
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            return _done(request, _("Your interim report is sent."), application.get_absolute_url())
    return _refused_on_file_page(request, application, milestone_form=form)


@login_required
@require_POST
def diagnostic_confirm(request, pk: int):
    application = or_404(selectors.member_application(user=request.user, pk=pk))
    diagnostic = or_404(getattr(application, "diagnostic", None))
    try:
        services.diagnostic_confirm(diagnostic=diagnostic, by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you: the AdN knows the diagnostic took place."))
    return redirect(application)


@login_required
def follow_up_survey(request, pk: int):
    application = or_404(selectors.member_application(user=request.user, pk=pk))
    survey = getattr(application, "follow_up_survey", None)
    if survey is None or survey.answered_at is not None:
        return redirect(application)
    form = FollowUpSurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_survey_answer(survey=survey, by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            return _done(request, _("Thank you for your answers!"), application.get_absolute_url())
    return render(
        request,
        "applications/follow_up_survey.html",
        {"application": application, "form": form},
        status=400 if form.is_bound else 200,
    )


# --- the payee (the beneficiary, or the expert company for Start IA): payment requests -----------


def _payee_file(request, pk: int):
    return or_404(selectors.payee_application(user=request.user, pk=pk))


def _back(application, user) -> str:
    """Where a payee's pages lead back to: the file page, or the expert company's."""
    if services.payee_actor(user, application) == Actor.EXPERT:
        from django.urls import reverse

        return reverse("applications:expert_follow_up", args=[application.pk])
    return application.get_absolute_url()


@login_required
def payment_request_create(request, pk: int):
    application = _payee_file(request, pk)
    instalments = services.instalments_open(application)
    form = PaymentRequestForm(request.POST or None, instalments=instalments)
    if request.method == "POST" and form.is_valid():
        try:
            payment_request = services.payment_request_start(
                application=application, by=request.user, **form.cleaned_data
            )
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            return _done(
                request,
                _("Add your invoices or expense statements, then submit the request."),
                payment_request.get_absolute_url(),
            )
    return render(
        request,
        "applications/payment_request_create.html",
        {"application": application, "form": form, "back": _back(application, request.user)},
        status=400 if form.is_bound else 200,
    )


def _payment_request_page(request, application, payment_request, *, line_form=None, status=200):
    return render(
        request,
        "applications/payment_request.html",
        {
            "application": application,
            "payment_request": payment_request,
            "line_form": line_form or PaymentLineForm(),
            "editable": payment_request.status == PaymentStatus.DRAFT,
            "back": _back(application, request.user),
        },
        status=status,
    )


@login_required
def payment_request_detail(request, pk: int, request_pk: int):
    application = _payee_file(request, pk)
    payment_request = or_404(selectors.payment_request_of(application, request_pk))
    return _payment_request_page(request, application, payment_request)


@login_required
@require_POST
def payment_line_add(request, pk: int, request_pk: int):
    application = _payee_file(request, pk)
    payment_request = or_404(selectors.payment_request_of(application, request_pk))
    form = PaymentLineForm(request.POST, request.FILES, refusal=upload_refusal(request))
    if form.is_valid():
        try:
            services.payment_line_add(
                request=payment_request,
                description=form.cleaned_data["description"],
                amount=form.cleaned_data["amount"],
                upload=form.cleaned_data["file"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("file", error)
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            return _done(request, _("Document added."), payment_request.get_absolute_url())
    return _payment_request_page(request, application, payment_request, line_form=form, status=400)


@login_required
@require_POST
def payment_request_submit(request, pk: int, request_pk: int):
    application = _payee_file(request, pk)
    payment_request = or_404(selectors.payment_request_of(application, request_pk))
    try:
        services.payment_request_submit(request=payment_request, by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect(payment_request.get_absolute_url())
    return _done(
        request, _("Your payment request is sent to the AdN."), _back(application, request.user)
    )


# --- the expert company of a Start IA file: the diagnostic ---------------------------------------


def _expert_page(request, application, *, form=None, status=200):
    follow_up = selectors.after_selection(application)
    diagnostic = follow_up.get("diagnostic")
    if diagnostic is None:
        raise Http404
    return render(
        request,
        "applications/expert/follow_up.html",
        {
            "application": application,
            "diagnostic": diagnostic,
            "form": form or DiagnosticForm(diagnostic=diagnostic),
            "payment_requests": follow_up["payment_requests"],
            "can_request_payment": bool(services.instalments_open(application))
            and services.payee_actor(request.user, application) == Actor.EXPERT,
            "document_kinds": FollowUpDocument.Kind,
        },
        status=status,
    )


@login_required
def expert_follow_up(request, pk: int):
    application = or_404(selectors.expert_follow_up_application(user=request.user, pk=pk))
    return _expert_page(request, application)


@login_required
@require_POST
def expert_diagnostic_save(request, pk: int):
    application = or_404(selectors.expert_follow_up_application(user=request.user, pk=pk))
    diagnostic = or_404(getattr(application, "diagnostic", None))
    form = DiagnosticForm(
        request.POST, request.FILES, diagnostic=diagnostic, refusal=upload_refusal(request)
    )
    if form.is_valid():
        try:
            services.diagnostic_save(
                diagnostic=diagnostic,
                by=request.user,
                days=form.cleaned_data["days"],
                report=form.cleaned_data["report"],
                action_plan=form.cleaned_data["action_plan"],
            )
            if "deliver" in request.POST:
                services.diagnostic_submit(diagnostic=diagnostic, by=request.user)
        except ValidationError as error:
            form.add_error("report", error)
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            return _done(request, _("Saved."), reverse_expert(application.pk))
    return _expert_page(request, application, form=form, status=400)


def reverse_expert(pk: int) -> str:
    from django.urls import reverse

    return reverse("applications:expert_follow_up", args=[pk])


@login_required
def expert_document_download(request, pk: int, document_pk: int):
    application = or_404(selectors.expert_follow_up_application(user=request.user, pk=pk))
    document = selectors.follow_up_document_of(
        application, document_pk, kinds=selectors.EXPERT_DOCUMENT_KINDS
    )
    return document_response(or_404(document))


def follow_up_context(request, application, **bound_forms) -> dict:
    """What the beneficiary's file page shows after selection (selectors.after_selection), and
    the forms it offers; a refused form comes back bound."""
    follow_up = selectors.after_selection(application)
    if not follow_up:
        return {}
    payee = services.payee_actor(request.user, application) == Actor.APPLICANT
    return {
        "follow_up": follow_up,
        "signed_copy_form": bound_forms.get("signed_copy_form") or SignedCopyForm(),
        "milestone_form": bound_forms.get("milestone_form") or MilestoneReportForm(),
        "can_request_payment": payee and bool(services.instalments_open(application)),
        "is_payee": payee,
    }
