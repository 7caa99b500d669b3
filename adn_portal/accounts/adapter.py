from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied

from adn_portal.lib.client import client_address
from adn_portal.mailer.services import email_queue


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        """allauth's rate limits count per client the address the portal resolved (forwarded
        headers from trusted proxies only), not allauth's own reading of X-Forwarded-For."""
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address

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
