import base64

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import PermissionDenied

from adn_portal.lib.client import client_address
from adn_portal.mailer.services import email_queue


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request, **credentials) -> None:
        """Wrong passwords are counted by django-axes per account *and* client. allauth's own
        limit here is per account from anywhere: anyone could lock a staff member out with
        five wrong passwords, so it is not applied (its second-factor limit still is)."""

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
        email_queue(to=email, subject=message.subject, body=message.body, html=html, sensitive=True)


def _fernet(secret: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"adn-portal mfa secrets"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


class MFAAdapter(DefaultMFAAdapter):
    """TOTP seeds and recovery-code seeds are stored encrypted (Fernet), with a key derived
    from SECRET_KEY; keys in SECRET_KEY_FALLBACKS still decrypt, so the key can be rotated."""

    @staticmethod
    def _keys() -> MultiFernet:
        return MultiFernet(
            [_fernet(key) for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]]
        )

    def encrypt(self, text: str) -> str:
        return self._keys().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        try:
            return self._keys().decrypt(encrypted_text.encode()).decode()
        except InvalidToken as error:
            raise ValueError(
                "An MFA secret could not be decrypted with the current keys."
            ) from error
