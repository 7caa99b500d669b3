import base64
from dataclasses import dataclass
from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from adn_portal.lib.client import client_address
from adn_portal.lib.redirects import safe_next
from adn_portal.mailer.services import email_queue

from .federal.logout import end_session_url


@dataclass(frozen=True)
class PortalSite:
    """What allauth's messages call the site (`current_site`): the portal has no
    django.contrib.sites, and its outbox renders them outside allauth's own send_mail."""

    name: str
    domain: str


def portal_site(request) -> PortalSite:
    """The portal's name, and the address the person used (the links of the message carry
    it too), or SITE_URL's when there is no request."""
    domain = request.get_host() if request is not None else settings.SITE_URL.split("://")[-1]
    return PortalSite(name="ADN Portal", domain=domain.rstrip("/"))


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
        context = {"current_site": portal_site(allauth_context.request), **context}
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

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        """The link of the address confirmation e-mail, with the page the person signed up
        from (`next`, a path of this site): confirming leads back there, whichever browser
        the link is opened in (in the sign-up's own, allauth also logs them in)."""
        url = super().get_email_confirmation_url(request, emailconfirmation)
        target = safe_next(request, "") if request is not None else ""
        return f"{url}?{urlencode({'next': target})}" if target else url

    def get_login_redirect_url(self, request) -> str:
        """Staff land on their queue of files; applicants where LOGIN_REDIRECT_URL says (the
        home page). A `next` given to the log-in page still wins (allauth reads it first)."""
        from .permissions import STAFF, role_names

        user = request.user
        if user.is_authenticated and (user.is_superuser or role_names(user) & set(STAFF)):
            return reverse("applications:staff_queue")
        return super().get_login_redirect_url(request)

    def get_logout_redirect_url(self, request) -> str:
        """The home page; a session opened through the federal log-in goes through the
        provider's log-out first, which sends the person back there (federal/logout.py)."""
        home = super().get_logout_redirect_url(request)
        return end_session_url(request, return_to=settings.SITE_URL.rstrip("/") + home) or home


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Accounts made by the federal log-in (adn_portal/accounts/federal). Whether one is found
    or linked by its e-mail address is allauth's rule, set in settings: only an address the
    provider says it verified (SOCIALACCOUNT_EMAIL_AUTHENTICATION)."""

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        # As the sign-up form would have them: addresses in lower case, names that fit.
        user.email = (user.email or "").lower()
        user.first_name = (user.first_name or "")[:150]
        user.last_name = (user.last_name or "")[:150]
        claims = sociallogin.account.extra_data
        claims = claims.get("userinfo") or claims.get("id_token") or {}
        locale = str(claims.get("locale") or "")[:2].lower()
        supported = {code for code, _name in settings.LANGUAGES}
        user.language = locale if locale in supported else translation.get_language() or "fr"
        if user.language not in supported:
            user.language = settings.LANGUAGE_CODE
        return user


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
