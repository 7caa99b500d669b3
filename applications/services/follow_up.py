"""The project's follow-up (docs/domain.md, After selection): the Start IA diagnostic delivered by
the expert company (`diagnostic_transition` is the only code that changes its status), the
milestones and their reminders, and the outcome survey sent again 12 months after completion.
Reminders and invitations leave through the outbox, each claimed once by a conditional update."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adn_portal.accounts.models import User
from adn_portal.mailer.services import email_template_queue
from companies.selectors import is_member

from .. import guards
from ..models import (
    Application,
    ApplicationEvent,
    Diagnostic,
    FollowUpDocument,
    FollowUpSurvey,
    Milestone,
)
from ..workflow import DIAGNOSTIC_TRANSITIONS, Actor, DiagnosticStatus, Status
from .core import ApplicationError
from .documents import document_prepare, stored_or_deleted
from .messages import language_of

DS = DiagnosticStatus
FOLLOWED = {Status.AGREEMENT_SIGNED, Status.IN_PROGRESS, Status.REPORT_SUBMITTED}


def _event(application, kind, by, comment, *, visible=True) -> None:
    ApplicationEvent.objects.create(
        application=application, kind=kind, by=by, comment=comment, visible_to_applicant=visible
    )


# --- the Start IA diagnostic -------------------------------------------------------------------


def _require_expert(diagnostic: Diagnostic, by: User) -> None:
    if not is_member(by, diagnostic.expert.organisation):
        raise ApplicationError(_("You do not act for the expert company of this file."))


def diagnostic_save(
    *,
    diagnostic: Diagnostic,
    by: User,
    days: Decimal | None = None,
    report=None,
    action_plan=None,
) -> Diagnostic:
    """The expert company records the days worked and uploads the report and the action plan
    (each checked by content), while the diagnostic is theirs to write."""
    _require_expert(diagnostic, by)
    application = diagnostic.application
    documents = {
        field: document_prepare(application=application, upload=upload, kind=kind, by=by)
        for field, upload, kind in (
            ("report", report, FollowUpDocument.Kind.DIAGNOSTIC_REPORT),
            ("action_plan", action_plan, FollowUpDocument.Kind.ACTION_PLAN),
        )
        if upload is not None
    }
    with stored_or_deleted(*documents.values()):
        locked = Diagnostic.objects.select_for_update().get(pk=diagnostic.pk)
        if locked.status != DS.DRAFT:
            raise ApplicationError(_("The diagnostic is delivered: it can no longer change."))
        changes = {}
        if days is not None:
            changes["days"] = days
        for field, document in documents.items():
            document.save()
            changes[field] = document
        Diagnostic.objects.filter(pk=locked.pk).update(**changes)
        names = ", ".join(d.original_name for d in documents.values())
        _event(
            application,
            ApplicationEvent.Kind.DIAGNOSTIC,
            by,
            _("Diagnostic updated: %(days)s days. %(names)s")
            % {"days": changes.get("days", locked.days), "names": names},
        )
    diagnostic.refresh_from_db()
    return diagnostic


def diagnostic_transition(
    *, diagnostic: Diagnostic, to: DiagnosticStatus, by: User, actor: Actor, comment: str = ""
) -> Diagnostic:
    """The one function that changes a diagnostic's status: lock, table
    (workflow.DIAGNOSTIC_TRANSITIONS), stamps, save, event row."""
    with transaction.atomic():
        locked = Diagnostic.objects.select_for_update().get(pk=diagnostic.pk)
        source = DiagnosticStatus(locked.status)
        if not DIAGNOSTIC_TRANSITIONS.allows(source, to, actor):
            raise ApplicationError(
                _("The diagnostic cannot go from “%(source)s” to “%(target)s”.")
                % {"source": source.label, "target": DiagnosticStatus(to).label}
            )
        if to == DS.SUBMITTED and not (locked.days and locked.report_id and locked.action_plan_id):
            raise ApplicationError(
                _("Record the days and add the report and the action plan before delivering.")
            )
        stamp = {
            DS.SUBMITTED: "submitted_at",
            DS.CONFIRMED: "confirmed_at",
            DS.ACCEPTED: "accepted_at",
        }
        locked.status = to
        fields = ["status"]
        if to in stamp:
            setattr(locked, stamp[to], timezone.now())
            fields.append(stamp[to])
        locked.save(update_fields=fields)
        _event(
            locked.application,
            ApplicationEvent.Kind.DIAGNOSTIC,
            by,
            f"{DiagnosticStatus(to).label}. {comment}".strip(),
        )
    diagnostic.refresh_from_db()
    return diagnostic


def diagnostic_submit(*, diagnostic: Diagnostic, by: User) -> Diagnostic:
    _require_expert(diagnostic, by)
    return diagnostic_transition(diagnostic=diagnostic, to=DS.SUBMITTED, by=by, actor=Actor.EXPERT)


def diagnostic_confirm(*, diagnostic: Diagnostic, by: User) -> Diagnostic:
    """The organisation confirms that the diagnostic took place."""
    if not is_member(by, diagnostic.application.organisation):
        raise ApplicationError(_("You do not act for this organisation."))
    return diagnostic_transition(
        diagnostic=diagnostic, to=DS.CONFIRMED, by=by, actor=Actor.APPLICANT
    )


def diagnostic_decide(
    *, diagnostic: Diagnostic, accept: bool, by: User, comment: str = ""
) -> Diagnostic:
    """A programme manager accepts the diagnostic (the expert company may then ask to be paid)
    or sends it back to the expert company with a reason."""
    refusal = guards.staff_refusal(by, diagnostic.application, manager=True)
    if refusal:
        raise ApplicationError(refusal)
    if not accept and not comment.strip():
        raise ApplicationError(_("Tell the expert company what to change."))
    return diagnostic_transition(
        diagnostic=diagnostic,
        to=DS.ACCEPTED if accept else DS.DRAFT,
        by=by,
        actor=Actor.MANAGER,
        comment=comment,
    )


# --- milestones -----------------------------------------------------------------------------------


def milestone_submit(*, milestone: Milestone, upload, by: User) -> Milestone:
    """The organisation sends the interim report (the final report has its own form and
    survey: application_submit_report marks its milestone done)."""
    application = milestone.application
    if not is_member(by, application.organisation):
        raise ApplicationError(_("You do not act for this organisation."))
    if milestone.kind != Milestone.Kind.INTERIM_REPORT:
        raise ApplicationError(_("The final report is sent with its own form."))
    document = document_prepare(
        application=application, upload=upload, kind=FollowUpDocument.Kind.INTERIM_REPORT, by=by
    )
    with stored_or_deleted(document):
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if locked.done_at is not None or application.status not in FOLLOWED:
            raise ApplicationError(_("This report is already sent."))
        document.save()
        Milestone.objects.filter(pk=locked.pk).update(document=document, done_at=timezone.now())
        _event(application, ApplicationEvent.Kind.MILESTONE, by, document.original_name)
    milestone.refresh_from_db()
    return milestone


def milestones_mark_done(*, application: Application, kind: str) -> None:
    Milestone.objects.filter(application=application, kind=kind, done_at__isnull=True).update(
        done_at=timezone.now()
    )


def milestones_remind(*, now: datetime | None = None) -> int:
    """E-mail the applicant of each milestone due within MILESTONE_REMINDER_DAYS, once per
    milestone: the reminder is claimed by a conditional update (a run repeated, or two at
    once, remind nobody twice). Returns how many were sent."""
    now = now or timezone.now()
    horizon = timezone.localdate(now) + timedelta(days=settings.MILESTONE_REMINDER_DAYS)
    due = (
        Milestone.objects.filter(
            done_at__isnull=True,
            reminded_at__isnull=True,
            due_on__lte=horizon,
            application__status__in=FOLLOWED,
            application__created_by__is_active=True,
        )
        .select_related("application__created_by")
        .order_by("pk")
    )
    sent = 0
    for milestone in due:
        with transaction.atomic():
            claimed = Milestone.objects.filter(
                pk=milestone.pk, reminded_at__isnull=True, done_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
            application, applicant = milestone.application, milestone.application.created_by
            email = email_template_queue(
                to=applicant.email,
                template="milestone_reminder",
                context={"application": application, "milestone": milestone},
                language=language_of(applicant),
            )
            _event(application, ApplicationEvent.Kind.MESSAGE, None, email.subject)
            sent += 1
    return sent


# --- the outcome survey, 12 months on ------------------------------------------------------------


def follow_up_surveys_send(*, now: datetime | None = None) -> int:
    """Invite the organisation of each file completed FOLLOW_UP_SURVEY_DAYS ago to answer the
    outcome survey again. The survey's row is the claim: one per file, made in the same
    transaction as the e-mail (a run repeated, or two at once, invite nobody twice)."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.FOLLOW_UP_SURVEY_DAYS)
    files = (
        Application.objects.filter(
            completed_at__lte=limit,
            follow_up_survey__isnull=True,
            status__in=[Status.COMPLETED, Status.CLOSED],
            created_by__is_active=True,
        )
        .select_related("created_by")
        .order_by("pk")
    )
    sent = 0
    for application in files:
        try:
            with transaction.atomic():
                FollowUpSurvey.objects.create(application=application, sent_at=now)
                applicant = application.created_by
                email = email_template_queue(
                    to=applicant.email,
                    template="follow_up_survey",
                    context={"application": application},
                    language=language_of(applicant),
                )
                _event(application, ApplicationEvent.Kind.SURVEY, None, email.subject)
        except IntegrityError:  # another run invited this file meanwhile
            continue
        sent += 1
    return sent


def follow_up_survey_answer(
    *, survey: FollowUpSurvey, by: User, investment_after, in_production, jobs_created
) -> FollowUpSurvey:
    application = survey.application
    if not is_member(by, application.organisation):
        raise ApplicationError(_("You do not act for this organisation."))
    with transaction.atomic():
        claimed = FollowUpSurvey.objects.filter(pk=survey.pk, answered_at__isnull=True).update(
            investment_after=investment_after,
            in_production=in_production,
            jobs_created=jobs_created,
            answered_by=by,
            answered_at=timezone.now(),
        )
        if not claimed:
            raise ApplicationError(_("This survey is already answered. Thank you!"))
        _event(application, ApplicationEvent.Kind.SURVEY, by, _("Follow-up survey answered."))
    survey.refresh_from_db()
    return survey
