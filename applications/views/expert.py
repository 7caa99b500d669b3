"""The expert company's side of the Start IA files it works on: their list, and each file's
conversation with the SME and the AdN (docs/domain.md, The conversation of a file)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from adn_portal.lib.uploads import upload_refusal

from .. import conversation, services
from ..forms.conversation import MessageForm
from ..models import Side
from ..services import ApplicationError
from .shared import conversation_context, document_response, or_404


@login_required
def expert_applications(request):
    applications = conversation.with_unread(
        conversation.expert_applications(request.user).order_by("-submitted_at", "-pk"),
        user=request.user,
        side=Side.EXPERT,
    )
    return render(request, "applications/expert/applications.html", {"applications": applications})


@login_required
def expert_conversation(request, pk: int):
    application = or_404(conversation.expert_application(user=request.user, pk=pk))
    form = MessageForm(request.POST or None, request.FILES or None, refusal=upload_refusal(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.message_post(
                    application=application,
                    by=request.user,
                    side=Side.EXPERT,
                    body=form.cleaned_data["body"],
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as error:
                form.add_error("file", error)
            except ApplicationError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your message is sent."))
                return redirect("applications:expert_conversation", pk=application.pk)
        status = 400
    return render(
        request,
        "applications/expert/conversation.html",
        {
            "application": application,
            **conversation_context(
                request,
                application,
                side=Side.EXPERT,
                messages=conversation.thread(application, Side.EXPERT),
                last=conversation.last_read(user=request.user, application=application),
                form=form,
            ),
        },
        status=status,
    )


@login_required
def expert_message_attachment(request, pk: int, attachment_pk: int):
    application = or_404(conversation.expert_application(user=request.user, pk=pk))
    document = or_404(
        conversation.message_attachment(application=application, side=Side.EXPERT, pk=attachment_pk)
    )
    return document_response(document)
