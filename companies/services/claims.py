"""Ownership claims: someone says an organisation registered by others is theirs, and AdN staff
refuse the claim or move the ownership."""

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adn_portal.accounts.audit import audit
from adn_portal.accounts.models import AuditEvent, User
from adn_portal.accounts.roles import Role
from adn_portal.lib import uploads
from adn_portal.mailer.services import email_template_queue

from .. import selectors
from ..identifiers import normalise_enterprise_number
from ..models import ClaimStatus, Invitation, MemberRole, Membership, Organisation, OwnershipClaim
from .errors import CompanyError

# The staff menu's count of pending claims, cached by the template tag that shows it on every
# page (companies/templatetags/staff_menu.py) and cleared here whenever that count may move.
PENDING_CLAIMS_KEY = "companies:pending-ownership-claims"


def claims_changed() -> None:
    transaction.on_commit(lambda: cache.delete(PENDING_CLAIMS_KEY))


@transaction.atomic
def ownership_claim_create(
    *, enterprise_number: str, claimant: User, message: str, document=None
) -> OwnershipClaim:
    """Someone says an organisation registered by others is theirs: AdN staff will verify.
    The current owners are not asked and cannot withdraw or block the claim."""
    number = normalise_enterprise_number(enterprise_number)
    organisation = Organisation.objects.filter(enterprise_number=number).first()
    if organisation is None:
        raise CompanyError(
            _("No organisation is registered with this number: you can register it.")
        )
    if selectors.is_owner(claimant, organisation):
        raise CompanyError(_("You are already an owner of this organisation."))
    # Lock the claimant: two claims sent at once count one after the other.
    User.objects.select_for_update().only("pk").get(pk=claimant.pk)
    pending = OwnershipClaim.objects.pending().filter(claimant=claimant)
    already = CompanyError(
        _("You have already claimed this organisation: the AdN is looking at your claim.")
    )
    if pending.filter(organisation=organisation).exists():
        raise already
    if pending.count() >= settings.OWNERSHIP_CLAIMS_PENDING_PER_USER:
        raise CompanyError(
            _("You have %(count)s claims waiting for the AdN: wait for its answer first.")
            % {"count": settings.OWNERSHIP_CLAIMS_PENDING_PER_USER}
        )
    claim = OwnershipClaim(organisation=organisation, claimant=claimant, message=message)
    if document is not None:
        checked = uploads.check_upload(document, folder="claims")  # ValidationError: the form's
        claim.document.save(checked.stored_name, document, save=False)
        claim.document_name = checked.safe_name
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:  # the same claim sent twice at once: the constraint keeps one
        if claim.document:
            claim.document.delete(save=False)
        raise already from None
    claims_changed()
    for email, language in selectors.staff_addresses(Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR):
        email_template_queue(
            to=email, template="ownership_claim_filed", context={"claim": claim}, language=language
        )
    return claim


@transaction.atomic
def ownership_claim_decide(
    *,
    claim: OwnershipClaim,
    grant: bool,
    by: User,
    comment: str = "",
    keep_previous_owners: bool = False,
) -> OwnershipClaim:
    """Staff refuse a claim, or make the claimant an owner. The previous owners lose ownership:
    they leave the organisation unless staff keep them as plain members."""
    claim = (
        OwnershipClaim.objects.select_for_update()
        .select_related("organisation", "claimant")
        .get(pk=claim.pk)
    )
    if claim.status != ClaimStatus.PENDING:
        raise CompanyError(_("This claim has already been decided."))
    if not grant and not comment.strip():
        raise CompanyError(_("Give the reason: the claimant will read it."))
    # Lock the organisation: two staff members may decide two claims on it at once.
    organisation = Organisation.objects.select_for_update().get(pk=claim.organisation_id)
    previous = []
    if grant:
        owners = Membership.objects.filter(organisation=organisation, role=MemberRole.OWNER)
        previous = list(
            User.objects.filter(pk__in=owners.exclude(user=claim.claimant).values("user_id"))
        )
        leaving = Membership.objects.filter(organisation=organisation, user__in=previous)
        if keep_previous_owners:
            leaving.update(role=MemberRole.MEMBER)
        else:
            leaving.delete()
        # Their invitations not yet accepted go too: one could bring back an owner.
        Invitation.objects.filter(
            organisation=organisation, accepted_at__isnull=True, invited_by__in=previous
        ).delete()
        Membership.objects.update_or_create(
            user=claim.claimant, organisation=organisation, defaults={"role": MemberRole.OWNER}
        )
        claim.previous_owners = [user.pk for user in previous]
        claim.previous_owners_kept = keep_previous_owners
    claim.status = ClaimStatus.GRANTED if grant else ClaimStatus.REFUSED
    claim.decided_by, claim.decided_at, claim.comment = by, timezone.now(), comment
    claim.save()
    claims_changed()
    audit(
        AuditEvent.Action.STAFF_ACTION,
        user=by,
        ownership_claim=claim.pk,
        organisation=organisation.pk,
        decision=claim.status,
        previous_owners=claim.previous_owners,
        previous_owners_kept=claim.previous_owners_kept,
    )
    email_template_queue(
        to=claim.claimant.email,
        template="ownership_claim_decided",
        context={"claim": claim, "organisation": organisation},
        language=claim.claimant.language,
    )
    for user in previous:
        email_template_queue(
            to=user.email,
            template="ownership_moved",
            context={"claim": claim, "organisation": organisation, "kept": keep_previous_owners},
            language=user.language,
        )
    return claim
