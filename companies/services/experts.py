"""Writes on expert companies: applying, the recognition's moves, the public profile and its
review, what staff correct in the admin, and the daily expiry and reminders. Every change the
public directory shows rebuilds the expert's directory rows and invalidates its cached pages."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from adn_portal.accounts.audit import audit
from adn_portal.accounts.models import AuditEvent, User
from adn_portal.accounts.roles import Role
from adn_portal.lib import stored_files
from adn_portal.lib.page_cache import bump
from adn_portal.lib.text import fold
from adn_portal.mailer.services import email_template_queue
from programs.models import Programme

from .. import selectors, workflow
from ..models import (
    ORGANISATION_IDENTITY,
    REVIEWED_FIELDS,
    Expert,
    ExpertFacet,
    ExpertProfileChange,
    ExpertReference,
    Language,
    ProfileChangeStatus,
    RecognitionEvent,
    Sector,
    Speciality,
    known_codes,
)
from ..workflow import Actor, RecognitionAction, RecognitionStatus
from .errors import CompanyError

# The directory's cached pages carry this version: bumping it invalidates them all.
DIRECTORY_VERSION_KEY = "companies:directory-version"


def directory_changed() -> None:
    """Invalidate every cached directory page: now, and again after the commit, so that a page
    cached in between cannot keep the old content."""
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


@transaction.atomic
def expert_apply(*, expert: Expert, references: list[dict], by: User) -> Expert:
    """An organisation applies for recognition as an AI expert company."""
    organisation = expert.organisation
    if not selectors.is_member(by, organisation):
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
        action=RecognitionAction.APPLIED,
        to_status=RecognitionStatus.SUBMITTED,
        by=by,
    )
    for email, language in selectors.staff_addresses(Role.PROGRAMME_MANAGER):
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
        action == RecognitionAction.RENEWED
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
    to: str,
    actor: Actor,
    by: User | None,
    comment: str = "",
    valid_from: date | None = None,
    years: int | None = None,
) -> Expert:
    """Move a recognition to the status `to` (companies/workflow.py): lock, check, save,
    record, notify."""
    # Lock the row: two managers may act on the same company at once.
    expert = Expert.objects.select_for_update().select_related("organisation").get(pk=expert.pk)
    source = expert.status
    if not workflow.TRANSITIONS.allows(source, to, actor):
        raise CompanyError(
            _("This action is not possible while the recognition is “%(status)s”.")
            % {"status": expert.get_status_display()}
        )
    action = workflow.ACTIONS[(source, to)]
    if action in workflow.NEEDS_COMMENT and not comment.strip():
        raise CompanyError(_("Give the reason: the company will read it."))
    expert.status = to
    fields = ["status", "updated_at"]
    if action in workflow.STARTS_PERIOD:
        expert.recognised_from, expert.recognised_until = recognition_period(
            expert=expert, action=action, valid_from=valid_from, years=years
        )
        fields += ["recognised_from", "recognised_until"]
    expert.save(update_fields=fields)
    directory_changed()
    RecognitionEvent.objects.create(
        expert=expert, action=action, from_status=source, to_status=to, by=by, comment=comment
    )
    _notify_owners(expert, template="expert_status", context={"action": action, "comment": comment})
    return expert


def _notify_owners(expert: Expert, *, template: str, context: dict) -> None:
    for owner in selectors.owners_of(expert.organisation):
        email_template_queue(
            to=owner.email,
            template=template,
            context={"expert": expert, "user": owner, **context},
            language=owner.language,
        )


def _value(holder: Expert | ExpertProfileChange, field: str):
    """A reviewed field's value: published (on an expert) or proposed (on a change)."""
    if field in ORGANISATION_IDENTITY and isinstance(holder, Expert):
        return getattr(holder.organisation, field)
    if field == "logo":
        return holder.logo.name or ""  # the stored file's name: the same file, not a copy
    return getattr(holder, field)


def _publish(expert: Expert, values: dict) -> None:
    published_logo = expert.logo.name
    for field, value in values.items():
        setattr(expert.organisation if field in ORGANISATION_IDENTITY else expert, field, value)
    if any(field in ORGANISATION_IDENTITY for field in values):
        expert.organisation.save(update_fields=[*ORGANISATION_IDENTITY, "updated_at"])
    expert.save()
    _sync_facets(expert)
    _logo_replaced(published_logo, expert.logo.name)


def _logo_replaced(previous: str, current: str) -> None:
    """A logo that no profile shows and no pending proposal offers any more leaves storage on
    commit. Logos are shared by name, not copied, between a profile and its proposals; a
    decided proposal keeps the name as a record, and nothing shows it."""
    if not previous or previous == current:
        return
    stored_files.delete_on_commit(
        Expert._meta.get_field("logo").storage,
        previous,
        unless=lambda: (
            Expert.objects.filter(logo=previous).exists()
            or ExpertProfileChange.objects.filter(
                status=ProfileChangeStatus.PENDING, logo=previous
            ).exists()
        ),
    )


@transaction.atomic
def expert_update_profile(*, expert: Expert, data: dict, by: User) -> ExpertProfileChange | None:
    """Sectors, languages, programmes and team size apply at once. Once the company is known
    to the public, its identity (name, website, logo, public e-mail and phone), description and
    specialities wait for staff: the public keeps the accepted version meanwhile."""
    expert = Expert.objects.select_for_update().select_related("organisation").get(pk=expert.pk)
    if not selectors.is_member(by, expert.organisation):
        raise CompanyError(_("You can only edit the profile of your own company."))
    reviewed = {f: data[f] for f in REVIEWED_FIELDS if f in data}
    for field, value in data.items():
        if field not in REVIEWED_FIELDS:
            setattr(expert, field, value)
    if not expert.changes_reviewed:
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
    proposed_logo = change.logo.name
    for field, value in proposal.items():
        setattr(change, field, value)
    change.submitted_by = by
    change.save()
    _logo_replaced(proposed_logo, change.logo.name)
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
    if not accept:
        _logo_replaced(change.logo.name, expert.logo.name)  # the refused logo, unless published
    action = (
        RecognitionAction.PROFILE_CHANGE_ACCEPTED
        if accept
        else RecognitionAction.PROFILE_CHANGE_REFUSED
    )
    RecognitionEvent.objects.create(expert=expert, action=action, by=by, comment=comment)
    _notify_owners(expert, template="expert_profile_change", context={"change": change})
    return change


@transaction.atomic
def expert_save_by_staff(*, expert: Expert, fields: list[str], by: User) -> Expert:
    """Staff correct a profile in the admin (never its recognition: that is
    `expert_transition`'s). Published at once, with the directory's rows, and audited."""
    published_logo = Expert.objects.filter(pk=expert.pk).values_list("logo", flat=True).get()
    expert.save()
    _logo_replaced(published_logo, expert.logo.name)
    _sync_facets(expert)
    audit(AuditEvent.Action.STAFF_ACTION, user=by, expert=expert.pk, changed=sorted(fields))
    return expert


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
            expert_transition(
                expert=Expert(pk=pk),
                to=RecognitionStatus.EXPIRED,
                actor=Actor.SCHEDULER,
                by=None,
            )
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
            RecognitionEvent.objects.create(expert=expert, action=RecognitionAction.REMINDER_SENT)
            _notify_owners(expert, template="expert_renewal_reminder", context={})
        sent += 1
    return sent
