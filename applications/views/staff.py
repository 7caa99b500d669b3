"""The AdN staff's own interface: the queue and the file, with every action it may take."""

from html import escape

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from adn_portal.accounts.audit import audit
from adn_portal.accounts.models import AuditEvent
from adn_portal.accounts.permissions import MANAGERS, STAFF, has_role, role_required
from adn_portal.lib.null_characters import posted_text
from adn_portal.lib.numbers import whole_number
from adn_portal.lib.seek import numbered_page, seek_page
from programs.models import call_label

from .. import conversation, guards, queue_counts, selectors, services, workflow
from ..file_page import assignable_reviewers, staff_file_page
from ..filters import QueueFilter
from ..forms.staff import (
    AssignmentForm,
    ConflictDeclarationForm,
    DecisionForm,
    ExpertChoiceForm,
    ExportForm,
    InformationRequestForm,
    NoteForm,
    ReviewForm,
    TransitionForm,
    review_initial,
    workflow_moves,
)
from ..models import Application, Export, Side
from ..services import ApplicationError
from ..steps import describe
from ..workflow import Status
from .shared import conversation_context, document_response, message_write, or_404
from .staff_follow_up import staff_follow_up_context

QUEUE_PAGE_SIZE = 25


def _queue(request, applications):
    queue = QueueFilter(
        request.GET or None,
        queryset=applications,
        user=request.user,
        overdue_days=settings.STAFF_OVERDUE_DAYS,
    )
    return queue, queue.qs if queue.is_bound else applications


def _known_count(queue_filter, counts: dict[tuple[int, str], int]) -> int | None:
    """How many files the list holds when the shared counts per programme and status know it
    (`queue_counts`: the tabs' own figures): the whole queue, or a list filtered by programme
    and status alone, as a tab shows it. None when other filters narrow it: it is counted up
    to adn_portal.lib.seek.COUNT_CAP with its page. A filter the form refused is not applied,
    so not counted either."""
    chosen = {}
    if queue_filter.is_bound:
        queue_filter.form.is_valid()
        chosen = {
            name: value
            for name, value in queue_filter.form.cleaned_data.items()
            if name != "ordering" and value not in (None, "", [], False)
        }
    if not chosen.keys() <= {"programme", "status"}:
        return None
    programme, statuses = chosen.get("programme"), set(chosen.get("status") or ())
    return sum(
        n
        for (programme_id, status), n in counts.items()
        if (programme is None or programme_id == programme.pk)
        and (not statuses or status in statuses)
    )


# The queue's order when none is chosen: its index (application_queue_order_idx) serves it.
QUEUE_ORDER = ("-submitted_at",)


def _queue_page(request, queue_filter, applications, *, count: int | None):
    """The page asked for: after or before a row (`cursor`, the next and previous links: an
    index range, as cheap deep in the list as at its top), or typed by its number (`page`:
    OFFSET, which walks the rows before it), or the first."""
    ordering = queue_filter.ordering_fields() or QUEUE_ORDER
    # The page's files are chosen among `applications`, then read with what a row shows.
    rows = selectors.queue_rows(user=request.user)
    cursor, number = request.GET.get("cursor"), request.GET.get("page")
    if not cursor and number not in (None, "", "1"):
        return numbered_page(
            applications, ordering, number, QUEUE_PAGE_SIZE, count=count, read=rows
        )
    # A search's files are read whole (its trigram bitmap): the first page and their count from
    # one reading of them.
    once = queue_filter.searching()
    return seek_page(
        applications, ordering, cursor, QUEUE_PAGE_SIZE, count=count, read=rows, once=once
    )


def _call_labels(queue_filter):
    """A file's call as lists name it, from the programmes and calls the filter form lists
    (all of them: the page's statement reads ids only); one created since they were read, from
    the database."""
    programmes, calls = queue_filter.listed("programme"), queue_filter.listed("call")

    def label(row) -> str:
        programme, call = programmes.get(row.programme_id), calls.get(row.call_id)
        if programme is None or call is None:
            programme, call = row.programme, row.call
        return call_label(programme.name, call.title)

    return label


def _shown(rows, *, is_manager: bool, calls) -> None:
    """What each row of the queue shows, worked out once per page in Python: a label once per
    value (status, province, call: `calls(row)`), the date written plainly, the row's links and its
    checkbox's label, then the row itself (`html`). The template's filters, tags and lookups
    did it row by row and were most of the table's cost."""
    labels: dict = {}
    # The links' paths, made once: only the file's id differs from one row to the next.
    file_url = reverse("applications:staff_application", args=[_ID]).replace(str(_ID), "{}")
    conversation_url = reverse("applications:staff_conversation", args=[_ID]).replace(
        str(_ID), "{}"
    )
    select = _("Select %(ref)s")
    for row in rows:
        organisation = row.organisation
        status = labels.get(("s", row.status))
        if status is None:
            status = labels[("s", row.status)] = str(row.status_label)
        province = labels.get(("p", organisation.province))
        if province is None:
            province = labels[("p", organisation.province)] = str(organisation.province_label)
        call = labels.get(("c", row.call_id))
        if call is None:
            call = labels[("c", row.call_id)] = calls(row)
        row.status_shown, row.province_shown, row.call_shown = status, province, call
        submitted = row.submitted_at and timezone.localtime(row.submitted_at)
        row.submitted_shown = f"{submitted:%d/%m/%Y}" if submitted else ""
        row.url, row.conversation_url = file_url.format(row.pk), conversation_url.format(row.pk)
        row.select_label = select % {"ref": row.reference}
        row.reviewer_shown = (row.reviewer_name or "").strip() or "—"
        row.html = _row(row, is_manager=is_manager)


def _row(row, *, is_manager: bool) -> str:
    """A row of the queue's table (as the template wrote it, and the unread messages' badge as
    applications/partials/unread_badge.html writes it): an f-string of escaped values, where
    format_html's lazy-aware escaping, ten values a row, cost more than the rest of the row."""
    unread = ""
    if row.unread_messages:
        words = escape(ngettext("unread message", "unread messages", row.unread_messages))
        unread = (
            f' <a href="{row.conversation_url}" class="text-decoration-none"> <span class="badge '
            f'rounded-pill text-bg-primary unread-messages">{row.unread_messages:d}<span '
            f'class="visually-hidden"> {words}</span></span></a>'
        )
    checkbox = (
        f'<td><input class="form-check-input" type="checkbox" name="files" value="{row.pk:d}" '
        f'aria-label="{escape(row.select_label)}"></td>'
        if is_manager
        else ""
    )
    return mark_safe(  # noqa: S308 — every value escaped here
        f'<tr>{checkbox}<td><a href="{row.url}">{escape(row.reference)}</a>{unread}</td>'
        f"<td>{escape(row.organisation.name)}</td>"
        f'<td class="small">{escape(row.call_shown)}</td>'
        f'<td class="small">{escape(row.province_shown)}</td>'
        f'<td><span class="badge text-bg-light border">{escape(row.status_shown)}</span></td>'
        f'<td class="small">{escape(row.reviewer_shown)}</td>'
        f'<td class="small">{row.submitted_shown}</td></tr>'
    )


# A file id no URL holds otherwise, replaced by each row's (see _shown).
_ID = 987654321987


@role_required(*STAFF)
def queue(request):
    # The user's conflicts of interest read once, for the list and its counts alike.
    conflicts = selectors.conflicted_organisations(request.user)
    queue_filter, applications = _queue(
        request, selectors.staff_files(request.user, conflicts=conflicts)
    )
    counts = queue_counts.staff_counts(request.user, conflicts=conflicts)
    page = _queue_page(
        request, queue_filter, applications, count=_known_count(queue_filter, counts)
    )
    is_manager = has_role(request.user, *MANAGERS)
    _shown(page, is_manager=is_manager, calls=_call_labels(queue_filter))
    totals = selectors.status_totals(counts)
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("cursor", None)
    return render(
        request,
        "applications/staff/queue.html",
        {
            "filter": queue_filter,
            "page": page,
            "tabs": [(s.value, s.label, totals[s]) for s in Status if s in totals],
            "querystring": params.urlencode(),
            "is_manager": is_manager,
            "export_form": ExportForm(),
            "decisions": workflow.DECISIONS,
        },
    )


@role_required(*MANAGERS)
@require_POST
def queue_batch(request):
    """Batch actions on the ticked files (or, for auto-assignment, every unassigned one shown)."""
    applications = selectors.staff_applications(request.user)
    ids = [pk for pk in map(whole_number, request.POST.getlist("files")) if pk is not None]
    action = request.POST.get("action")
    if action == "auto_assign":
        chosen = applications.filter(pk__in=ids) if ids else _queue(request, applications)[1]
        done = services.applications_auto_assign(
            applications=chosen.filter(status__in=workflow.OPEN_STATUSES), by=request.user
        )
        messages.success(request, _("%(count)s files assigned.") % {"count": len(done)})
    elif action in workflow.DECISIONS and request.POST.get("confirmed") != "True":
        return _confirm_batch(request, applications.filter(pk__in=ids), Status(action))
    elif action in workflow.DECISIONS:
        result = services.applications_decide_batch(
            applications=applications.filter(pk__in=ids),
            decision=Status(action),
            by=request.user,
            comment=posted_text(request, "comment"),
        )
        if result["done"]:
            messages.success(
                request, _("Decision recorded for: %(refs)s.") % {"refs": ", ".join(result["done"])}
            )
        for reference, reason in result["refused"]:
            messages.error(request, f"{reference}: {reason}")
    else:
        messages.error(request, _("Choose an action."))
    return redirect(f"{reverse('applications:staff_queue')}?{request.POST.get('querystring', '')}")


# What the page says once a decision is recorded and its message sent (the reference first).
DECIDED = {
    Status.SELECTED: gettext_lazy("%(reference)s selected; message sent to the applicant."),
    Status.WAITLISTED: gettext_lazy("%(reference)s wait-listed; message sent to the applicant."),
    Status.REJECTED: gettext_lazy("%(reference)s rejected; message sent to the applicant."),
    Status.INELIGIBLE: gettext_lazy(
        "%(reference)s declared ineligible; message sent to the applicant."
    ),
}


def _confirm_batch(request, applications, decision: Status):
    """The ticked files and the message each applicant will get with this decision, before
    the confirmation that decides them (as on a file's page)."""
    comment = posted_text(request, "comment")
    previews, refused = [], []
    for application in applications.order_by("reference")[:QUEUE_PAGE_SIZE]:
        try:
            subject, body = services.application_decision_preview(
                application=application, decision=decision, by=request.user, comment=comment
            )
        except ApplicationError as error:
            refused.append((application, str(error)))
        else:
            previews.append((application, subject, body))
    if not previews:
        for application, reason in refused:
            messages.error(request, f"{application.reference}: {reason}")
        if not refused:
            messages.error(request, _("Tick the files to decide."))
        return redirect(
            f"{reverse('applications:staff_queue')}?{request.POST.get('querystring', '')}"
        )
    return render(
        request,
        "applications/staff/batch_confirm.html",
        {
            "decision": decision,
            "comment": comment,
            "previews": previews,
            "refused": refused,
            "querystring": request.POST.get("querystring", ""),
        },
    )


@role_required(*STAFF)
def application_detail(request, pk: int):
    application = or_404(staff_file_page(user=request.user, pk=pk))
    summary = selectors.review_summary(application, reviewer=request.user)
    if guards.needs_declaration(request.user, application):
        return render(
            request,
            "applications/staff/declaration.html",
            {"application": application, "form": ConflictDeclarationForm()},
        )
    audit(AuditEvent.Action.FILE_VIEWED, request=request, application=application.pk)
    return _application_page(request, application, summary=summary)


def _application_page(
    request, application: Application, *, status: int = 200, summary=None, **bound_forms
):
    """The file page; a refused form comes back bound, with its errors next to its fields."""
    actor = services.staff_actor(request.user)
    summary = summary or selectors.review_summary(application, reviewer=request.user)
    mine = summary["mine"]
    review_form = None
    if mine is not None and not mine.is_locked and application.status in services.SCORABLE:
        review_form = bound_forms.get("review_form") or ReviewForm(
            criteria=summary["my_criteria"], initial=review_initial(mine)
        )
    is_manager = actor == workflow.Actor.MANAGER
    forms = {
        "decision_form": DecisionForm(application=application, actor=actor),
        "info_form": InformationRequestForm(),
        "note_form": NoteForm(),
        "declaration_form": ConflictDeclarationForm() if mine is None else None,
    } | {
        name: form
        for name, form in bound_forms.items()
        if name not in ("review_form", "expert_form")  # these two: shown when still asked
    }
    return render(
        request,
        "applications/staff/application.html",
        {
            "application": application,
            "content": describe(application),
            "summary": summary,
            "review_form": review_form,
            "moves": workflow_moves(application, actor, decisions=False),
            "can_request_info": Status.INFO_REQUESTED
            in workflow.targets(Status(application.status), actor),
            "can_decide": bool(forms["decision_form"].fields["decision"].choices),
            "is_manager": is_manager,
            "reviewers": assignable_reviewers(application) if is_manager else [],
            "expert_form": _expert_form(request, application, bound_forms.get("expert_form"))
            if is_manager and application.expert_chosen_by_adn and application.expert_id is None
            else None,
            # docs/domain.md, After selection: agreement, payments, follow-up.
            **staff_follow_up_context(request, application, **bound_forms),
            **forms,
        },
        status=status,
    )


def _expert_form(request, application: Application, bound: ExpertChoiceForm | None):
    """The manager's expert picker: a page of the programme's listed experts, the one its
    search box and page buttons ask for (its own GET form, or the script)."""
    form = bound or ExpertChoiceForm(application=application)
    form.search(request.GET.get("expert_q", ""), request.GET.get("expert_page"))
    return form


def _act(request, application: Application, action, done: str, anchor: str = ""):
    """Run a service on the file; its refusal, or `done` (what happened, naming the file), is
    told on the page the staff member returns to, at `anchor`."""
    try:
        action(application)
    except ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    url = reverse("applications:staff_application", kwargs={"pk": application.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


def _refused(request, application: Application, **bound_forms):
    """A form the page refused: the file page again, the form bound with its errors listed
    above the page (400)."""
    (refused_form,) = bound_forms.values()
    # The file as its page reads it (the action's own read is the shared selector's).
    application = or_404(staff_file_page(user=request.user, pk=application.pk))
    audit(AuditEvent.Action.FILE_VIEWED, request=request, application=application.pk)
    return _application_page(
        request, application, status=400, refused_form=refused_form, **bound_forms
    )


def _confirm_decision(request, application: Application, form):
    """The confirmation of a decision: the message the applicant will get, rendered from the
    programme's template in their language, and the button that sends it."""
    try:
        subject, body = services.application_decision_preview(
            application=application,
            decision=form.target(),
            by=request.user,
            comment=form.cleaned_data["comment"],
        )
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect("applications:staff_application", pk=application.pk)
    return render(
        request,
        "applications/staff/decision_confirm.html",
        {
            "application": application,
            "decision": form.target(),
            "comment": form.cleaned_data["comment"],
            "expected_status": form.cleaned_data.get("expected_status") or application.status,
            "subject": subject,
            "body": body,
        },
    )


def _decide(request, application: Application, form):
    decision = form.target()
    return _act(
        request,
        application,
        lambda a: services.application_decide(
            application=a,
            decision=decision,
            by=request.user,
            comment=form.cleaned_data["comment"],
            expected_status=form.expected(),
        ),
        done=DECIDED[decision] % {"reference": application.reference},
        anchor="decision",
    )


@role_required(*STAFF)
@require_POST
def application_transition(request, pk: int):
    application = or_404(selectors.staff_application(user=request.user, pk=pk))
    form = TransitionForm(
        request.POST, application=application, actor=services.staff_actor(request.user)
    )
    if not form.is_valid():
        return _refused(request, application, transition_form=form)
    if form.needs_confirmation():
        return _confirm_decision(request, application, form)
    if form.target() in workflow.DECISIONS:
        return _decide(request, application, form)
    target = form.target()
    return _act(
        request,
        application,
        lambda a: services.application_staff_transition(
            application=a,
            to=target,
            by=request.user,
            comment=form.cleaned_data["comment"],
            expected_status=form.expected(),
        ),
        done=_("%(reference)s moved to “%(status)s”.")
        % {"reference": application.reference, "status": target.label},
    )


@role_required(*MANAGERS)
@require_POST
def application_decide(request, pk: int):
    """A decision in two steps: the chosen decision and comment show the message the applicant
    will get; its confirmation (`confirmed`) records the decision and sends it."""
    application = or_404(selectors.staff_application(user=request.user, pk=pk))
    form = DecisionForm(
        request.POST, application=application, actor=services.staff_actor(request.user)
    )
    if not form.is_valid():
        return _refused(request, application, decision_form=form)
    if form.needs_confirmation():
        return _confirm_decision(request, application, form)
    return _decide(request, application, form)


@role_required(*STAFF)
@require_POST
def application_request_information(request, pk: int):
    application = or_404(selectors.staff_application(user=request.user, pk=pk))
    form = InformationRequestForm(request.POST)
    if not form.is_valid():
        return _refused(request, application, info_form=form)
    return _act(
        request,
        application,
        lambda a: services.application_request_information(
            application=a,
            by=request.user,
            actor=services.staff_actor(request.user),
            message=form.cleaned_data["message"],
            due_date=form.cleaned_data["due_date"],
        ),
        done=_("%(reference)s: information requested; message sent to the applicant.")
        % {"reference": application.reference},
    )


@role_required(*STAFF)
@require_POST
def application_declaration(request, pk: int):
    """The reviewer's answer on a conflict of interest with the file's organisation: none opens
    their review; one takes the organisation's files away from them (the queue, then)."""
    application = or_404(selectors.staff_application(user=request.user, pk=pk))
    form = ConflictDeclarationForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "applications/staff/declaration.html",
            {"application": application, "form": form},
            status=400,
        )
    try:
        if form.declares_conflict:
            services.review_declare_conflict(
                application=application, reviewer=request.user, reason=form.cleaned_data["reason"]
            )
        else:
            services.review_open(application=application, reviewer=request.user)
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect("applications:staff_queue")
    if form.declares_conflict:
        messages.success(
            request,
            _("Conflict of interest declared: the files of %(organisation)s are no longer yours.")
            % {"organisation": application.organisation.name},
        )
        return redirect("applications:staff_queue")
    messages.success(
        request,
        _("No conflict of interest recorded: your review of %(reference)s is open.")
        % {"reference": application.reference},
    )
    url = reverse("applications:staff_application", kwargs={"pk": application.pk})
    return redirect(f"{url}#my-review")


@role_required(*STAFF)
@require_POST
def application_score(request, pk: int):
    """Save the reviewer's review as a draft, or submit it (then it is locked)."""
    application = or_404(selectors.staff_application(user=request.user, pk=pk))
    summary = selectors.review_summary(application, reviewer=request.user)
    if summary["mine"] is None:
        messages.error(
            request,
            _("Confirm first that you have no conflict of interest with this organisation."),
        )
        return redirect("applications:staff_application", pk=application.pk)
    form = ReviewForm(request.POST, criteria=summary["my_criteria"])
    if not form.is_valid():
        return _refused(request, application, review_form=form)
    review = form.review()
    done = (
        _("%(reference)s: your review is submitted and locked.")
        if review["submit"]
        else _("%(reference)s: your review is saved as a draft.")
    ) % {"reference": application.reference}
    return _act(
        request,
        application,
        lambda a: services.review_save(application=a, reviewer=request.user, **review),
        done=done,
        anchor="my-review",
    )


@role_required(*MANAGERS)
def application_reviews(request, pk: int):
    """The file's reviews side by side: criteria by reviewers, weighted totals,
    recommendations and comments."""
    application = or_404(selectors.file_reviews(user=request.user, pk=pk))
    audit(AuditEvent.Action.FILE_VIEWED, request=request, application=application.pk)
    return render(
        request,
        "applications/staff/reviews.html",
        {"application": application, "summary": selectors.review_summary(application)},
    )


@role_required(*STAFF)
@require_POST
def application_note(request, pk: int):
    application = or_404(selectors.staff_application(user=request.user, pk=pk))
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _refused(request, application, note_form=form)
    return _act(
        request,
        application,
        lambda a: services.application_add_note(
            application=a, by=request.user, text=form.cleaned_data["text"]
        ),
        done=_("%(reference)s: internal note added.") % {"reference": application.reference},
        anchor="timeline",
    )


@role_required(*MANAGERS)
@require_POST
def application_assign(request, pk: int):
    application = or_404(selectors.staff_application(user=request.user, pk=pk))
    form = AssignmentForm(request.POST, application=application)
    if not form.is_valid():
        return _refused(request, application, assignment_form=form)
    return _act(
        request,
        application,
        lambda a: services.application_assign(
            application=a, reviewer=form.cleaned_data["reviewer"], by=request.user
        ),
        done=_("%(reference)s assigned to %(reviewer)s.")
        % {"reference": application.reference, "reviewer": form.cleaned_data["reviewer"]},
    )


@role_required(*MANAGERS)
@require_POST
def application_assign_expert(request, pk: int):
    """The picker's choice (or a proposal's), checked by the form (one of the experts offered)
    then by the service; a refusal is shown next to the picker."""
    application = or_404(selectors.staff_application(user=request.user, pk=pk))
    form = ExpertChoiceForm(request.POST, application=application)
    if form.is_valid():
        expert = form.cleaned_data["expert"]
        try:
            services.application_assign_expert(
                application=application, expert=expert, by=request.user
            )
        except ApplicationError as error:
            form.add_error("expert", str(error))
        else:
            messages.success(
                request,
                _("%(reference)s: %(expert)s chosen as expert.")
                % {"reference": application.reference, "expert": expert.organisation.name},
            )
            return redirect("applications:staff_application", pk=application.pk)
    return _refused(request, application, expert_form=form)


@role_required(*STAFF)
def conversation_page(request, pk: int):
    """The file's conversation with the applicant (and the expert company of a Start IA
    file): read, and write. Internal notes stay on the file's page."""
    application = or_404(selectors.staff_conversation_file(user=request.user, pk=pk))
    form, sent = message_write(request, application, Side.ADN)
    if sent:
        return redirect("applications:staff_conversation", pk=application.pk)
    status = 400 if request.method == "POST" else 200
    audit(AuditEvent.Action.FILE_VIEWED, request=request, application=application.pk)
    return render(
        request,
        "applications/staff/conversation.html",
        {
            "application": application,
            **conversation_context(
                request,
                application,
                side=Side.ADN,
                messages=conversation.thread(application, Side.ADN),
                last=application.last_read,
                form=form,
            ),
        },
        status=status,
    )


@role_required(*STAFF)
def message_attachment(request, pk: int, attachment_pk: int):
    application = or_404(selectors.staff_conversation_file(user=request.user, pk=pk))
    document = or_404(
        conversation.message_attachment(application=application, side=Side.ADN, pk=attachment_pk)
    )
    audit(
        AuditEvent.Action.DOCUMENT_DOWNLOADED,
        request=request,
        application=application.pk,
        message_attachment=document.pk,
    )
    return document_response(document)


@role_required(*STAFF)
def application_attachment(request, pk: int, attachment_pk: int):
    application = or_404(selectors.staff_application(user=request.user, pk=pk))
    attachment = next((d for d in application.documents if d.pk == attachment_pk), None)
    if attachment is None:
        raise Http404
    audit(
        AuditEvent.Action.DOCUMENT_DOWNLOADED,
        request=request,
        application=application.pk,
        attachment=attachment.pk,
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(*STAFF)
@require_POST
def export_create(request):
    form = ExportForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("format", []):
            messages.error(request, error)
        return redirect("applications:staff_queue")
    query = dict(request.GET.lists())
    services.export_request(by=request.user, query=query, format=form.cleaned_data["format"])
    messages.success(request, _("The export is being prepared: it appears below when ready."))
    return redirect("applications:staff_exports")


@role_required(*STAFF)
def exports(request):
    return render(
        request,
        "applications/staff/exports.html",
        {"exports": Export.objects.filter(requested_by=request.user)[:20]},
    )


@role_required(*STAFF)
def export_download(request, export_pk: int):
    export = get_object_or_404(
        Export, pk=export_pk, requested_by=request.user, state=Export.State.READY
    )
    audit(AuditEvent.Action.EXPORT_DOWNLOADED, request=request, export=export.pk, rows=export.rows)
    return FileResponse(
        export.file.open("rb"), as_attachment=True, filename=f"dossiers-{export.pk}.{export.format}"
    )
