"""Personal data (GDPR): a person's own export, erasure on request, and the retention rule.
Erasure and retention anonymise; they never delete files, so the indicators do not change."""

import uuid
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from adn_portal.accounts.audit import audit
from adn_portal.accounts.models import AuditEvent, User
from companies.models import Invitation, JoinRequest, Membership

from .models import ApplicantMessage, Application, ApplicationVersion, Attachment
from .workflow import Status

CONTACT_FIELDS = ("contact_name", "contact_function", "contact_email", "contact_phone")
ERASED = "—"


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
                "contact": {k: f.data.get("contact", {}).get(k) for k in CONTACT_FIELDS},
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


def _scrub_contact(data: dict) -> dict:
    contact = data.get("contact")
    if not contact:
        return data
    return {**data, "contact": {**contact, **{k: ERASED for k in CONTACT_FIELDS if k in contact}}}


@transaction.atomic
def user_erase(*, user: User, request=None) -> None:
    """Anonymise the person and block the account. Their files stay (for the organisation and
    the indicators) without their name or contact details."""
    for application in Application.objects.select_for_update().filter(created_by=user):
        application.data = _scrub_contact(application.data)
        application.save(update_fields=["data"])
        for version in application.versions.all():
            version.data = _scrub_contact(version.data)
            version.save(update_fields=["data"])
    Membership.objects.filter(user=user).delete()
    JoinRequest.objects.filter(user=user).delete()
    Invitation.objects.filter(email__iexact=user.email).delete()
    EmailAddress.objects.filter(user=user).delete()
    user.email = f"erased-{uuid.uuid4().hex[:12]}@invalid"
    user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    audit(AuditEvent.Action.ERASURE, request=request, user=user)


@transaction.atomic
def files_anonymise_older_than(*, years: int) -> int:
    """Retention: files closed more than `years` ago lose their contact details and documents."""
    cutoff = timezone.now() - timedelta(days=365 * years)
    ended = [Status.CLOSED, Status.REJECTED, Status.INELIGIBLE, Status.WITHDRAWN, Status.ABANDONED]
    old = Application.objects.filter(status__in=ended, updated_at__lt=cutoff).exclude(
        data__contact__contact_name=ERASED
    )
    count = 0
    for application in old.select_for_update():
        application.data = _scrub_contact(application.data)
        Application.objects.filter(pk=application.pk).update(
            data=application.data
        )  # keep updated_at
        for version in ApplicationVersion.objects.filter(application=application):
            ApplicationVersion.objects.filter(pk=version.pk).update(
                data=_scrub_contact(version.data)
            )
        for attachment in Attachment.objects.filter(application=application):
            attachment.file.delete(save=False)
            Attachment.objects.filter(pk=attachment.pk).update(original_name="document", file="")
        count += 1
    if count:
        audit(AuditEvent.Action.RETENTION, files=count, years=years)
    return count
