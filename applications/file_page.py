"""What the staff's file page reads (`/espace-adn/dossiers/<pk>/`), kept apart from the
shared `selectors.staff_application` (the actions and the API) because its cost is the
page's (issue 23): the file's row (with the printouts' version numbers), then its
organisation, call, programme and form version by their ids in one statement, its events,
documents, assignments, reviews (and, when there are reviews, their scores and the call's
criteria), its decision letters when it has some, and after selection its agreement,
milestones, payment requests and diagnostic; nothing kept from one request to the next but
the statements' SQL and the choices' labels in each language.

Why no joined table: PostgreSQL planned the nine-table join of `staff_application` in
4.7 ms at best (12-17 ms on a loaded machine); each statement here plans in under 0.5 ms.
The names of the chosen expert and of the earlier file are subqueries of the file's
statement, planned on their own. Why statements compiled once (`adn_portal.lib.compiled`): building and
compiling a queryset was most of each statement's Python cost (the file's 7 ms, each small
one 0.6-0.9 ms, against 0.1 ms to run it through a cursor)."""

from django.db import DEFAULT_DB_ALIAS
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    StringAgg,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Cast
from django.utils import timezone, translation

from adn_portal.accounts.models import User
from adn_portal.lib.compiled import compiled_rows, rows_by_ids
from companies.models import Expert, Organisation
from programs.models import Call, FormVersion, Programme, ScoringCriterion

from . import conversation
from .guards import programmes_worked_on
from .models import (
    Agreement,
    ApplicantMessage,
    Application,
    ApplicationEvent,
    ApplicationVersion,
    Assignment,
    Attachment,
    Diagnostic,
    FollowUpDocument,
    Milestone,
    PaymentRequest,
    Review,
    Score,
    Side,
)
from .selectors import TIMELINE_COLUMNS, staff_files
from .services import reviewers_of

# A person named on the page: str(user) is their full name, else their e-mail.
_NAMED = ("first_name", "last_name", "email")


def _partial(model, **values):
    """An instance of `model` with these fields loaded, the others deferred (as .only()
    loads it): what a page shows of a row another statement read."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])


def with_what_it_points_at(application: Application) -> Application:
    """The file's organisation, call, programme and form version, each read by its id, in
    one statement (`rows_by_ids`: no join to plan, one round trip instead of four)."""
    wanted = [
        (Organisation, application.organisation_id),
        (Call, application.call_id),
        (Programme, application.programme_id),
    ]
    if application.form_version_id is not None:
        wanted.append((FormVersion, application.form_version_id))
    application.organisation, application.call, application.programme, *version = rows_by_ids(
        *wanted
    )
    # The file's programme is its call's (copied from it): read once, linked.
    if application.call.programme_id == application.programme_id:
        application.call.programme = application.programme
    if version:
        (application.form_version,) = version
    return application


def _file(user, pk: int) -> Application | None:
    """The file with its organisation, call, programme and form version (read by their ids
    in a second statement: joining them made PostgreSQL plan the file's in 2-5 ms); the
    chosen expert's company and the earlier file by name; the versions' numbers; the
    messages `user` has not read."""

    def file_of(pk: int) -> QuerySet[Application]:
        # Without the models' default orderings: one row each, nothing to sort.
        expert = Expert.objects.filter(pk=OuterRef("expert_id")).order_by()
        earlier = Application.objects.filter(pk=OuterRef("earlier_application_id")).order_by()
        versions = ApplicationVersion.objects.filter(application_id=OuterRef("pk")).order_by()
        return (
            conversation.with_unread(staff_files(user), user=user, side=Side.ADN)
            .annotate(
                expert_organisation_id=Subquery(expert.values("organisation_id")[:1]),
                expert_name=Subquery(expert.values("organisation__name")[:1]),
                earlier_reference=Subquery(earlier.values("reference")[:1]),
                # The printouts' versions, "1,2" (a statement less: their numbers alone).
                version_list=Subquery(
                    versions.values("application_id")
                    .annotate(numbers=StringAgg(Cast("number", CharField()), delimiter=Value(",")))
                    .values("numbers")
                ),
                # Most files have no decision letter yet: their statement is left out then.
                has_decision_letters=Exists(_decision_letters(OuterRef("pk"))),
            )
            .filter(pk=pk)
            .order_by()
        )

    # The statement names the user (their conflicts of interest, what they have read) and
    # the programmes they work on: kept under both, never another's.
    programmes = programmes_worked_on(user)
    key = (user.pk, None if programmes is None else tuple(programmes))
    found = compiled_rows("file", file_of, pk, key=key)
    if not found:
        return None
    (application,) = found
    with_what_it_points_at(application)
    if application.expert_id is not None:
        # The expert and its company by name, the rest deferred: what the page shows.
        application.expert = _partial(
            Expert, id=application.expert_id, organisation_id=application.expert_organisation_id
        )
        application.expert.organisation = _partial(
            Organisation, id=application.expert_organisation_id, name=application.expert_name
        )
    if application.earlier_application_id is not None:
        application.earlier_application = _partial(
            Application,
            id=application.earlier_application_id,
            reference=application.earlier_reference,
        )
    return application


def _person(user_id, row, prefix: str):
    """The person named on a row (their name and e-mail), or None."""
    if user_id is None:
        return None
    return _partial(
        User,
        id=user_id,
        **{name: getattr(row, f"{prefix}_{name}") for name in _NAMED},
    )


def _named_by(prefix: str, path: str) -> dict:
    return {f"{prefix}_{name}": F(f"{path}__{name}") for name in _NAMED}


# The labels of a field's choices in each language, read once per process: an instance's
# get_FOO_display builds the choices' dict again for every row (~65 µs each).
_LABELS: dict[tuple, dict[str, str]] = {}


def choice_label(field, value: str) -> str:
    """What `instance.get_FOO_display()` says of `value` for the field `field` (the value
    itself when it is none of the choices), in the active language."""
    key = (field, translation.get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {value: str(label) for value, label in field.flatchoices}
    return labels.get(value, value)


def _timeline_heading(event: ApplicationEvent) -> str:
    """An event as the timeline names it: the move between two statuses, or its kind."""
    if event.kind == ApplicationEvent.Kind.TRANSITION:
        return (
            f"{choice_label(_EVENT_FROM, event.from_status)} → "
            f"{choice_label(_EVENT_TO, event.to_status)}"
        )
    return choice_label(_EVENT_KIND, event.kind)


_EVENT_FROM, _EVENT_TO, _EVENT_KIND = (
    ApplicationEvent._meta.get_field(name) for name in ("from_status", "to_status", "kind")
)
_DOCUMENT_KIND = Attachment._meta.get_field("kind")
_MILESTONE_KIND = Milestone._meta.get_field("kind")


def _events(pk: int) -> QuerySet[ApplicationEvent]:
    return (
        ApplicationEvent.objects.filter(application_id=pk)
        .only(*TIMELINE_COLUMNS)
        .annotate(**_named_by("by", "by"))
        .order_by("-at", "-pk")
    )


def _documents(pk: int) -> QuerySet[Attachment]:
    # What the list shows, and what a download sends (the file's own view).
    return (
        Attachment.objects.filter(application_id=pk)
        .only("application", "kind", "original_name", "size", "file", "content_type")
        .order_by("uploaded_at")
    )


def _assignments(pk: int) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(application_id=pk)
        .only("application", "assigned_at", "ended_at", "reviewer")
        .annotate(**_named_by("reviewer", "reviewer"))
        .order_by("-assigned_at", "-pk")
    )


def _reviews(pk: int) -> QuerySet[Review]:
    # Those that count: not those of a reviewer who declared a conflict of interest.
    return (
        Review.objects.counted()
        .filter(application_id=pk)
        .annotate(**_named_by("reviewer", "reviewer"))
        .order_by("submitted_at", "pk")
    )


def _decision_letters(pk: int) -> QuerySet[ApplicantMessage]:
    return (
        ApplicantMessage.objects.filter(application_id=pk, kind=ApplicantMessage.Kind.DECISION)
        .only("subject", "created_at")
        .order_by("created_at", "pk")
    )


def _reviewers(programme_id: int, organisation_id: int) -> QuerySet[User]:
    # services.reviewers_of, less those who declared a conflict with the organisation.
    return (
        reviewers_of(programme_id)
        .exclude(conflicts_of_interest__organisation_id=organisation_id)
        .order_by("last_name", "first_name", "pk")
    )


def assignable_reviewers(application: Application) -> list[User]:
    """The reviewers a manager may make responsible for the file (AssignmentForm's choices;
    the service checks them again under its lock)."""
    return compiled_rows(
        "reviewers", _reviewers, application.programme_id, application.organisation_id
    )


def _criteria(call_id: int) -> QuerySet[ScoringCriterion]:
    # Every version of the call's review form (the reviews may answer older ones).
    return ScoringCriterion.objects.filter(call_id=call_id).order_by("version", "position", "pk")


def staff_file_page(*, user, pk: int) -> Application | None:
    """The file as the staff's file page shows it, in a fixed number of queries whatever its
    history; None where `selectors.staff_application` is None (outside the user's
    programmes, or a declared conflict of interest). Of the rows it points at, only what the
    page shows: the people's names, the documents' names and what a download sends."""
    application = _file(user, pk)
    if application is None:
        return None
    application.timeline = compiled_rows("events", _events, pk)
    for event in application.timeline:
        event.by = _person(event.by_id, event, "by")
        # What the template would make of each row, here in a few µs: its heading and time.
        event.heading = _timeline_heading(event)
        event.when = timezone.localtime(event.at).strftime("%d/%m/%Y %H:%M")
    application.documents = compiled_rows("documents", _documents, pk)
    for document in application.documents:
        document.kind_label = choice_label(_DOCUMENT_KIND, document.kind)
    application.assignment_history = compiled_rows("assignments", _assignments, pk)
    for assignment in application.assignment_history:
        assignment.reviewer = _person(assignment.reviewer_id, assignment, "reviewer")
    # The current reviewer (the queue's column), from the assignments just read.
    current = next((a for a in application.assignment_history if a.ended_at is None), None)
    application.reviewer_first_name = current and current.reviewer.first_name
    application.reviewer_last_name = current and current.reviewer.last_name
    application.review_list = compiled_rows("reviews", _reviews, pk)
    for review in application.review_list:
        review.reviewer = _person(review.reviewer_id, review, "reviewer")
    # Their scores in the order of the form's criteria, and the call's criteria (only the
    # reviews read them: selectors.review_summary); neither for a file without reviews.
    application.call.criteria_list = []
    if application.review_list:
        prefetch_related_objects(
            application.review_list,
            Prefetch(
                "scores",
                queryset=Score.objects.select_related("criterion").order_by(
                    "criterion__position", "criterion_id"
                ),
                to_attr="score_list",
            ),
        )
        application.call.criteria_list = compiled_rows("criteria", _criteria, application.call_id)
    # The printouts: each submitted version (their numbers read with the file), each
    # decision letter.
    application.version_numbers = sorted(
        int(number) for number in (application.version_list or "").split(",") if number
    )
    application.decision_letters = (
        compiled_rows("decisions", _decision_letters, pk)
        if application.has_decision_letters
        else []
    )
    return application


def _agreements(pk: int) -> QuerySet[Agreement]:
    return Agreement.objects.filter(application_id=pk).order_by("-number")


def _milestones(pk: int) -> QuerySet[Milestone]:
    return (
        Milestone.objects.filter(application_id=pk)
        .annotate(document_name=F("document__original_name"))
        .order_by("due_on", "pk")
    )


def _diagnostic(pk: int) -> QuerySet[Diagnostic]:
    return (
        Diagnostic.objects.filter(application_id=pk)
        .annotate(
            expert_organisation_id=F("expert__organisation_id"),
            expert_name=F("expert__organisation__name"),
        )
        .order_by("pk")[:1]
    )


def staff_after_selection(application: Application) -> dict:
    """`selectors.after_selection` as the staff's file page shows it (none before selection):
    the agreement's versions (their documents by id), the milestones (a document by its name),
    the payment requests, the diagnostic (its expert company by name), in four statements,
    three of them compiled once."""
    if application.selected_at is None:
        return {}
    pk = application.pk
    milestones = compiled_rows("milestones", _milestones, pk)
    for milestone in milestones:
        milestone.kind_label = choice_label(_MILESTONE_KIND, milestone.kind)
        milestone.document = milestone.document_id and _partial(
            FollowUpDocument, id=milestone.document_id, original_name=milestone.document_name
        )
    diagnostic = next(iter(compiled_rows("diagnostic", _diagnostic, pk)), None)
    if diagnostic is not None:
        diagnostic.expert = _partial(
            Expert, id=diagnostic.expert_id, organisation_id=diagnostic.expert_organisation_id
        )
        diagnostic.expert.organisation = _partial(
            Organisation, id=diagnostic.expert_organisation_id, name=diagnostic.expert_name
        )
    return {
        "agreements": compiled_rows("agreements", _agreements, pk),
        "milestones": milestones,
        # The amounts claimed are summed by the database and shown as it converts them.
        "payment_requests": list(
            PaymentRequest.objects.filter(application_id=pk)
            .select_related("payment")
            .annotate(claimed=Sum("lines__amount"), line_count=Count("lines"))
            .order_by("created_at", "pk")
        ),
        "diagnostic": diagnostic,
    }
