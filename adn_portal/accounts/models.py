from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.functional import cached_property
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

    def with_unread_notifications(self):
        """Each user with `unread_notifications` counted from their notification rows in the
        same statement (an index-only count on notification_unread_idx)."""
        return self.annotate(unread_notifications=unread_notifications_count())


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

    @cached_property
    def unread_notifications(self) -> int:
        """The header's badge: counted from the rows, never kept in a column that every
        notification would lock (issue 23). The session's user is loaded with it
        (accounts/backends.py: no query of its own); any other user counts on first use."""
        return self.notifications.filter(read_at__isnull=True).count()

    def notifications_were_read(self, count: int) -> None:
        """This request read `count` notifications: the count it loaded stays true."""
        if count and "unread_notifications" in self.__dict__:
            self.unread_notifications = max(0, self.unread_notifications - count)


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


class EventIsFinal(Exception):
    """An event of a chained record is written once (docs/domain.md, A record nobody can
    rewrite silently)."""


class ChainedEvent(models.Model):
    """An event of a tamper-evident chain (adn_portal/accounts/chains.py): sealed when written,
    in the writing transaction, with its content's digest, its place in its chain and its link
    to the previous event. Never edited: save() refuses an event already stored."""

    chain_seq = models.PositiveBigIntegerField(null=True, editable=False)
    # Empty (the database's default) on a row written around the portal: verification says so.
    digest = models.CharField(max_length=64, default="", db_default="", editable=False)
    link = models.CharField(max_length=64, default="", db_default="", editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise EventIsFinal(f"{type(self).__name__} {self.pk} is final: it is never edited.")
        from .chains import chain_insert, seal

        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        if connections[using].vendor == "postgresql":
            chain_insert(self, using=using)  # the same seal in one statement (chains.py)
            return
        with transaction.atomic(using=using):
            seal(self)
            super().save(*args, **kwargs)

    def chain_name(self) -> str:
        raise NotImplementedError

    def chain_content(self) -> dict:
        raise NotImplementedError


class ChainHead(models.Model):
    """The last link of one chain ("audit", or "file:<pk>" for a file's timeline): the next
    writer locks this row, so the chain cannot fork."""

    chain = models.CharField(max_length=40, primary_key=True)
    length = models.PositiveBigIntegerField(default=0)
    link = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain} #{self.length}"


class AuditEvent(ChainedEvent):
    """Who did what, when, from where: log-ins, refusals, staff actions, GDPR requests.
    Kept apart from the files' timelines; never edited (a lawful erasure changes rows in the
    open: AuditRedaction)."""

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

    # Set before the seal is computed (auto_now_add would set it afterwards).
    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    # A person with a record is erased (applications/privacy.py), never deleted: deleting
    # would rewrite their rows.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=255, blank=True)
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["action", "at"], name="audit_action_idx")]
        constraints = [models.UniqueConstraint(fields=["chain_seq"], name="audit_chain_seq_unique")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.user_id or '-'}"

    def chain_name(self) -> str:
        from .chains import AUDIT_CHAIN

        return AUDIT_CHAIN

    def chain_content(self) -> dict:
        from .chains import audit_content

        return audit_content(vars(self))


class AuditRedaction(models.Model):
    """A lawful erasure changed this audit row: the digest of what the row holds since. The
    erasure's own audit event carries the digest of all its redactions, so none can be added,
    changed or removed unseen (docs/domain.md, A record nobody can rewrite silently)."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="redactions")
    erasure = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.event_id} by {self.erasure_id}"


class BreakReason(models.TextChoices):
    UNSEALED = "unsealed", _("An event without a seal: written around the portal")
    MISSING = "missing", _("One or more events before this one were removed")
    CHANGED = "changed", _("The content of this event was changed")
    LINK = "link", _("This event does not follow the previous one (inserted, moved or resealed)")
    HEAD = "head", _("The last events of the chain were removed")
    EMPTIED = "emptied", _("Every event of the chain was removed")
    ANCHOR = "anchor", _("An event an earlier verification saw was removed or changed")
    REDACTION = "redaction", _("An erasure's record of the rows it changed does not match")


class RecordCheck(models.Model):
    """One verification of every chain (applications/records.py): what it read and the first
    broken link of each broken chain. Its last link of the audit log is the next check's
    anchor: an event removed from the end after a check is still found."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Daily schedule")
        COMMAND = "command", _("Command")

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True)
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    intact = models.BooleanField(null=True)
    events = models.PositiveBigIntegerField(default=0)
    chains = models.PositiveBigIntegerField(default=0)
    breaks = models.JSONField(default=list)
    audit_seq = models.PositiveBigIntegerField(null=True)
    audit_link = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {'intact' if self.intact else 'broken'}"

    @property
    def break_rows(self) -> list[dict]:
        """The breaks with their reasons in words, for the staff page."""
        return [
            {**entry, "reason_label": BreakReason(entry["reason"]).label}
            for entry in self.breaks
            if entry.get("reason") in BreakReason.values
        ]


# ---------------------------------------------------------------------------------------------
# Notifications (adn_portal/accounts/notifications/): generic, a kind, a text and a link. What
# a file is stays in applications, which produces them.


class NotificationKind(models.TextChoices):
    """What a notification is about; each person chooses per kind how it reaches them."""

    SUBMISSION = "submission", _("New submissions")
    ASSIGNMENT = "assignment", _("Assignments")
    MESSAGE = "message", _("New messages")
    INFORMATION_ANSWERED = "information_answered", _("Answered requests for information")
    DECISION = "decision", _("Decisions")
    PAYMENT = "payment", _("Payments")
    REMINDER = "reminder", _("Reminders")


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("By e-mail, at once")
    DIGEST = "digest", _("By e-mail, in a daily digest")
    PORTAL = "portal", _("In the portal only")


class Notification(models.Model):
    """Something a person should know, shown in their notification list and, as they chose,
    e-mailed at once or in the daily digest. The text is the English message id with its
    parameters, translated when it is read (the reader's language of the moment) or mailed
    (the recipient's)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    text = models.CharField(max_length=255)
    params = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    url = models.CharField(max_length=500)  # a path of the portal: the page it is about
    # What it is about ("application:42"): reading that page marks it read.
    target = models.CharField(max_length=64, blank=True)
    delivery = models.CharField(max_length=16, choices=Delivery.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # At once: when its e-mail was queued; digest: when it went into a digest (or was read
    # before); in the portal only: never.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_list_idx"),
            models.Index(
                fields=["recipient", "target"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(
                fields=["recipient"],
                condition=models.Q(delivery="digest", emailed_at__isnull=True),
                name="notification_digest_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} · {self.kind} · {self.created_at:%Y-%m-%d %H:%M}"


class NotificationPreference(models.Model):
    """How one person wants one kind of notification; without a row, the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    delivery = models.CharField(max_length=16, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.kind}: {self.delivery}"


class ReminderClaim(models.Model):
    """A reminder taken by a run (adn_portal/accounts/notifications/reminders.py): one row per
    kind of reminder, thing reminded of and due date, inserted in the transaction that sends
    it. A second run (beat twice) cannot insert it again; a run that dies rolls it back with
    what it was sending."""

    kind = models.CharField(max_length=64)
    target = models.CharField(max_length=64)  # "application:42", "message:7"
    due_on = models.DateField()
    claimed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target", "due_on"], name="reminder_claim_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.target} · {self.due_on}"


def unread_notifications_count() -> models.Subquery:
    """COUNT(*) of the outer user's unread notifications: one row even when there are none."""
    return models.Subquery(
        Notification.objects.filter(recipient=models.OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values(
            n=models.Func(function="COUNT", template="COUNT(*)", output_field=models.IntegerField())
        ),
        output_field=models.IntegerField(),
    )
