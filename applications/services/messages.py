"""Writing to the applicant: one message, rendered once, kept in the file's conversation
(ApplicantMessage), sent by e-mail through the outbox and noted on the file's timeline."""

from django.conf import settings
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext as _

from adn_portal.accounts.models import User
from adn_portal.mailer.services import email_queue, email_template_render

from .. import notifications
from ..models import ApplicantMessage, Application, ApplicationEvent, MessageTemplate
from .core import ApplicationError

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def language_of(user: User) -> str:
    """The language the person reads the portal in (French when none is stored)."""
    return user.language if user.language in LANGUAGES else settings.LANGUAGE_CODE


def applicant_message_send(
    *,
    application: Application,
    to: User,
    kind: str,
    subject: str,
    body: str,
    sent_by: User | None = None,
) -> ApplicantMessage:
    """The one way to write to the applicant: the same subject and body on the file page and
    in the e-mail (queued on commit), and a line on the timeline."""
    message = ApplicantMessage.objects.create(
        application=application, kind=kind, subject=subject, body=body, sent_by=sent_by
    )
    email_queue(to=to.email, subject=subject, body=body)
    ApplicationEvent.objects.create(
        application=application, kind=ApplicationEvent.Kind.MESSAGE, by=sent_by, comment=subject
    )
    # In the file's conversation: its other members hear of it as they chose.
    notifications.letter_sent(message, to=to)
    return message


def portal_message(*, application: Application, template: str, context: dict, to: User):
    """(subject, body) of one of the portal's own messages (templates/emails/<template>_*.txt)
    in the recipient's language."""
    return email_template_render(
        template=template,
        context={"application": application, **context},
        language=language_of(to),
    )


def programme_message(*, application: Application, kind: str, comment: str, to: User):
    """(subject, body) of the programme's editable template of this kind (or the general one)
    in the recipient's language."""
    template = (
        MessageTemplate.objects.filter(kind=kind, programme=application.programme).first()
        or MessageTemplate.objects.filter(kind=kind, programme__isnull=True).first()
    )
    if template is None:
        raise ApplicationError(_("No message template is defined for this decision."))
    language = language_of(to)
    with translation.override(language):
        context = Context(
            {
                "reference": application.reference,
                "organisation": application.organisation.name,
                "call": application.call.title,
                "programme": application.programme.name,
                "comment": comment,
                "url": f"{settings.SITE_URL}{application.get_absolute_url()}",
            },
            autoescape=False,
        )
        subject = Template(getattr(template, f"subject_{language}")).render(context).strip()
        body = Template(getattr(template, f"body_{language}")).render(context)
    return subject, body
