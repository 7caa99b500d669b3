"""Writes on organisations and expert companies. Each is atomic and leaves a trace."""

import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from adn_portal.accounts.models import User
from adn_portal.accounts.roles import Role
from adn_portal.lib.text import fold
from adn_portal.mailer.services import email_template_queue

from . import lifecycle
from .identifiers import nace_section, normalise_enterprise_number, place_for_postcode
from .models import (
    Expert,
    ExpertFacet,
    ExpertProfileChange,
    ExpertReference,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    MemberRole,
    Membership,
    Organisation,
    ProfileChangeStatus,
    RecognitionEvent,
    RecognitionStatus,
    size_class_for,
)


class CompanyError(Exception):
    """A business rule refused the action; the message is for the user."""


# ---------------------------------------------------------------------------------------------
# Organisations


def _derive(organisation: Organisation) -> None:
    """Fill what is never typed: the normalised number, municipality, province, size class."""
    organisation.enterprise_number = normalise_enterprise_number(organisation.enterprise_number)
    place = place_for_postcode(organisation.postcode)
    organisation.municipality = place.municipality
    organisation.province = place.province
    size = size_class_for(
        headcount=organisation.headcount,
        turnover=organisation.turnover,
        balance_sheet=organisation.balance_sheet,
    )
    organisation.size_class = size or ""
    organisation.sector = (
        nace_section(organisation.nace_codes[0]) if organisation.nace_codes else ""
    )


@transaction.atomic
def organisation_create(*, organisation: Organisation, by: User) -> Organisation:
    """Register an organisation; its creator becomes its owner."""
    _derive(organisation)
    if Organisation.objects.filter(enterprise_number=organisation.enterprise_number).exists():
        raise CompanyError(_("This organisation is already registered: ask to join it instead."))
    organisation.save()
    Membership.objects.create(user=by, organisation=organisation, role=MemberRole.OWNER)
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, by: User) -> Organisation:
    if not is_owner(by, organisation):
        raise CompanyError(_("Only an owner can change the organisation's details."))
    _derive(organisation)
    organisation.save()
    if hasattr(organisation, "expert"):
        _sync_facets(organisation.expert)
    return organisation


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
    if not is_owner(by, organisation):
        raise CompanyError(_("Only an owner can invite colleagues."))
    email = email.strip().lower()
    if organisation.members.filter(email__iexact=email).exists():
        raise CompanyError(_("This person is already a member."))
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token=secrets.token_urlsafe(32),
        invited_by=by,
    )
    email_template_queue(
        to=email,
        template="invitation",
        context={"invitation": invitation, "organisation": organisation, "inviter": by},
        language=by.language,
        sensitive=True,  # the link accepts the invitation
    )
    return invitation


INVITATION_VALIDITY = timedelta(days=14)


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organisation")
        .filter(token=token)
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
        *((ExpertFacet.Kind.SPECIALITY, v) for v in expert.specialities),
        *((ExpertFacet.Kind.SECTOR, v) for v in expert.sectors),
        *((ExpertFacet.Kind.LANGUAGE, v) for v in expert.languages),
        *((ExpertFacet.Kind.PROGRAMME, v) for v in expert.programmes),
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
        today = timezone.localdate()
        period = years or settings.EXPERT_RECOGNITION_YEARS
        if (
            action == RecognitionEvent.Action.RENEWED
            and expert.recognised_until
            and expert.recognised_until >= today
        ):
            # Renewed before the end: the new period follows the current one without a gap.
            next_start = expert.recognised_until + timedelta(days=1)
            expert.recognised_until = _add_years(next_start, period) - timedelta(days=1)
        else:
            expert.recognised_from = valid_from or today
            expert.recognised_until = _add_years(expert.recognised_from, period) - timedelta(days=1)
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


REVIEWED_FIELDS = ("description_fr", "description_en", "description_de", "specialities")


@transaction.atomic
def expert_update_profile(*, expert: Expert, data: dict, by: User) -> ExpertProfileChange | None:
    """Contact details, sectors, languages, logo apply at once. A change to the published
    description or specialities waits for staff (the public keeps the accepted version)."""
    expert = Expert.objects.select_for_update().select_related("organisation").get(pk=expert.pk)
    if not is_member(by, expert.organisation):
        raise CompanyError(_("You can only edit the profile of your own company."))
    for field, value in data.items():
        if field not in REVIEWED_FIELDS:
            setattr(expert, field, value)
    expert.save()
    _sync_facets(expert)

    reviewed = {f: data[f] for f in REVIEWED_FIELDS if f in data}
    if not reviewed or all(getattr(expert, f) == v for f, v in reviewed.items()):
        return None
    if expert.status in {RecognitionStatus.SUBMITTED, RecognitionStatus.INFO_REQUESTED}:
        # Not public yet: staff review the whole application anyway.
        for field, value in reviewed.items():
            setattr(expert, field, value)
        expert.save()
        _sync_facets(expert)
        return None
    proposal = {f: reviewed.get(f, getattr(expert, f)) for f in REVIEWED_FIELDS}
    change, _created = ExpertProfileChange.objects.update_or_create(
        expert=expert, status=ProfileChangeStatus.PENDING, defaults={**proposal, "submitted_by": by}
    )
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
        for field in REVIEWED_FIELDS:
            setattr(expert, field, getattr(change, field))
        expert.save()
        _sync_facets(expert)
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
