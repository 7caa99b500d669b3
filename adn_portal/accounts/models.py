from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken


class UserManager(BaseUserManager):
    """Users sign in with their e-mail address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="fr",
        help_text=_("Language of the interface and of the e-mails you receive."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class ApiToken(AbstractAuthToken):
    """A token for the API (django-rest-knox): only its SHA-512 digest is stored, and the first
    characters (`token_key`) to find it; the token itself is shown once, at creation."""

    name = models.CharField(_("name"), max_length=100)
    second_factor = models.BooleanField(
        _("made after the second factor"),
        default=False,
        help_text=_("Staff rights need a token made by a session that passed the second factor."),
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"


class IdempotencyKey(models.Model):
    """An unsafe API request sent with an Idempotency-Key (adn_portal/accounts/idempotency.py):
    reserved before its action runs, then the successful answer a repeat of the same request
    gets. Forgotten after IDEMPOTENCY_KEY_HOURS."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    scope = models.CharField(max_length=64)  # SHA-256 of the method and path
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the body
    # Empty while the action runs; then the 2xx answer's status (other answers free the key).
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_key_created_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class AuditEvent(models.Model):
    """Who did what, when, from where: log-ins, refusals, staff actions, GDPR requests.
    Kept apart from the files' timelines; never edited."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Failed log-in")
        LOGOUT = "logout", _("Logged out")
        PERMISSION_DENIED = "permission_denied", _("Refused access")
        SECOND_FACTOR_FAILED = "second_factor_failed", _("Wrong second-factor code")
        SECOND_FACTOR_THROTTLED = "second_factor_throttled", _("Second-factor attempts blocked")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        STAFF_ACTION = "staff_action", _("Staff action")
        FILE_VIEWED = "file_viewed", _("Staff read a file")
        DOCUMENT_DOWNLOADED = "document_downloaded", _("Staff downloaded a document")
        EXPORT_DOWNLOADED = "export_downloaded", _("Staff downloaded an export")
        DATA_EXPORT = "data_export", _("Personal data exported")
        ERASURE = "erasure", _("Account erased")
        RETENTION = "retention", _("Old files anonymised")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=255, blank=True)
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["action", "at"], name="audit_action_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.user_id or '-'}"
