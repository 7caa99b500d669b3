"""Writes on organisations and their members: registering, editing, invitations, requests to
join, leaving; and what staff correct in the admin."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adn_portal.accounts.audit import audit
from adn_portal.accounts.models import AuditEvent, User
from adn_portal.mailer.services import email_template_queue

from .. import register, selectors, sme
from ..identifiers import nace_section, normalise_enterprise_number, place_for_postcode
from ..models import (
    ORGANISATION_IDENTITY,
    Expert,
    ExpertProfileChange,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    MemberRole,
    Membership,
    Organisation,
    invitation_digest,
)
from .claims import claims_changed
from .errors import CompanyError, InvitationLimitReached
from .experts import _sync_facets, expert_update_profile


def _derive(organisation: Organisation) -> None:
    """Fill what is never typed: the normalised number, municipality, province, size class."""
    organisation.enterprise_number = normalise_enterprise_number(organisation.enterprise_number)
    place = place_for_postcode(organisation.postcode)
    organisation.municipality = place.municipality
    organisation.province = place.province
    organisation.size_class = sme.size_class_of(organisation) or ""
    organisation.sector = (
        nace_section(organisation.nace_codes[0]) if organisation.nace_codes else ""
    )
    _follow_register(organisation)


def _follow_register(organisation: Organisation) -> None:
    """When the enterprise register is loaded and lists the number: the legal form and start
    date are its, and an organisation whose name and registered office are its matches it
    from the extract's date (docs/domain.md, The enterprise register)."""
    extract = register.latest_extract()
    found = register.entry(organisation.enterprise_number) if extract else None
    if found is None:
        return
    organisation.legal_form = found.legal_form
    organisation.founded_on = found.start_date
    if not register.differences(organisation, found):
        organisation.register_matched_on = extract.snapshot_date


@transaction.atomic
def organisation_create(*, organisation: Organisation, by: User) -> Organisation:
    """Register an organisation; its creator becomes its owner."""
    _derive(organisation)
    taken = CompanyError(_("This organisation is already registered: ask to join it instead."))
    if Organisation.objects.filter(enterprise_number=organisation.enterprise_number).exists():
        raise taken
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:  # registered by someone else a moment ago
        raise taken from None
    Membership.objects.create(user=by, organisation=organisation, role=MemberRole.OWNER)
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, by: User) -> ExpertProfileChange | None:
    """Save an owner's changes. The name and website of an expert company the public knows are
    its public identity: they wait for staff review (the pending change is returned)."""
    if not selectors.is_owner(by, organisation):
        raise CompanyError(_("Only an owner can change the organisation's details."))
    stored = Organisation.objects.select_for_update().get(pk=organisation.pk)
    expert = Expert.objects.filter(organisation=stored).first()
    held = {}
    if expert is not None and expert.changes_reviewed:
        held = {
            field: getattr(organisation, field)
            for field in ORGANISATION_IDENTITY
            if getattr(organisation, field) != getattr(stored, field)
        }
        for field in held:
            setattr(organisation, field, getattr(stored, field))
    _derive(organisation)
    organisation.save()
    if expert is not None:
        _sync_facets(expert)
    if held:
        return expert_update_profile(expert=expert, data=held, by=by)
    return None


@transaction.atomic
def organisation_save_by_staff(
    *, organisation: Organisation, fields: list[str], by: User
) -> Organisation:
    """Staff correct (or add) an organisation in the admin: what is derived follows (place,
    size class, sector), so do an expert company's directory rows, and the change is audited.
    Its public identity needs no review: staff are the reviewers."""
    created = organisation.pk is None
    _derive(organisation)
    organisation.save()
    expert = Expert.objects.filter(organisation=organisation).first()
    if expert is not None:
        _sync_facets(expert)
    audit(
        AuditEvent.Action.STAFF_ACTION,
        user=by,
        organisation=organisation.pk,
        created=created,
        changed=sorted(fields),
    )
    return organisation


@transaction.atomic
def organisation_delete(*, organisation: Organisation, by: User) -> None:
    """Staff delete an organisation in the admin (the database refuses while an expert company
    or a file refers to it). Its members, invitations, requests and claims go with it."""
    pk, name = organisation.pk, organisation.name
    organisation.delete()
    claims_changed()
    audit(AuditEvent.Action.STAFF_ACTION, user=by, organisation=pk, deleted=name)


@transaction.atomic
def organisation_invite(
    *, organisation: Organisation, email: str, role: str, by: User
) -> Invitation:
    """An owner invites someone by e-mail, within limits per inviter and per organisation: each
    invitation is a message from the portal's address to any address."""
    # Lock the inviter, then the organisation (always in this order): requests sent at once
    # count one after the other, so no burst passes a limit.
    User.objects.select_for_update().only("pk").get(pk=by.pk)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not selectors.is_owner(by, organisation):
        raise CompanyError(_("Only an owner can invite colleagues."))
    email = email.strip().lower()
    if organisation.members.filter(email__iexact=email).exists():
        raise CompanyError(_("This person is already a member."))
    _check_invitation_limits(organisation=organisation, by=by)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token=invitation_digest(token),
        invited_by=by,
    )
    email_template_queue(
        to=email,
        template="invitation",
        context={"token": token, "organisation": organisation, "inviter": by},
        language=by.language,
        sensitive=True,  # the link accepts the invitation
    )
    return invitation


def _check_invitation_limits(*, organisation: Organisation, by: User) -> None:
    now = timezone.now()
    per_user = settings.INVITATIONS_PER_USER_PER_HOUR
    sent = Invitation.objects.filter(invited_by=by, created_at__gt=now - timedelta(hours=1))
    if sent.count() >= per_user:
        raise InvitationLimitReached(
            _(
                "You have sent %(limit)s invitations in the last hour, the most allowed: "
                "try again later."
            )
            % {"limit": per_user}
        )
    per_organisation = settings.INVITATIONS_PER_ORGANISATION_PER_DAY
    sent = Invitation.objects.filter(
        organisation=organisation, created_at__gt=now - timedelta(days=1)
    )
    if sent.count() >= per_organisation:
        raise InvitationLimitReached(
            _(
                "This organisation has sent %(limit)s invitations in the last 24 hours, the "
                "most allowed: try again tomorrow."
            )
            % {"limit": per_organisation}
        )


INVITATION_VALIDITY = timedelta(days=14)


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organisation")
        .filter(token=invitation_digest(token))
        .first()
    )
    if invitation is None or invitation.accepted_at is not None:
        raise CompanyError(_("This invitation is not valid or has already been used."))
    if timezone.now() - invitation.created_at > INVITATION_VALIDITY:
        raise CompanyError(_("This invitation has expired: ask the owner to invite you again."))
    if invitation.email.lower() != user.email.lower():
        raise CompanyError(
            _("This invitation was sent to another e-mail address: sign in with that address.")
        )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    return membership


@transaction.atomic
def join_request_create(*, enterprise_number: str, user: User, message: str) -> JoinRequest:
    number = normalise_enterprise_number(enterprise_number)
    organisation = Organisation.objects.filter(enterprise_number=number).first()
    if organisation is None:
        raise CompanyError(
            _("No organisation is registered with this number: you can register it.")
        )
    if selectors.is_member(user, organisation):
        raise CompanyError(_("You are already a member of this organisation."))
    request, created = JoinRequest.objects.get_or_create(
        organisation=organisation,
        user=user,
        status=JoinRequestStatus.PENDING,
        defaults={"message": message},
    )
    if created:
        for owner in selectors.owners_of(organisation):
            email_template_queue(
                to=owner.email,
                template="join_request",
                context={"join_request": request, "organisation": organisation, "applicant": user},
                language=owner.language,
            )
    return request


@transaction.atomic
def join_request_decide(*, join_request: JoinRequest, accept: bool, by: User) -> JoinRequest:
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if not selectors.is_owner(by, join_request.organisation):
        raise CompanyError(_("Only an owner can answer a request to join."))
    if join_request.status != JoinRequestStatus.PENDING:
        raise CompanyError(_("This request has already been answered."))
    join_request.status = JoinRequestStatus.ACCEPTED if accept else JoinRequestStatus.REFUSED
    join_request.decided_by = by
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    if accept:
        Membership.objects.get_or_create(
            user=join_request.user, organisation=join_request.organisation
        )
    email_template_queue(
        to=join_request.user.email,
        template="join_request_answer",
        context={"join_request": join_request, "organisation": join_request.organisation},
        language=join_request.user.language,
    )
    return join_request


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    organisation = membership.organisation
    if not selectors.is_owner(by, organisation):
        raise CompanyError(_("Only an owner can remove a member."))
    owners = Membership.objects.filter(organisation=organisation, role=MemberRole.OWNER)
    if membership.role == MemberRole.OWNER and owners.count() == 1:
        raise CompanyError(_("An organisation keeps at least one owner."))
    membership.delete()
