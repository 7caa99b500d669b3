"""The expert company's side of the Start IA files it works on: their list, and each file's
conversation with the SME and the AdN (docs/domain.md, The conversation of a file)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .. import conversation
from ..models import Side
from .shared import conversation_context, document_response, message_write, or_404


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
    form, sent = message_write(request, application, Side.EXPERT)
    if sent:
        return redirect("applications:expert_conversation", pk=application.pk)
    status = 400 if request.method == "POST" else 200
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
