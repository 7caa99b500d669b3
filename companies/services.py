"""Writes on organisations and expert companies. Each is atomic and leaves a trace."""

import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from adn_portal.accounts.audit import audit
from adn_portal.accounts.models import AuditEvent, User
from adn_portal.accounts.roles import Role
from adn_portal.lib import uploads
from adn_portal.lib.text import fold
from adn_portal.mailer.services import email_template_queue
from programs.models import Programme

from . import lifecycle, sme
from .identifiers import nace_section, normalise_enterprise_number, place_for_postcode
from .models import (
    ClaimStatus,
    Expert,
    ExpertFacet,
    ExpertProfileChange,
    ExpertReference,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    Language,
    MemberRole,
    Membership,
    Organisation,
    OwnershipClaim,
    ProfileChangeStatus,
    RecognitionEvent,
    RecognitionStatus,
    RelatedEnterprise,
    Sector,
    Speciality,
    invitation_digest,
    known_codes,
)


class CompanyError(Exception):
    """A business rule refused the action; the message is for the user."""


class InvitationLimitReached(CompanyError):
    """Too many invitations for now: pages and API answer 429."""


# ---------------------------------------------------------------------------------------------
# Organisations


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
    if not is_owner(by, organisation):
        raise CompanyError(_("Only an owner can change the organisation's details."))
    stored = Organisation.objects.select_for_update().get(pk=organisation.pk)
    expert = Expert.objects.filter(organisation=stored).first()
    held = {}
    if expert is not None and _reviewed_by_staff(expert):
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
def organisation_declare_structure(
    *,
    organisation: Organisation,
    public_body_share,
    public_body_exception: str,
    related: list[dict],
    by: User,
    figures: sme.Figures | None = None,
    estimated_figures: bool | None = None,
) -> Organisation:
    """An owner declares what the SME definition counts beyond the organisation itself: the
    share public bodies hold and the partner and linked enterprises (`related`: rows of
    RelatedEnterprise fields, replacing the ones declared before); the API sends the own
    figures in the same request. The size class follows."""
    if not is_owner(by, organisation):
        raise CompanyError(_("Only an owner can change the organisation's details."))
    # Lock the row: two owners saving at once must not mix their lists.
    stored = Organisation.objects.select_for_update().get(pk=organisation.pk)
    related = [sme.clean_related_enterprise(row) for row in related]
    sme.clean_structure(
        organisation=stored,
        public_body_share=public_body_share,
        public_body_exception=public_body_exception,
        related=related,
    )
    stored.public_body_share = public_body_share
    stored.public_body_exception = public_body_exception
    fields = ["public_body_share", "public_body_exception", "size_class", "updated_at"]
    if figures is not None:
        stored.headcount, stored.turnover = figures.headcount, figures.turnover
        stored.balance_sheet = figures.balance_sheet
        fields += ["headcount", "turnover", "balance_sheet"]
    if estimated_figures is not None:
        stored.estimated_figures = estimated_figures
        fields.append("estimated_figures")
    stored.related_enterprises.all().delete()
    RelatedEnterprise.objects.bulk_create(
        RelatedEnterprise(organisation=stored, **_related_fields(row)) for row in related
    )
    stored.size_class = sme.size_class_of(stored) or ""
    stored.save(update_fields=fields)
    return stored


_RELATED_FIELDS = (
    "name",
    "enterprise_number",
    "foreign",
    "relation",
    "share",
    "headcount",
    "turnover",
    "balance_sheet",
)


def _related_fields(row: dict) -> dict:
    return {name: row.get(name) for name in _RELATED_FIELDS} | {"foreign": bool(row.get("foreign"))}


def is_owner(user: User, organisation: Organisation) -> bool:
    return Membership.objects.filter(
        user=user, organisation=organisation, role=MemberRole.OWNER
    ).exists()


def is_member(user: User, organisation: Organisation) -> bool:
    return Membership.objects.filter(user=user, organisation=organisation).exists()


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
    if not is_owner(by, organisation):
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
    if is_member(user, organisation):
        raise CompanyError(_("You are already a member of this organisation."))
    request, created = JoinRequest.objects.get_or_create(
        organisation=organisation,
        user=user,
        status=JoinRequestStatus.PENDING,
        defaults={"message": message},
    )
    if created:
        owners = User.objects.filter(
            memberships__organisation=organisation, memberships__role=MemberRole.OWNER
        )
        for owner in owners:
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
    if not is_owner(by, join_request.organisation):
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
    if not is_owner(by, organisation):
        raise CompanyError(_("Only an owner can remove a member."))
    owners = Membership.objects.filter(organisation=organisation, role=MemberRole.OWNER)
    if membership.role == MemberRole.OWNER and owners.count() == 1:
        raise CompanyError(_("An organisation keeps at least one owner."))
    membership.delete()


# ---------------------------------------------------------------------------------------------
# Expert companies


DIRECTORY_VERSION_KEY = "companies:directory-version"


def directory_changed() -> None:
    """Invalidate every cached directory page: now, and again after the commit, so that a page
    cached in between cannot keep the old content."""
    from adn_portal.lib.page_cache import bump

    bump(DIRECTORY_VERSION_KEY)
    transaction.on_commit(lambda: bump(DIRECTORY_VERSION_KEY))


def _sync_facets(expert: Expert) -> None:
    """Rebuild the rows the directory filters and counts on, and the folded search text."""
    directory_changed()
    organisation = expert.organisation
    wanted = {
        *((ExpertFacet.Kind.SPECIALITY, v) for v in known_codes(expert.specialities, Speciality)),
        *((ExpertFacet.Kind.SECTOR, v) for v in known_codes(expert.sectors, Sector)),
        *((ExpertFacet.Kind.LANGUAGE, v) for v in known_codes(expert.languages, Language)),
        *((ExpertFacet.Kind.PROGRAMME, v) for v in known_codes(expert.programmes, Programme.Code)),
        (ExpertFacet.Kind.PROVINCE, organisation.province),
    }
    ExpertFacet.objects.filter(expert=expert).delete()
    ExpertFacet.objects.bulk_create(
        ExpertFacet(expert=expert, kind=k, value=v) for k, v in sorted(wanted)
    )
    search_text = fold(
        " ".join(
            [
                organisation.name,
                organisation.municipality,
                expert.description_fr,
                expert.description_en,
                expert.description_de,
            ]
        )
    )
    Expert.objects.filter(pk=expert.pk).update(search_text=search_text)
    expert.search_text = search_text


def _unique_slug(name: str) -> str:
    base = slugify(name)[:100] or "expert"
    slug, n = base, 2
    while Expert.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _staff_emails(*roles: Role) -> list[tuple[str, str]]:
    return list(
        User.objects.filter(is_active=True, groups__name__in=roles)
        .distinct()
        .values_list("email", "language")
    )


@transaction.atomic
def expert_apply(*, expert: Expert, references: list[dict], by: User) -> Expert:
    """An organisation applies for recognition as an AI expert company."""
    organisation = expert.organisation
    if not is_member(by, organisation):
        raise CompanyError(_("You can only apply for an organisation you belong to."))
    if Expert.objects.filter(organisation=organisation).exists():
        raise CompanyError(_("This organisation has already applied."))
    if len(references) < 3:
        raise CompanyError(_("Give three references."))
    expert.slug = _unique_slug(organisation.name)
    expert.status = RecognitionStatus.SUBMITTED
    expert.save()
    ExpertReference.objects.bulk_create(ExpertReference(expert=expert, **ref) for ref in references)
    _sync_facets(expert)
    RecognitionEvent.objects.create(
        expert=expert,
        action=RecognitionEvent.Action.APPLIED,
        to_status=RecognitionStatus.SUBMITTED,
        by=by,
    )
    for email, language in _staff_emails(Role.PROGRAMME_MANAGER):
        email_template_queue(
            to=email, template="expert_applied", context={"expert": expert}, language=language
        )
    return expert


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def recognition_period(
    *, expert: Expert, action: str, valid_from: date | None, years: int | None
) -> tuple[date, date]:
    """The first and last day of the period an approval or a renewal starts, or CompanyError
    when the start date asked makes no sense: more than EXPERT_RECOGNITION_MAX_DAYS_AHEAD days
    ahead (a recognition counts from its start: a far one is a typing error), or so far back
    that the period is already over. The end date is always the start plus the validity, so
    it can never come first. The staff form runs this same rule for its field errors."""
    today = timezone.localdate()
    period = years or settings.EXPERT_RECOGNITION_YEARS
    if (
        action == RecognitionEvent.Action.RENEWED
        and expert.recognised_until
        and expert.recognised_until >= today
    ):
        # Renewed before the end: the new period follows the current one without a gap.
        if valid_from is not None:
            raise CompanyError(
                _(
                    "A renewal before the end follows the current period: leave the start date "
                    "empty (the new period starts on %(date)s)."
                )
                % {"date": formats.date_format(expert.recognised_until + timedelta(days=1))}
            )
        next_start = expert.recognised_until + timedelta(days=1)
        return expert.recognised_from, _add_years(next_start, period) - timedelta(days=1)
    start = valid_from or today
    latest = today + timedelta(days=settings.EXPERT_RECOGNITION_MAX_DAYS_AHEAD)
    if start > latest:
        raise CompanyError(
            _(
                "A recognition cannot start more than %(days)s days from today: "
                "%(date)s at the latest."
            )
            % {
                "days": settings.EXPERT_RECOGNITION_MAX_DAYS_AHEAD,
                "date": formats.date_format(latest),
            }
        )
    end = _add_years(start, period) - timedelta(days=1)
    if end < today:
        raise CompanyError(
            _("Starting on this day, the recognition would have ended on %(date)s already.")
            % {"date": formats.date_format(end)}
        )
    return start, end


@transaction.atomic
def expert_transition(
    *,
    expert: Expert,
    action: str,
    by: User | None,
    comment: str = "",
    valid_from: date | None = None,
    years: int | None = None,
) -> Expert:
    """Fire one action of the recognition lifecycle: lock, check, save, record, notify."""
    transition = lifecycle.TRANSITIONS.get(action)
    if transition is None:
        raise CompanyError(_("Unknown action."))
    # Lock the row: two managers may act on the same company at once.
    expert = Expert.objects.select_for_update().select_related("organisation").get(pk=expert.pk)
    if expert.status not in transition.sources:
        raise CompanyError(
            _("This action is not possible while the recognition is “%(status)s”.")
            % {"status": expert.get_status_display()}
        )
    if transition.needs_comment and not comment.strip():
        raise CompanyError(_("Give the reason: the company will read it."))
    from_status = expert.status
    expert.status = transition.target
    fields = ["status", "updated_at"]
    if action in lifecycle.STARTS_PERIOD:
        expert.recognised_from, expert.recognised_until = recognition_period(
            expert=expert, action=action, valid_from=valid_from, years=years
        )
        fields += ["recognised_from", "recognised_until"]
    expert.save(update_fields=fields)
    directory_changed()
    RecognitionEvent.objects.create(
        expert=expert,
        action=action,
        from_status=from_status,
        to_status=expert.status,
        by=by,
        comment=comment,
    )
    _notify_owners(expert, template="expert_status", context={"action": action, "comment": comment})
    return expert


def _notify_owners(expert: Expert, *, template: str, context: dict) -> None:
    owners = User.objects.filter(
        memberships__organisation=expert.organisation, memberships__role=MemberRole.OWNER
    )
    for owner in owners:
        email_template_queue(
            to=owner.email,
            template=template,
            context={"expert": expert, "user": owner, **context},
            language=owner.language,
        )


# What the public sees of a company once it is listed: changes wait for staff review (a company
# once renamed itself as the AdN, with a phishing website, live at once).
IDENTITY_FIELDS = ("name", "website", "logo", "public_email", "public_phone")
REVIEWED_FIELDS = (
    *IDENTITY_FIELDS,
    "description_fr",
    "description_en",
    "description_de",
    "specialities",
)
# The company's public name and website are its organisation's.
ORGANISATION_IDENTITY = ("name", "website")


def _reviewed_by_staff(expert: Expert) -> bool:
    """Before the first decision staff review the whole application anyway."""
    return expert.status not in {RecognitionStatus.SUBMITTED, RecognitionStatus.INFO_REQUESTED}


def _value(holder: Expert | ExpertProfileChange, field: str):
    """A reviewed field's value: published (on an expert) or proposed (on a change)."""
    if field in ORGANISATION_IDENTITY and isinstance(holder, Expert):
        return getattr(holder.organisation, field)
    if field == "logo":
        return holder.logo.name or ""  # the stored file's name: the same file, not a copy
    return getattr(holder, field)


def _publish(expert: Expert, values: dict) -> None:
    for field, value in values.items():
        setattr(expert.organisation if field in ORGANISATION_IDENTITY else expert, field, value)
    if any(field in ORGANISATION_IDENTITY for field in values):
        expert.organisation.save(update_fields=[*ORGANISATION_IDENTITY, "updated_at"])
    expert.save()
    _sync_facets(expert)


@transaction.atomic
def expert_update_profile(*, expert: Expert, data: dict, by: User) -> ExpertProfileChange | None:
    """Sectors, languages, programmes and team size apply at once. Once the company is known
    to the public, its identity (name, website, logo, public e-mail and phone), description and
    specialities wait for staff: the public keeps the accepted version meanwhile."""
    expert = Expert.objects.select_for_update().select_related("organisation").get(pk=expert.pk)
    if not is_member(by, expert.organisation):
        raise CompanyError(_("You can only edit the profile of your own company."))
    reviewed = {f: data[f] for f in REVIEWED_FIELDS if f in data}
    for field, value in data.items():
        if field not in REVIEWED_FIELDS:
            setattr(expert, field, value)
    if not _reviewed_by_staff(expert):
        _publish(expert, reviewed)
        return None
    _publish(expert, {})

    pending = (
        ExpertProfileChange.objects.select_for_update()
        .filter(expert=expert, status=ProfileChangeStatus.PENDING)
        .first()
    )
    if pending is None and all(_value(expert, f) == v for f, v in reviewed.items()):
        return None
    # A second edit adds to the pending proposal instead of replacing it with the published
    # version of the fields it does not touch.
    proposal = {f: _value(pending or expert, f) for f in REVIEWED_FIELDS} | reviewed
    change = pending or ExpertProfileChange(expert=expert)
    for field, value in proposal.items():
        setattr(change, field, value)
    change.submitted_by = by
    change.save()
    return change


@transaction.atomic
def expert_profile_change_decide(
    *, change: ExpertProfileChange, accept: bool, by: User, comment: str = ""
) -> ExpertProfileChange:
    change = (
        ExpertProfileChange.objects.select_for_update()
        .select_related("expert__organisation")
        .get(pk=change.pk)
    )
    if change.status != ProfileChangeStatus.PENDING:
        raise CompanyError(_("This change has already been reviewed."))
    expert = change.expert
    if accept:
        _publish(expert, {field: _value(change, field) for field in REVIEWED_FIELDS})
    change.status = ProfileChangeStatus.ACCEPTED if accept else ProfileChangeStatus.REFUSED
    change.decided_by, change.decided_at, change.comment = by, timezone.now(), comment
    change.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    action = (
        RecognitionEvent.Action.PROFILE_CHANGE_ACCEPTED
        if accept
        else RecognitionEvent.Action.PROFILE_CHANGE_REFUSED
    )
    RecognitionEvent.objects.create(expert=expert, action=action, by=by, comment=comment)
    _notify_owners(expert, template="expert_profile_change", context={"change": change})
    return change


# ---------------------------------------------------------------------------------------------
# Ownership claims


def _claims_changed() -> None:
    from .selectors import PENDING_CLAIMS_KEY

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
    if is_owner(claimant, organisation):
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
    _claims_changed()
    for email, language in _staff_emails(Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR):
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
    _claims_changed()
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


# ---------------------------------------------------------------------------------------------
# Scheduled


def experts_expire(*, today: date) -> int:
    """Recognitions past their end date expire on their own. Idempotent: each expert once."""
    expired = 0
    due = Expert.objects.filter(
        status__in=[RecognitionStatus.ACTIVE, RecognitionStatus.SUSPENDED],
        recognised_until__lt=today,
    ).values_list("pk", flat=True)
    for pk in due:
        try:
            expert_transition(expert=Expert(pk=pk), action=RecognitionEvent.Action.EXPIRED, by=None)
        except CompanyError:
            continue  # changed meanwhile (renewed by a manager): nothing to do
        expired += 1
    return expired


def experts_send_renewal_reminders(*, today: date) -> int:
    """E-mail the owners once, 60 days (a setting) before the end of their recognition."""
    horizon = today + timedelta(days=settings.EXPERT_RENEWAL_REMINDER_DAYS)
    due = Expert.objects.filter(
        status=RecognitionStatus.ACTIVE, recognised_until__lte=horizon, recognised_until__gte=today
    ).exclude(reminder_sent_for=F("recognised_until"))
    sent = 0
    for expert in due.select_related("organisation"):
        with transaction.atomic():
            # Claim: a second run (or a task fetched twice) finds it already marked.
            claimed = (
                Expert.objects.filter(pk=expert.pk)
                .filter(
                    Q(reminder_sent_for__isnull=True)
                    | ~Q(reminder_sent_for=expert.recognised_until)
                )
                .update(reminder_sent_for=expert.recognised_until)
            )
            if not claimed:
                continue
            RecognitionEvent.objects.create(
                expert=expert, action=RecognitionEvent.Action.REMINDER_SENT
            )
            _notify_owners(expert, template="expert_renewal_reminder", context={})
        sent += 1
    return sent
