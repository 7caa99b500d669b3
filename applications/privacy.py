"""Personal data (GDPR): a person's own export, erasure on request, and the retention rule.
Erasure and retention anonymise; they never delete files, so the indicators do not change."""

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from adn_portal.accounts.audit import audit
from adn_portal.accounts.chains import Redactions
from adn_portal.accounts.models import ApiToken, AuditEvent, IdempotencyKey, User
from adn_portal.lib import stored_files
from adn_portal.mailer.models import OutgoingEmail
from companies.models import Invitation, JoinRequest, Membership, OwnershipClaim
from programs.application_forms import Role

from .models import ApplicantMessage, Application, ApplicationVersion, Attachment
from .steps import role_names
from .workflow import Status

ERASED = "—"
# The mark of a file anonymised after its retention period (a key of its data no step has).
ANONYMISED = "anonymised"


def personal_data(user: User) -> dict:
    """Everything the portal holds about this person, and only about them."""
    files = Application.objects.filter(created_by=user).select_related("call", "organisation")
    return {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": user.language,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "email_addresses": list(
            EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
        ),
        "memberships": [
            {
                "organisation": m.organisation.name,
                "enterprise_number": m.organisation.enterprise_number_display,
                "role": m.role,
            }
            for m in Membership.objects.filter(user=user).select_related("organisation")
        ],
        "files_started": [
            {
                "reference": f.reference,
                "call": f.call.title_fr,
                "organisation": f.organisation.name,
                "status": f.status,
                "contact": _personal_answers(f),
            }
            for f in files
        ],
        "messages_received": list(
            ApplicantMessage.objects.filter(application__created_by=user).values(
                "subject", "body", "created_at"
            )
        ),
        "log_ins": list(
            AuditEvent.objects.filter(user=user, action=AuditEvent.Action.LOGIN).values("at", "ip")[
                :100
            ]
        ),
    }


def _personal_answers(application: Application) -> dict:
    """The answers of the file's questions about a person (their role), by question."""
    answers = {}
    for slug, names in role_names(application, Role.PERSONAL).items():
        stored = application.data.get(slug) or {}
        answers |= {name: stored.get(name) for name in names}
    return answers


def _scrub_contact(application: Application, data: dict) -> dict:
    """The data less the answers of the questions about a person (whatever the form)."""
    scrubbed = dict(data)
    for slug, names in role_names(application, Role.PERSONAL).items():
        stored = data.get(slug)
        if isinstance(stored, dict):
            scrubbed[slug] = {**stored, **{k: ERASED for k in names if k in stored}}
    return scrubbed


@transaction.atomic
def user_erase(*, user: User) -> None:
    """Anonymise the person and block the account. Their files stay (for the organisation and
    the indicators) without their name or contact details, and no table keeps their e-mail
    address, their name or the network addresses they used: not the outbox, the audit log,
    django-axes' logs, allauth's addresses and authenticators, API tokens or sessions."""
    person = _Person.of(user)
    for application in Application.objects.select_for_update().filter(created_by=user):
        application.data = _scrub_contact(application, application.data)
        application.save(update_fields=["data"])
        for version in application.versions.all():
            version.data = _scrub_contact(application, version.data)
            version.save(update_fields=["data"])
    Membership.objects.filter(user=user).delete()
    JoinRequest.objects.filter(user=user).delete()
    Invitation.objects.filter(email__in=person.emails).delete()
    EmailAddress.objects.filter(user=user).delete()  # and their confirmations
    Authenticator.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    IdempotencyKey.objects.filter(user=user).delete()  # stored answers hold their data
    _erase_ownership_claims(user, person)
    _erase_sessions(user, person)
    _erase_outbox(person)
    redactions = _erase_audit_trail(user, person)
    _erase_admin_log(person)
    user.email = f"erased-{uuid.uuid4().hex[:12]}@invalid"
    user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    # Without the request: the address it came from is theirs too. The erasure's event vouches
    # for the audit rows it changed (docs/domain.md, A record nobody can rewrite silently).
    erasure = audit(AuditEvent.Action.ERASURE, user=user, redacted=redactions.summary())
    redactions.record(erasure)


@dataclass(frozen=True)
class _Person:
    """What identifies the person in free text, and the network addresses they used."""

    emails: tuple[str, ...]
    names: tuple[str, ...]  # the full name first, then each part
    addresses: frozenset[str]

    @classmethod
    def of(cls, user: User) -> "_Person":
        emails = tuple(
            {user.email.lower()}
            | {
                e.lower()
                for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
            }
        )
        full = user.get_full_name().strip()
        parts = [n.strip() for n in (user.first_name, user.last_name) if len(n.strip()) > 1]
        names = tuple(dict.fromkeys(n for n in (full, *parts) if n))
        return cls(emails=emails, names=names, addresses=_addresses_used(user, emails))

    def redact(self, text: str) -> str:
        for needle in self.emails:
            text = re.sub(re.escape(needle), ERASED, text, flags=re.IGNORECASE)
        for name in self.names:
            text = re.sub(rf"\b{re.escape(name)}\b", ERASED, text, flags=re.IGNORECASE)
        return text

    def redact_json(self, value):
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, list):
            return [self.redact_json(v) for v in value]
        if isinstance(value, dict):
            return {k: self.redact_json(v) for k, v in value.items()}
        return value

    def texts(self, *fields: str) -> Q:
        """Rows whose `fields` mention them by address or full name (a first name alone is too
        common to pick rows by; it is replaced in the rows picked)."""
        return Q(
            *(
                Q(**{f"{field}__icontains": needle})
                for field in fields
                for needle in self.emails + self.names[:1]
            ),
            _connector=Q.OR,
        )


def _addresses_used(user: User, emails: tuple[str, ...]) -> frozenset[str]:
    """Every IP address seen for them: their audit rows, failed log-ins on their address, and
    django-axes' records of their address."""
    tried = Q(*(Q(details__tried__iexact=e) for e in emails), _connector=Q.OR)
    seen = set(
        AuditEvent.objects.filter(Q(user=user) | tried)
        .exclude(ip=None)
        .values_list("ip", flat=True)
    )
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        seen |= set(
            model.objects.filter(username__in=emails)
            .exclude(ip_address=None)
            .values_list("ip_address", flat=True)
        )
    return frozenset(seen)


def _erase_ownership_claims(user: User, person: _Person) -> None:
    """A pending claim dies with the account; a decided one stays as the history of who owns
    the organisation, without their words or their document."""
    claims = OwnershipClaim.objects.filter(claimant=user)
    claims.pending().delete()  # with their documents, on commit (companies/apps.py)
    for claim in claims:
        claim.comment = person.redact(claim.comment)
        claim.save(update_fields=["comment"])
        if claim.document:
            stored_files.delete_on_commit(claim.document.storage, claim.document.name)
    claims.update(message=ERASED, document="", document_name="")


def _erase_sessions(user: User, person: _Person) -> None:
    """Their sessions in every browser, and any other session that holds their address (allauth
    keeps it during log-in and sign-up). Sessions are signed blobs: each is decoded."""
    engine = import_module(settings.SESSION_ENGINE)
    if not hasattr(engine.SessionStore, "get_model_class"):
        return  # sessions kept in signed cookies or the cache only: nothing stored here
    store = engine.SessionStore()
    rows = engine.SessionStore.get_model_class().objects.values_list("session_key", "session_data")
    theirs = []
    for key, data in rows.iterator(chunk_size=2000):
        session = store.decode(data)
        text = str(session).lower()
        if session.get(SESSION_KEY) == str(user.pk) or any(e in text for e in person.emails):
            theirs.append(key)
    for key in theirs:
        engine.SessionStore(session_key=key).delete()


def _erase_outbox(person: _Person) -> None:
    """Messages to them go; messages to others about them (a join request to the owners)
    stay, without their name or address."""
    OutgoingEmail.objects.filter(
        Q(*(Q(to__iexact=e) for e in person.emails), _connector=Q.OR)
    ).delete()
    for email in OutgoingEmail.objects.filter(person.texts("subject", "body", "html")):
        email.subject = person.redact(email.subject)[:255]
        email.body, email.html = person.redact(email.body), person.redact(email.html)
        email.save(update_fields=["subject", "body", "html"])


def _erase_audit_trail(user: User, person: _Person) -> Redactions:
    """The audit log keeps what happened, not who they were: their rows and the rows naming them
    (failed log-ins on their address) lose the address and the name; anonymous rows from their
    addresses lose the address. Rows of other identified people keep their own address. The
    rows are changed in the open: what each holds since is recorded (Redactions).

    django-axes: records of their address go; logs from their addresses under an address that
    is no account lose the IP. Live lock-out counters of other accounts from their addresses are
    left to expire with the cool-off (AXES_COOLOFF_HOURS): clearing them would lift a lock-out."""
    redactions = Redactions()
    naming = Q(user=user) | person.texts("details")
    for event in AuditEvent.objects.filter(naming).order_by("pk"):
        redactions.change(event, ip=None, details=person.redact_json(event.details))
    if person.addresses:
        for event in AuditEvent.objects.filter(user=None, ip__in=person.addresses).order_by("pk"):
            redactions.change(event, ip=None)
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__in=person.emails).delete()
    if person.addresses:
        accounts = User.objects.exclude(pk=user.pk).values("email")
        for model in (AccessLog, AccessFailureLog):
            model.objects.filter(ip_address__in=person.addresses).exclude(
                username__in=accounts
            ).update(ip_address=None)
    return redactions


def _erase_admin_log(person: _Person) -> None:
    for entry in LogEntry.objects.filter(person.texts("object_repr", "change_message")):
        entry.object_repr = person.redact(entry.object_repr)[:200]
        entry.change_message = person.redact(entry.change_message)
        entry.save(update_fields=["object_repr", "change_message"])


@transaction.atomic
def applications_anonymise_older_than(*, years: int) -> int:
    """Retention: files closed more than `years` ago lose their contact details and documents."""
    cutoff = timezone.now() - timedelta(days=365 * years)
    ended = [Status.CLOSED, Status.REJECTED, Status.INELIGIBLE, Status.WITHDRAWN, Status.ABANDONED]
    # Files done already: marked (ANONYMISED), or erased before the mark existed.
    old = (
        Application.objects.filter(status__in=ended, updated_at__lt=cutoff)
        .exclude(data__has_key=ANONYMISED)
        .exclude(data__contact__contact_name=ERASED)
    )
    count = 0
    for application in old.select_for_update():
        application.data = {**_scrub_contact(application, application.data), ANONYMISED: True}
        Application.objects.filter(pk=application.pk).update(
            data=application.data
        )  # keep updated_at
        for version in ApplicationVersion.objects.filter(application=application):
            ApplicationVersion.objects.filter(pk=version.pk).update(
                data=_scrub_contact(application, version.data)
            )
        for attachment in Attachment.objects.filter(application=application):
            # On commit: a rollback keeps the row naming the file.
            stored_files.delete_on_commit(attachment.file.storage, attachment.file.name)
            Attachment.objects.filter(pk=attachment.pk).update(original_name="document", file="")
        count += 1
    if count:
        audit(AuditEvent.Action.RETENTION, files=count, years=years)
    return count
