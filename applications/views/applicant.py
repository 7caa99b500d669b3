from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from adn_portal.lib.redirects import safe_next
from adn_portal.lib.uploads import upload_refusal
from companies.session import active_organisation

from .. import conversation, selectors, services, workflow
from ..forms.applicant import AnswerForm, AttachmentForm, OutcomeReportForm, WithdrawForm
from ..forms.conversation import MessageForm
from ..models import Application, Side
from ..services import ApplicationError
from ..steps import describe, steps_for
from ..workflow import Status
from .drafts import documents_step_page, resume_url
from .follow_up import follow_up_context
from .shared import conversation_context, document_response, message_write, or_404


@login_required
def my_applications(request):
    organisation = active_organisation(request)
    applications = (
        selectors.organisation_applications(organisation, user=request.user)
        if organisation
        else Application.objects.none()
    )
    return render(
        request,
        "applications/my_applications.html",
        {"organisation": organisation, "applications": applications},
    )


@login_required
def detail(request, pk: int):
    return _detail_page(request, pk)


def _detail_page(
    request, pk: int, *, withdraw_form=None, message_form=None, status: int = 200, **follow_up_forms
):
    """The file page with its conversation (read once shown); a refused form comes back
    bound, with its errors."""
    application = or_404(selectors.member_application_detail(user=request.user, pk=pk))
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "content": describe(application) if not application.is_draft else [],
            "resume_url": resume_url(application) if application.is_draft else None,
            "can_withdraw": workflow.allowed(
                Status(application.status), Status.WITHDRAWN, workflow.Actor.APPLICANT
            ),
            "withdraw_form": withdraw_form or WithdrawForm(),
            # docs/domain.md, After selection: agreement, payments, follow-up.
            **follow_up_context(request, application, **follow_up_forms),
            **conversation_context(
                request,
                application,
                side=Side.APPLICANT,
                messages=application.message_list,
                last=application.last_read,
                form=message_form or MessageForm(),
            ),
        },
        status=status,
    )


@login_required
@require_POST
def message_send(request, pk: int):
    """Write to the AdN in the file's conversation (with a document, optionally)."""
    application = or_404(selectors.member_application(user=request.user, pk=pk))
    form, sent = message_write(request, application, Side.APPLICANT)
    if sent:
        return redirect(f"{application.get_absolute_url()}#conversation")
    return _detail_page(request, pk, message_form=form, status=400)


@login_required
def message_attachment(request, pk: int, attachment_pk: int):
    application = or_404(selectors.member_application(user=request.user, pk=pk))
    document = or_404(
        conversation.message_attachment(
            application=application, side=Side.APPLICANT, pk=attachment_pk
        )
    )
    return document_response(document)


@login_required
@require_POST
def withdraw(request, pk: int):
    application = or_404(selectors.member_application(user=request.user, pk=pk))
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, pk, withdraw_form=form, status=400)
    try:
        services.application_withdraw(
            application=application, by=request.user, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your application is withdrawn."))
    return redirect(application)


@login_required
def delete_draft(request, pk: int):
    """A draft the organisation no longer wants: deleted with its documents, once confirmed."""
    application = or_404(selectors.member_application(user=request.user, pk=pk))
    if request.method == "POST":
        try:
            services.application_delete_draft(application=application, by=request.user)
        except ApplicationError as error:
            messages.error(request, str(error))
            return redirect(application)
        messages.success(request, _("The draft is deleted."))
        return redirect("applications:my_applications")
    if not application.is_draft:
        return redirect(application)
    return render(
        request,
        "applications/delete_draft.html",
        {"application": application, "documents": application.attachments.count()},
    )


@login_required
def answer(request, pk: int):
    application = or_404(selectors.member_application(user=request.user, pk=pk))
    if application.status != Status.INFO_REQUESTED:
        return redirect(application)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_answer_information_request(
                application=application, by=request.user, answer=form.cleaned_data["answer"]
            )
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your answer is sent to the AdN."))
            return redirect(application)
    return _answer_page(request, application, form, AttachmentForm())


def _answer_page(request, application, form, upload_form, *, status: int = 200):
    return render(
        request,
        "applications/answer.html",
        {
            "application": application,
            "form": form,
            "request_message": application.messages.filter(kind="info_request").first(),
            "steps": [s for s in steps_for(application) if not s.is_documents],
            "upload_form": upload_form,
            "documents": application.attachments.all(),
            "documents_next": reverse("applications:answer", args=[application.pk]),
        },
        status=status,
    )


def _upload_form_page(request, application, upload_form):
    """The page the refused upload form came from, again, with its errors (400); None when
    no page holds that form for this file now."""
    if application.status not in {Status.DRAFT, Status.INFO_REQUESTED}:
        return None
    answer_url = reverse("applications:answer", args=[application.pk])
    if application.status == Status.INFO_REQUESTED and request.POST.get("next") == answer_url:
        return _answer_page(request, application, AnswerForm(), upload_form, status=400)
    documents = next((s for s in steps_for(application) if s.is_documents), None)
    if documents is None:
        return None
    return documents_step_page(request, application, documents, upload_form, status=400)


@login_required
def report(request, pk: int):
    application = or_404(selectors.member_application(user=request.user, pk=pk))
    if application.status != Status.IN_PROGRESS:
        return redirect(application)
    form = OutcomeReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_submit_report(
                application=application, by=request.user, report=form.save(commit=False)
            )
        except ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your final report is sent. Thank you!"))
            return redirect(application)
    return render(request, "applications/report.html", {"application": application, "form": form})


@login_required
@require_POST
def attachment_upload(request, pk: int):
    """Stored: back to the page the form was on. Refused: that page again, with the reason
    next to the field (a file too large is refused before it is read whole)."""
    application = or_404(selectors.member_application(user=request.user, pk=pk))
    form = AttachmentForm(request.POST, request.FILES, refusal=upload_refusal(request))
    if form.is_valid():
        try:
            services.attachment_add(
                application=application,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("file", error)
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Document added."))
            return redirect(safe_next(request, application.get_absolute_url()))
    page = _upload_form_page(request, application, form)
    if page is not None:
        return page
    for error in form.errors.values():  # no page holds the form now: the file page says why
        messages.error(request, error[0])
    return redirect(application)


@login_required
@require_POST
def attachment_remove(request, pk: int, attachment_pk: int):
    attachment = or_404(
        selectors.member_attachment(user=request.user, pk=pk, attachment_pk=attachment_pk)
    )
    try:
        services.attachment_remove(attachment=attachment, by=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
    return redirect(safe_next(request, reverse("applications:step", args=[pk, "documents"])))


@login_required
def attachment_download(request, pk: int, attachment_pk: int):
    attachment = or_404(
        selectors.member_attachment(user=request.user, pk=pk, attachment_pk=attachment_pk)
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_data(request):
    """GDPR: the person's own data as JSON."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder
    from django.http import HttpResponse

    from adn_portal.accounts.audit import audit
    from adn_portal.accounts.models import AuditEvent

    from ..privacy import personal_data

    audit(AuditEvent.Action.DATA_EXPORT, request=request)
    response = HttpResponse(
        json.dumps(
            personal_data(request.user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=1
        ),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="mes-donnees.json"'
    return response


@login_required
def erase_account(request):
    """GDPR: erasure on request, confirmed with the password.

    The password is guarded like the log-in's: a wrong one counts as a failed log-in for this
    account and client (django-axes, audited), and a locked account+client gets the lockout page."""
    from axes.handlers.proxy import AxesProxyHandler
    from axes.helpers import get_lockout_response
    from django.contrib.auth import logout
    from django.contrib.auth.signals import user_login_failed

    from ..privacy import user_erase

    error_message = ""
    if request.method == "POST":
        credentials = {"email": request.user.email}
        if AxesProxyHandler.is_locked(request, credentials):
            return get_lockout_response(request, credentials=credentials)
        if request.user.check_password(request.POST.get("password", "")):
            user = request.user
            logout(request)
            user_erase(user=user)
            messages.success(request, _("Your account is erased. Thank you for using the portal."))
            return redirect("programs:home")
        # The failure that reaches the limit makes AxesMiddleware answer the lockout page.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        error_message = _("This password is not right.")
    return render(request, "accounts/erase.html", {"error": error_message})
