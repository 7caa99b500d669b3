from allauth.account.adapter import DefaultAccountAdapter

from adn_portal.mailer.services import email_queue


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's message as usual, then hand it to the outbox: it is sent by a
        Celery worker after the transaction commits, and retried if the broker is down.

        Every allauth message is about the account's security and most carry a secret (a
        password-reset key, a confirmation key that also logs in, a log-in code): all are
        marked sensitive, so that none stays readable in the outbox once sent."""
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        email_queue(
            to=email, subject=message.subject, body=message.body, html=html, sensitive=True
        )
