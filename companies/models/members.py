"""Who acts for an organisation: members and owners, invitations, requests to join, and
claims of ownership when the real company takes back its enterprise number."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from adn_portal.lib.uploads import private_storage

from .organisations import Organisation


class MemberRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MEMBER = "member", _("Member")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} ({self.role})"


def invitation_digest(token: str) -> str:
    """What is stored of an invitation link's token: whoever reads the table cannot accept."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An owner invites a colleague by e-mail; the link works for that address only. Only the
    digest of the link's token is stored (`invitation_digest`)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(
        _("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    token = models.CharField(max_length=64, unique=True)  # invitation_digest of the link's
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        # What the invitation limits count (services.organisation_invite).
        indexes = [
            models.Index(fields=["invited_by", "created_at"], name="invitation_by_user_idx"),
            models.Index(fields=["organisation", "created_at"], name="invitation_by_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class JoinRequest(models.Model):
    """Someone whose organisation is already registered asks its owners to let them in."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="join_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    message = models.TextField(_("message to the owners"), blank=True)
    status = models.CharField(
        max_length=16, choices=JoinRequestStatus.choices, default=JoinRequestStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("request to join")
        verbose_name_plural = _("requests to join")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(status="pending"),
                name="join_request_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation}"


# ---------------------------------------------------------------------------------------------
# Ownership claims: the real company takes back its enterprise number


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Ownership moved")
    REFUSED = "refused", _("Refused")


class OwnershipClaimQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ClaimStatus.PENDING)


class OwnershipClaim(models.Model):
    """Someone says an organisation registered by others is theirs. AdN staff verify and either
    refuse or move the ownership; the current owners can neither cancel nor block it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="ownership_claims"
    )
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ownership_claims"
    )
    message = models.TextField(_("why the organisation is yours"))
    # Checked by content like the applicants' documents; never under a public URL.
    document = models.FileField(_("supporting document"), storage=private_storage, blank=True)
    document_name = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.PENDING
    )
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("comment for the claimant"), blank=True)
    # Who owned the organisation before a granted claim, and whether they stayed members.
    previous_owners = models.JSONField(default=list, blank=True, editable=False)
    previous_owners_kept = models.BooleanField(default=False, editable=False)

    objects = OwnershipClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("ownership claim")
        verbose_name_plural = _("ownership claims")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "claimant"],
                condition=Q(status="pending"),
                name="ownership_claim_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(status="pending")
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="ownership_claim_decided_has_who_and_when",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="ownership_claim_status_idx")]

    def __str__(self) -> str:
        return f"{self.claimant} → {self.organisation} ({self.status})"
