"""What applicants do with their files: drafts, documents, submission, answers, report."""

import hashlib
import secrets
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from adn_portal.accounts.models import ChainHead, User
from adn_portal.lib.null_characters import without_nul
from companies.models import Expert, Organisation, OrganisationKind
from companies.selectors import is_member
from programs.application_forms import Kind, Question, Role
from programs.application_forms.versions import call_form_version
from programs.models import Call, FormVersion, Programme

from .. import eligibility, guards, notifications, uploads
from ..models import (
    ApplicantMessage,
    Application,
    ApplicationEvent,
    ApplicationVersion,
    Attachment,
    Milestone,
    OutcomeReport,
    ReferenceSequence,
    Side,
    timeline_chain,
)
from ..steps import (
    DECLARATIONS,
    DeclarationsForm,
    Step,
    documents_options,
    organisation_step,
    step_with_role,
    to_json,
    version_of,
)
from ..workflow import Actor, Status
from .core import ApplicationError, DraftConflict, SubmissionRefused, application_transition
from .follow_up import milestones_mark_done
from .messages import applicant_message_send, portal_message

# ---------------------------------------------------------------------------------------------
# Drafts


def _require_member(user: User, organisation: Organisation) -> None:
    if not is_member(user, organisation):
        raise ApplicationError(_("You do not act for this organisation."))


def application_start(
    *,
    call: Call,
    organisation: Organisation,
    by: User,
    now: datetime | None = None,
    organisation_confirmed: bool = False,
) -> Application:
    """Start a draft for the organisation; its existing open file of the programme, if any,
    is returned instead (one open file per organisation and programme).

    `organisation_confirmed`: the person registered the organisation on their way to this
    application, a moment ago: the new draft's organisation step is recorded as confirmed
    (its details are those they just typed; the review page shows them again)."""
    _require_member(by, organisation)
    existing = (
        Application.objects.open()
        .filter(organisation=organisation, programme=call.programme_id)
        .first()
    )
    if existing is not None:
        return existing
    if not call.is_open_at(now or timezone.now()):
        raise ApplicationError(_("This call is not open: you cannot start an application now."))
    try:
        with transaction.atomic():
            application = Application.objects.create(
                call=call,
                programme_id=call.programme_id,
                organisation=organisation,
                created_by=by,
                form_version=call_form_version(call=call),
            )
            ApplicationEvent.objects.create(
                application=application, kind=ApplicationEvent.Kind.CREATED, by=by
            )
    except IntegrityError:  # a colleague started one at the same moment
        return Application.objects.open().get(
            organisation=organisation, programme=call.programme_id
        )
    step = organisation_step(application) if organisation_confirmed else None
    if step is not None:
        # Its boxes ticked ("these details are correct"), checked by the step's own form.
        ticked = {q.name: True for q in step.definition.answers if q.kind == Kind.CHECKBOX}
        form = step.form_class(ticked, application=application)
        if form.is_valid():
            application = application_save_step(
                application=application,
                step=step,
                cleaned=form.cleaned_data,
                raw={},
                version=application.version,
                by=by,
            )
    return application


# The roles whose answer the rules need in SQL: copied onto the file when a step is saved.
_PROMOTED = {
    Role.PROJECT_TITLE: "title",
    Role.AMOUNT_REQUESTED: "amount_requested",
    Role.EARLIER_FILE: "earlier_application_id",
    Role.EXPERT: "expert_id",
    Role.LET_ADN_CHOOSE: "expert_chosen_by_adn",
}


def application_save_step(
    *, application: Application, step: Step, cleaned: dict | None, raw: dict, version: int, by: User
) -> Application:
    """Save one step of a draft. `cleaned` is the validated data (the step is then complete),
    or None for a partial save of `raw` (the step stays incomplete). Refuses to overwrite a
    colleague's more recent save."""
    _require_member(by, application.organisation)
    data = to_json(cleaned) if cleaned is not None else without_nul(raw)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != Status.DRAFT:
            raise ApplicationError(
                _("This application is submitted: its content can no longer change.")
            )
        if locked.version != version:
            # The other save may be the same person's, in another tab or on another device.
            raise DraftConflict(
                _(
                    "This step was saved elsewhere while you were writing (in another tab or window, or by a colleague). Your text is not saved yet: compare it with the saved one and choose."
                )
            )
        if locked.form_version_id is None:  # a file made before forms were data
            locked.form_version = version_of(locked)
            fields_pinned = ["form_version"]
        else:
            fields_pinned = []
        locked.data = {**locked.data, step.slug: data}
        completed = set(locked.completed_steps)
        if cleaned is not None:
            completed.add(step.slug)
        else:
            completed.discard(step.slug)
        locked.completed_steps = sorted(completed)
        fields = ["data", "completed_steps", "version", "updated_at", *fields_pinned]
        if cleaned is not None:
            fields += _promote(locked, step, cleaned)
        locked.version = F("version") + 1
        locked.save(update_fields=sorted(set(fields)))
    application.refresh_from_db()
    return application


def _promote(application: Application, step: Step, cleaned: dict) -> list[str]:
    """Copy what the rules, the queue, the exports and the envelope read in SQL from a step's
    validated data onto the file, through the questions' roles (whatever the form); returns
    the fields set."""
    fields = []
    costs = []
    for question in step.definition.answers:
        if question.name not in cleaned:  # a hidden conditional question: not answered
            continue
        value = cleaned[question.name]
        if question.role in _PROMOTED:
            field = _PROMOTED[question.role]
            setattr(application, field, getattr(value, "pk", value))
            fields.append(field)
        elif question.role in (Role.BUDGET_COST, Role.TOTAL_BUDGET):
            costs.append(_amount(question, value))
    if costs:
        application.total_budget = None if None in costs else sum(costs, Decimal(0))
        fields.append("total_budget")
    return fields


def _amount(question: Question, value) -> Decimal | None:
    """An amount, or a table's total (the sum of its amount column)."""
    if question.kind == Kind.TABLE:
        amounts = [c.name for c in question.columns if c.kind == Kind.AMOUNT]
        return sum(
            (Decimal(str(row[name])) for row in value or [] for name in amounts if row.get(name)),
            Decimal(0),
        )
    return None if value is None else Decimal(str(value))


def _call_for(organisation: Organisation, programme_code: str, now: datetime) -> Call | None:
    """The open call of the programme for this kind of organisation (closing soonest), or any
    open call of the programme (its checks then say why it does not fit), or None."""
    calls = list(
        Call.objects.open_at(now)
        .filter(programme__code=programme_code)
        .select_related("programme")
        .order_by("closes_at", "pk")
    )
    audience = OrganisationKind(organisation.kind).audience
    return next((c for c in calls if audience in c.audiences), calls[0] if calls else None)


def application_choose_expert(
    *, expert: Expert, organisation: Organisation, by: User, now: datetime | None = None
) -> Application:
    """Choose a recognised expert from the directory for the organisation's Start IA file: the
    open draft's expert step takes them (its other answers kept), or a draft is started on the
    open Start IA call with them (docs/domain.md, Recognised experts). Refused when the file is
    already submitted, when no Start IA call is open, or when the expert does not take part in
    Start IA today. Returns the draft."""
    now = now or timezone.now()
    _require_member(by, organisation)
    code = Programme.Code.START_IA
    listed = Expert.objects.publicly_listed(today=timezone.localdate(now)).filter(
        pk=expert.pk, facets__kind="programme", facets__value=code
    )
    if not listed.exists():
        raise ApplicationError(_("This expert does not take Start IA files at the moment."))
    application = (
        Application.objects.open()
        .filter(organisation=organisation, programme__code=code)
        .select_related("call__programme", "programme", "organisation")
        .first()
    )
    if application is None:
        call = _call_for(organisation, code, now)
        if call is None:
            raise ApplicationError(
                _("No Start IA call is open at the moment: you cannot start an application now.")
            )
        application = application_start(call=call, organisation=organisation, by=by, now=now)
    if not application.is_draft:
        raise ApplicationError(
            _(
                "Your organisation's Start IA file %(reference)s is already submitted: its expert can no longer be changed here."
            )
            % {"reference": application.reference}
        )
    step = step_with_role(application, Role.EXPERT)
    if step is None:
        raise ApplicationError(_("This call does not ask for an expert: the AdN assigns one."))
    roles = {q.role: q.name for q in step.definition.answers if q.role}
    answers = {**application.step_data(step.slug), roles[Role.EXPERT]: str(expert.pk)}
    if Role.LET_ADN_CHOOSE in roles:  # an expert is chosen: the AdN no longer chooses
        answers.pop(roles[Role.LET_ADN_CHOOSE], None)
    form = step.form_class(answers, application=application)
    valid = form.is_valid()
    return application_save_step(
        application=application,
        step=step,
        cleaned=form.cleaned_data if valid else None,
        raw={name: answers.get(name, "") for name in form.fields},
        version=application.version,
        by=by,
    )


# ---------------------------------------------------------------------------------------------
# Documents


def _can_add_documents(application: Application) -> bool:
    return application.status in {Status.DRAFT, Status.INFO_REQUESTED, Status.IN_PROGRESS}


def _check_room_for_a_document(application: Application) -> None:
    if not _can_add_documents(application):
        raise ApplicationError(_("Documents can no longer be added to this file."))
    limit = min(
        settings.ATTACHMENT_MAX_COUNT,
        documents_options(application).get("max_count") or settings.ATTACHMENT_MAX_COUNT,
    )
    if application.attachments.count() >= limit:
        raise ValidationError(
            _("A file holds %(max)s documents at most: remove one first.") % {"max": limit},
            code="too_many",
        )


def _check_form_document_rules(application: Application, upload, checked) -> None:
    """The types and size the call's form allows, within the portal's own."""
    options = documents_options(application)
    types = [str(t).lower().lstrip(".") for t in options.get("types") or []]
    extension = checked.stored_name.rsplit(".", 1)[-1]
    if types and extension not in types:
        raise ValidationError(
            _("This type of file is not accepted. Accepted: %(types)s.")
            % {"types": ", ".join(t.upper() for t in types)},
            code="type",
        )
    most = options.get("max_size_mb")
    if most and upload.size > most * 1024 * 1024:
        raise ValidationError(
            _("This file is too large (%(size)s): the maximum is %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(most * 1024 * 1024)},
            code="too_large",
        )


def attachment_add(*, application: Application, upload, kind: str, by: User) -> Attachment:
    """Store an uploaded document after checking its size and real type (by content)."""
    _require_member(by, application.organisation)
    _check_room_for_a_document(application)  # early, before the file is written
    checked = uploads.check_upload(upload)
    _check_form_document_rules(application, upload, checked)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        application=application,
        kind=kind,
        original_name=checked.safe_name,
        content_type=checked.mime,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )
    attachment.file.save(checked.stored_name, upload, save=False)
    try:
        # The commit too: if the database fails at any point, the stored file goes.
        with transaction.atomic():
            # Lock the file's row, then count again: two uploads at once must not both pass
            # the limit (nor land after a submission froze the documents).
            locked = Application.objects.select_for_update().get(pk=application.pk)
            _check_room_for_a_document(locked)
            attachment.save()
            ApplicationEvent.objects.create(
                application=application,
                kind=ApplicationEvent.Kind.UPLOAD,
                by=by,
                comment=checked.safe_name,
            )
    except Exception:
        attachment.file.delete(save=False)  # no orphan file when the row is not stored
        raise
    return attachment


def attachment_remove(*, attachment: Attachment, by: User) -> None:
    application = attachment.application
    _require_member(by, application.organisation)
    if attachment.version_id is not None or not _can_add_documents(application):
        raise ApplicationError(
            _("This document is part of a submitted version: it cannot be removed.")
        )
    with transaction.atomic():
        ApplicationEvent.objects.create(
            application=application,
            kind=ApplicationEvent.Kind.REMOVAL,
            by=by,
            comment=attachment.original_name,
        )
        attachment.delete()  # its stored file goes on commit (apps.py: delete_with_rows)


# ---------------------------------------------------------------------------------------------
# Submission and what follows


def _next_reference(application: Application, now: datetime) -> str:
    """The programme-year's next number, in one statement that makes the counter if needed and
    locks its row until the transaction ends: no gap (a refused or failed submission rolls its
    number back) and no duplicate. Every submission of the programme and year waits for this
    lock, so the caller takes it last, when nothing is left to do but the writes that carry
    the reference."""
    year = timezone.localtime(now).year
    prefix = application.programme.code
    table = ReferenceSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, year, last_number) VALUES (%s, %s, 1) "  # noqa: S608 — our table
            f"ON CONFLICT (prefix, year) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [prefix, year],
        )
        (number,) = cursor.fetchone()
    return f"{prefix}-{year}-{number:04d}"


def _organisation_snapshot(organisation: Organisation) -> dict:
    return {
        "name": organisation.name,
        "enterprise_number": organisation.enterprise_number,
        "kind": organisation.kind,
        "street": organisation.street,
        "postcode": organisation.postcode,
        "municipality": organisation.municipality,
        "province": organisation.province,
        "headcount": str(organisation.headcount) if organisation.headcount is not None else None,
        "turnover": str(organisation.turnover) if organisation.turnover is not None else None,
        "balance_sheet": str(organisation.balance_sheet)
        if organisation.balance_sheet is not None
        else None,
        "estimated_figures": organisation.estimated_figures,
        "public_body_share": str(organisation.public_body_share),
        "size_class": organisation.size_class,
    }


def _freeze(application: Application, by: User) -> ApplicationVersion:
    number = application.versions.count() + 1
    version = ApplicationVersion.objects.create(
        application=application,
        number=number,
        data=application.data,
        eligibility=application.eligibility,
        organisation_snapshot=_organisation_snapshot(application.organisation),
        created_by=by,
    )
    application.attachments.filter(version__isnull=True).update(version=version)
    return version


def application_submit(
    *, application: Application, by: User, declarations: dict, now: datetime | None = None
) -> Application:
    """Submit a draft with the applicant's declarations (DeclarationsForm's cleaned data): run
    every check, keep the declarations with the content, give the reference, freeze the
    content, acknowledge.

    Stored whole or refused whole: refused, not even the declarations are kept. A second submit
    of the same file (double click, repeated POST) returns the file as submitted the first
    time and changes nothing."""
    now = now or timezone.now()
    _require_member(by, application.organisation)
    if set(declarations) != set(DeclarationsForm.base_fields) or not all(declarations.values()):
        raise ApplicationError(_("Tick each declaration to submit the application."))
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("call__programme", "organisation", "expert__organisation", "programme")
            .get(pk=application.pk)
        )
        if locked.status != Status.DRAFT:
            if locked.reference:
                return locked  # already submitted: the same answer, nothing done twice
            raise ApplicationError(_("This application can no longer be submitted."))
        if locked.form_version_id is not None:
            # The form version's row, read afresh: a manager's change of the form waits for
            # this submission (and then makes a new version), or this one waits for the change
            # and is checked against it; never a submitted file whose questions change later.
            locked.form_version = FormVersion.objects.select_for_update(no_key=True).get(
                pk=locked.form_version_id
            )
        checks = eligibility.run_checks(locked, now=now)
        if not all(check.passed for check in checks):
            raise SubmissionRefused(checks)
        locked.data = {**locked.data, DECLARATIONS: {k: bool(v) for k, v in declarations.items()}}
        locked.submitted_at = now
        locked.eligibility = [check.as_dict() for check in checks]
        _freeze(locked, by)
        # Rendered once, before the reference exists: a token stands for it until it is known.
        token = f"reference-{secrets.token_hex(8)}"
        subject, body = portal_message(
            application=locked,
            template="application_acknowledgement",
            context={"reference": token},
            to=by,
        )
        # Last, the programme-year's counter: its row stays locked until commit and every
        # submission of the programme waits for it, so only the writes that carry the
        # reference come after it.
        locked.reference = _next_reference(locked, now)
        locked.save(
            update_fields=["data", "reference", "submitted_at", "eligibility", "updated_at"]
        )
        application_transition(
            application=locked, to=Status.SUBMITTED, by=by, actor=Actor.APPLICANT
        )
        applicant_message_send(
            application=locked,
            to=by,
            kind=ApplicantMessage.Kind.ACKNOWLEDGEMENT,
            subject=subject.replace(token, locked.reference),
            body=body.replace(token, locked.reference),
        )
        notifications.submitted(locked, by=by)
    application.refresh_from_db()
    return application


def application_withdraw(*, application: Application, by: User, reason: str = "") -> Application:
    """Withdraw a submitted file: it keeps its reference and history."""
    _require_member(by, application.organisation)
    if application.status == Status.DRAFT:
        raise ApplicationError(_("A draft is not withdrawn: delete it if you no longer want it."))
    return application_transition(
        application=application, to=Status.WITHDRAWN, by=by, actor=Actor.APPLICANT, comment=reason
    )


def application_delete_draft(*, application: Application, by: User) -> None:
    """Delete a draft the organisation no longer wants, with its documents. A draft was never
    sent: it has no reference, no version, nothing staff saw (a submitted file is withdrawn
    instead, and keeps its history)."""
    _require_member(by, application.organisation)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != Status.DRAFT:
            raise ApplicationError(
                _("This application is submitted: withdraw it instead of deleting it.")
            )
        locked.attachments.all().delete()  # their stored files go on commit (apps.py)
        # A draft's timeline goes with it, head included: the chain is gone, not broken.
        locked.events.all().delete()
        ChainHead.objects.filter(chain=timeline_chain(locked.pk)).delete()
        locked.delete()


def application_answer_information_request(
    *, application: Application, by: User, answer: str, now: datetime | None = None
) -> Application:
    """The applicant answers: the checks run again on the answered content (the call's deadline
    as at submission), a new version keeps it with them (the previous ones stay), and the file
    returns where it was."""
    now = now or timezone.now()
    _require_member(by, application.organisation)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != Status.INFO_REQUESTED:
            raise ApplicationError(_("No information is requested on this file."))
        if not answer.strip():
            raise ApplicationError(_("Write your answer."))
        checks = eligibility.run_checks(locked, now=now, deadline_at=locked.submitted_at)
        locked.eligibility = [check.as_dict() for check in checks]
        locked.save(update_fields=["eligibility", "updated_at"])
        _freeze(locked, by)
        ApplicationEvent.objects.create(
            application=locked, kind=ApplicationEvent.Kind.ANSWER, by=by, comment=answer
        )
        locked.messages.filter(
            kind=ApplicantMessage.Kind.INFO_REQUEST, answered_at__isnull=True
        ).update(answered_at=now)
        # The answer is in the file's conversation, after the request it answers.
        ApplicantMessage.objects.create(
            application=locked,
            kind=ApplicantMessage.Kind.ANSWER,
            body=answer,
            sent_by=by,
            author_side=Side.APPLICANT,
        )
        notifications.information_answered(locked, by=by)
        application_transition(
            application=locked,
            to=Status(locked.status_before_info_request),
            by=by,
            actor=Actor.APPLICANT,
            comment=answer,
        )
    application.refresh_from_db()
    return application


def application_update_answer_step(
    *, application: Application, step: Step, cleaned: dict, by: User
) -> Application:
    """While information is requested, the applicant may correct the content (kept as a new
    version when they answer). The figures stored beside it follow, as for a draft."""
    _require_member(by, application.organisation)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != Status.INFO_REQUESTED:
            raise ApplicationError(_("This file cannot be changed now."))
        locked.data = {**locked.data, step.slug: to_json(cleaned)}
        fields = ["data", "updated_at", *_promote(locked, step, cleaned)]
        locked.save(update_fields=sorted(set(fields)))
    application.refresh_from_db()
    return application


def application_request_information(
    *, application: Application, by: User, actor: Actor, message: str, due_date=None
) -> Application:
    """Staff ask the applicant for information: the only way a file reaches "information
    requested", always with a message the applicant reads (and answers)."""
    refusal = guards.staff_refusal(by, application)
    if refusal:
        raise ApplicationError(refusal)
    if not message.strip():
        raise ApplicationError(_("Write what you need from the applicant."))
    with transaction.atomic():
        application = application_transition(
            application=application, to=Status.INFO_REQUESTED, by=by, actor=actor, comment=message
        )
        applicant = application.created_by
        subject, body = portal_message(
            application=application,
            template="application_info_request",
            context={"message": message, "due_date": due_date},
            to=applicant,
        )
        info = applicant_message_send(
            application=application,
            to=applicant,
            kind=ApplicantMessage.Kind.INFO_REQUEST,
            subject=subject,
            body=body,
            sent_by=by,
        )
        if due_date:
            ApplicantMessage.objects.filter(pk=info.pk).update(due_date=due_date)
    return application


def application_submit_report(
    *, application: Application, by: User, report: OutcomeReport
) -> Application:
    _require_member(by, application.organisation)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != Status.IN_PROGRESS:
            raise ApplicationError(
                _("The final report is submitted once the project is in progress.")
            )
        OutcomeReport.objects.filter(application=locked).delete()  # a report sent back is replaced
        report.application = locked
        report.submitted_by = by
        report.save()
        ApplicationEvent.objects.create(
            application=locked, kind=ApplicationEvent.Kind.REPORT, by=by
        )
        milestones_mark_done(application=locked, kind=Milestone.Kind.FINAL_REPORT)
        application_transition(
            application=locked, to=Status.REPORT_SUBMITTED, by=by, actor=Actor.APPLICANT
        )
    application.refresh_from_db()
    return application
