"""What the applicant's, the expert company's and the staff's views share."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from adn_portal.lib.uploads import upload_refusal

from .. import conversation, services
from ..forms.conversation import MessageForm
from ..models import Application
from ..services import ApplicationError


def or_404(found):
    """What a selector found, or a 404 when it found nothing (None)."""
    if found is None:
        raise Http404
    return found


def conversation_context(
    request, application: Application, *, side: str, messages: list, last: int, form
) -> dict:
    """What a conversation's page shows (templates/applications/partials/conversation.html),
    with the messages it shows marked new for the reader; then they are read."""
    new = conversation.new_ids(messages, side=side, last=last)
    for message in messages:
        message.author = conversation.author_label(message, application, side)
        message.is_new = message.pk in new
        message.documents = [(d, d.url_for(side)) for d in message.attachments.all()]
    if messages:
        services.conversation_read(
            application=application, user=request.user, up_to=messages[-1].pk, last=last
        )
    return {
        "conversation": messages,
        "conversation_side": side,
        "conversation_new": len(new),
        "conversation_writable": conversation.is_writable(application),
        "conversation_with_expert": conversation.expert_takes_part(application),
        "message_form": form,
    }


def document_response(document) -> FileResponse:
    """A stored document, downloaded (never shown inline), not cached."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def message_write(request, application: Application, side: str) -> tuple[MessageForm, bool]:
    """The conversation's form, and whether its POST was sent (the same for every side): a
    refused document on its field, a refusal of the service above the form."""
    form = MessageForm(request.POST or None, request.FILES or None, refusal=upload_refusal(request))
    if request.method != "POST" or not form.is_valid():
        return form, False
    try:
        services.message_post(
            application=application,
            by=request.user,
            side=side,
            body=form.cleaned_data["body"],
            upload=form.cleaned_data["file"],
        )
    except ValidationError as error:
        form.add_error("file", error)
    except ApplicationError as error:
        form.add_error(None, str(error))
    else:
        messages.success(request, _("Your message is sent."))
        return form, True
    return form, False
