from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from adn_portal.lib.compiled import compiled_rows
from programs.models import ScoringCriterion

from . import conversation
from .guards import programmes_worked_on
from .models import (
    ApplicantMessage,
    Application,
    ApplicationEvent,
    Assignment,
    Attachment,
    ConflictOfInterest,
    FollowUpDocument,
    Review,
    Score,
    Side,
)
from .workflow import Status


def organisation_applications(organisation, *, user) -> QuerySet[Application]:
    """ "My files": the organisation's files with what each row shows, the messages `user` has
    not read included, in one query."""
    return conversation.with_unread(
        Application.objects.filter(organisation=organisation)
        .select_related("call__programme")
        .order_by("-created_at"),
        user=user,
        side=Side.APPLICANT,
    )


def _one(queryset: QuerySet, **lookup):
    """The one row of `queryset` matching `lookup`, or None (the view says 404)."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        return None


def _programme_once(application: Application | None) -> Application | None:
    """The file's call points at the file's programme (copied from it), loaded once with the
    file instead of joined twice: every table joined makes PostgreSQL plan longer."""
    if application is not None and application.call.programme_id == application.programme_id:
        application.call.programme = application.programme
    return application


def member_application(*, user, pk: int) -> Application | None:
    """A file of one of the user's organisations; None for another organisation's file."""
    return _programme_once(
        _one(
            Application.objects.for_member(user).select_related(
                "call", "organisation", "programme", "expert__organisation", "form_version"
            ),
            pk=pk,
        )
    )


def member_application_detail(*, user, pk: int) -> Application | None:
    """What the applicant's file page shows (its conversation oldest first, and how far the
    user has read it: `last_read`), in a fixed number of queries whatever the length of its
    history; None for another organisation's file."""
    return _one(
        conversation.with_unread(
            Application.objects.for_member(user), user=user, side=Side.APPLICANT
        )
        .select_related(
            "call__programme",
            "organisation",
            "form_version",
            "expert__organisation",
            "programme",
            "earlier_application",
        )
        .annotate(version_count=Count("versions", distinct=True))
        .prefetch_related(
            Prefetch(
                "events",
                queryset=ApplicationEvent.objects.filter(visible_to_applicant=True)
                .select_related("by")
                .order_by("-at", "-pk"),
                to_attr="timeline",
            ),
            Prefetch(
                "messages",
                queryset=ApplicantMessage.objects.select_related("sent_by")
                .prefetch_related("attachments")
                .order_by("pk"),
                to_attr="message_list",
            ),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.select_related("version").order_by("uploaded_at"),
                to_attr="documents",
            ),
        ),
        pk=pk,
    )


def member_attachment(*, user, pk: int, attachment_pk: int) -> Attachment | None:
    """A document of a file of the user's organisations, or None."""
    return _one(
        Attachment.objects.filter(application__in=Application.objects.for_member(user)),
        pk=attachment_pk,
        application_id=pk,
    )


# ---------------------------------------------------------------------------------------------
# Staff


def staff_files(user, *, conflicts: list[int] | None = None) -> QuerySet[Application]:
    """Submitted files of the programmes the user works on, nothing joined: what the staff
    queue filters, counts and pages through (`queue_rows` reads a page's rows). `conflicts`:
    the user's `conflicted_organisations`, when the caller has read them."""
    applications = Application.objects.exclude(status=Status.DRAFT)
    programmes = programmes_worked_on(user)
    if programmes is not None:
        applications = applications.filter(programme_id__in=programmes)
    # Nor the files of an organisation the user declared a conflict of interest with: for them
    # they do not exist (404), on the pages and the API alike (a subquery, not a query; or the
    # organisations already read, and no condition at all when there are none).
    if conflicts is None:
        return applications.exclude(organisation_id__in=_conflicts_of(user))
    return applications.exclude(organisation_id__in=conflicts) if conflicts else applications


def conflicted_organisations(user) -> list[int]:
    """The organisations the user declared a conflict of interest with (most staff: none),
    read once for a page that filters files and counts them (the staff queue), by a statement
    compiled once (adn_portal.lib.compiled)."""
    rows = compiled_rows(
        "conflicted_organisations",
        lambda user_id: (
            ConflictOfInterest.objects.filter(reviewer_id=user_id)
            .only("organisation_id")
            .order_by()
        ),
        user.pk,
    )
    return [row.organisation_id for row in rows]


def staff_applications(user) -> QuerySet[Application]:
    """`staff_files` with what a file's page, the API and the exports show: the organisation,
    the call, and the current reviewer (a subquery, not a query per row)."""
    current = Assignment.objects.filter(application=OuterRef("pk"), ended_at__isnull=True)
    return (
        staff_files(user)
        .select_related("organisation", "call__programme", "programme")
        .annotate(
            reviewer_first_name=Subquery(current.values("reviewer__first_name")[:1]),
            reviewer_last_name=Subquery(current.values("reviewer__last_name")[:1]),
        )
    )


def _conflicts_of(user) -> QuerySet:
    return ConflictOfInterest.objects.filter(reviewer=user).values("organisation_id")


def queue_rows(*, user) -> QuerySet[Application]:
    """What a row of the staff queue shows, to read the rows of a page whose files were chosen
    from `staff_files` (by id: adn_portal.lib.seek): the rest of a file (its answers, budget)
    stays in the database, and its call and programme are ids (the page names them from the
    lists its filter form reads). The current reviewer's name and the messages `user` has not
    read: a subquery each, for the page's rows only."""
    return _queue_rows(user.pk)


# The rows' queryset, built once per staff member and process: a statement's definition, not
# its rows (each page chains it, so it is never evaluated itself); it depends on the user's id
# alone. Building it (two subqueries, the joins) cost about 2 ms a page.
@lru_cache(maxsize=1024)
def _queue_rows(user_id: int) -> QuerySet[Application]:
    rows = _queue_rows_built(user_id)
    # Its subqueries written as SQL once: compiling them was half the page statement's
    # compilation (~0.8 ms a page). Each is the ORM's own SQL, its values still parameters, its
    # only outer reference the row's own table, which the page's statement reads under its name.
    compiler = rows.query.get_compiler(rows.db)
    compiler.setup_query()
    written = {
        name: RawSQL(*compiler.compile(expression), output_field=expression.output_field)  # noqa: S611 — the ORM's SQL
        for name, expression in rows.query.annotations.items()
    }
    return rows.annotate(**written)


def _queue_rows_built(user_id: int) -> QuerySet[Application]:
    current = Assignment.objects.filter(application=OuterRef("pk"), ended_at__isnull=True)
    reviewer = current.annotate(
        name=Concat("reviewer__first_name", Value(" "), "reviewer__last_name")
    ).values("name")[:1]
    # The call and programme are not joined: the queue's filter form lists them all (their
    # labels come from there), and joining two more tables cost PostgreSQL ~0.6 ms of planning
    # a page, more than the page's execution.
    return (
        Application.objects.select_related("organisation")
        .only(
            "reference",
            "status",
            "submitted_at",
            "call",
            "programme",
            "organisation__name",
            "organisation__province",
        )
        .annotate(
            reviewer_name=Subquery(reviewer),
            unread_messages=conversation.unread_count(user=user_id, side=Side.ADN),
        )
    )


def status_counts_per_programme() -> list[tuple[int, str, int]]:
    """(programme id, status, files) of every submitted file: one GROUP BY over every
    programme, which staff share (applications/queue_counts.py keeps it in the cache)."""
    return list(
        Application.objects.exclude(status=Status.DRAFT)
        .order_by()
        .values_list("programme_id", "status")
        .annotate(n=Count("pk"))
    )


def staff_counts(
    user, *, per_programme: list[tuple[int, str, int]], conflicts: list[int] | None = None
) -> dict[tuple[int, str], int]:
    """How many submitted files of the user's programmes each (programme, status) holds,
    from the shared `per_programme` counts less the user's conflicts of interest (which the
    shared counts cannot know). `conflicts`: as for `staff_files`. The queue's tabs sum them by
    status; a list filtered by programme and status alone is counted from them."""
    programmes = programmes_worked_on(user)
    counts = {
        (programme_id, status): n
        for programme_id, status, n in per_programme
        if programmes is None or programme_id in programmes
    }
    if conflicts == []:
        return counts
    conflicted = (
        Application.objects.exclude(status=Status.DRAFT)
        .filter(organisation_id__in=_conflicts_of(user) if conflicts is None else conflicts)
        .order_by()
        .values_list("programme_id", "status")
        .annotate(n=Count("pk"))
    )
    for programme_id, status, n in conflicted:
        key = (programme_id, status)
        if key in counts:
            counts[key] -= n
            if not counts[key]:
                del counts[key]
    return counts


def status_totals(counts: dict[tuple[int, str], int]) -> dict[str, int]:
    """`staff_counts` summed by status (the queue's tabs)."""
    totals: dict[str, int] = {}
    for (_programme_id, status), n in counts.items():
        totals[status] = totals.get(status, 0) + n
    return totals


def _unshown(path: str, model, shown: set[str]) -> list[str]:
    """The columns of the related `model` reached through `path` that a page does not show:
    each column selected costs the ORM its compilation and conversion (issue 23)."""
    return [
        f"{path}__{field.name}"
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in shown
    ]


# A person named on a page: str(user) is their full name, else their e-mail.
_NAMED = ("first_name", "last_name", "email")
# What the staff's timeline shows of an event (here and on the file page, file_page._events).
TIMELINE_COLUMNS = (
    "application",
    "kind",
    "from_status",
    "to_status",
    "at",
    "comment",
    "visible_to_applicant",
    "by",
)


def staff_application(*, user, pk: int) -> Application | None:
    """A file in full for staff (with the conversation's messages the user has not read);
    None outside the user's programmes or with a declared conflict of interest. Of the rows
    it points at, only what the page and the API show: the chosen expert's and the earlier
    file's names, the people's names."""
    from companies.models import Expert, Organisation

    application = _one(
        conversation.with_unread(staff_applications(user), user=user, side=Side.ADN)
        # The file's programme is its call's: joined once (linked below), not twice.
        .select_related(None)
        .select_related(
            "organisation",
            "call",
            "programme",
            "expert__organisation",
            "created_by",
            "earlier_application",
            "form_version",
        )
        .defer(
            *_unshown("expert", Expert, {"organisation"}),
            *_unshown("expert__organisation", Organisation, {"name"}),
            *_unshown("earlier_application", Application, {"reference"}),
        )
        .prefetch_related(
            Prefetch(
                "events",
                queryset=ApplicationEvent.objects.select_related("by")
                .only(*TIMELINE_COLUMNS, *(f"by__{name}" for name in _NAMED))
                .order_by("-at", "-pk"),
                to_attr="timeline",
            ),
            Prefetch(
                "attachments",
                # What the list shows, and what a download sends (the file's own view).
                queryset=Attachment.objects.only(
                    "application", "kind", "original_name", "size", "file", "content_type"
                ).order_by("uploaded_at"),
                to_attr="documents",
            ),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("reviewer").only(
                    "application",
                    "assigned_at",
                    "ended_at",
                    "reviewer",
                    *(f"reviewer__{name}" for name in _NAMED),
                ),
                to_attr="assignment_history",
            ),
            _reviews_prefetch(),
            _criteria_prefetch(),
        ),
        pk=pk,
    )
    return _programme_once(application)


def staff_conversation_file(*, user, pk: int) -> Application | None:
    """A file as its conversation's page shows it to staff (what they have not read in it
    included); None where staff_application is None."""
    return _one(
        conversation.with_unread(staff_applications(user), user=user, side=Side.ADN).select_related(
            "expert__organisation"
        ),
        pk=pk,
    )


def _reviews_prefetch(to_attr: str = "review_list") -> Prefetch:
    """A file's reviews that count (not those of a reviewer who declared a conflict of
    interest), each with its reviewer and its scores in the order of the form's criteria."""
    return Prefetch(
        "reviews",
        queryset=Review.objects.counted()
        .select_related("reviewer")
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=Score.objects.select_related("criterion").order_by(
                    "criterion__position", "criterion_id"
                ),
                to_attr="score_list",
            )
        )
        .order_by("submitted_at", "pk"),
        to_attr=to_attr,
    )


def _criteria_prefetch() -> Prefetch:
    """Every version of the call's review form (the reviews may answer older ones)."""
    return Prefetch(
        "call__criteria",
        queryset=ScoringCriterion.objects.order_by("version", "position", "pk"),
        to_attr="criteria_list",
    )


def file_reviews(*, user, pk: int) -> Application | None:
    """A file with what the side-by-side page of its reviews shows: its reviews that count
    (with their scores) and its call's criteria, in four queries whatever their number; None
    where staff_application is None."""
    return _one(
        staff_applications(user).prefetch_related(_reviews_prefetch(), _criteria_prefetch()),
        pk=pk,
    )


def review_summary(application: Application, *, reviewer=None) -> dict:
    """The file's reviews side by side, from the prefetched reviews and criteria (no query):
    for each version of the review form answered, its criteria by the submitted reviews (with
    each one's weighted total and share of the maximum); the reviews still in progress; the
    mean share over submitted reviews against the call's pass mark (a % of the maximum), and
    `reviewer`'s own review with the criteria it answers."""
    call = application.call
    criteria = call.criteria_list
    reviews = application.review_list
    submitted = [r for r in reviews if r.is_locked]
    versions = []
    for version in sorted({r.form_version for r in submitted}):
        version_criteria = [c for c in criteria if c.version == version]
        maximum = sum((c.maximum for c in version_criteria), Decimal("0"))
        columns = []
        for review in (r for r in submitted if r.form_version == version):
            by_criterion = {score.criterion_id: score for score in review.score_list}
            total = sum((s.value * s.criterion.weight for s in review.score_list), Decimal("0"))
            columns.append(
                {
                    "review": review,
                    "scores": [by_criterion.get(c.pk) for c in version_criteria],
                    "total": total,
                    "share": total * 100 / maximum if maximum else None,
                }
            )
        versions.append(
            {
                "version": version,
                "criteria": version_criteria,
                "rows": [
                    (criterion, [column["scores"][i] for column in columns])
                    for i, criterion in enumerate(version_criteria)
                ],
                "columns": columns,
                "maximum": maximum,
            }
        )
    shares = [c["share"] for v in versions for c in v["columns"] if c["share"] is not None]
    mean = sum(shares, Decimal("0")) / len(shares) if shares else None
    mine = next((r for r in reviews if reviewer is not None and r.reviewer_id == reviewer.pk), None)
    form_version = mine.form_version if mine and mine.score_list else call.review_version
    return {
        "versions": versions,
        "submitted": submitted,
        "in_progress": [r for r in reviews if not r.is_locked],
        "mean": mean,
        "pass_mark": call.pass_mark,
        "passes": mean is not None and mean >= call.pass_mark,
        "mine": mine,
        "my_criteria": [c for c in criteria if c.version == form_version],
    }


def not_reminded_since(*, today: date, interval_days: int) -> Q:
    """Never reminded, or last reminded `interval_days` days ago or more."""
    return Q(reminded_at__isnull=True) | Q(
        reminded_at__date__lte=today - timedelta(days=interval_days)
    )


def information_requests_to_remind(
    *, today: date, interval_days: int
) -> QuerySet[ApplicantMessage]:
    """Unanswered requests for information on files still waiting for the answer, due by
    tomorrow (or overdue), not reminded in the last `interval_days` days."""
    return (
        ApplicantMessage.objects.filter(
            not_reminded_since(today=today, interval_days=interval_days),
            kind=ApplicantMessage.Kind.INFO_REQUEST,
            answered_at__isnull=True,
            due_date__lte=today + timedelta(days=1),
            application__status=Status.INFO_REQUESTED,
            application__created_by__is_active=True,
        )
        .select_related("application__created_by", "application__call")
        .order_by("pk")
    )


# ---------------------------------------------------------------------------------------------
# After selection (docs/domain.md, After selection): what the file pages show of the agreement,
# the payments and the follow-up, in a fixed number of queries; the payee's and the expert
# company's access.


def _payee_access(user) -> Q:
    """Files whose payments `user` requests: a member of the organisation when the call pays
    the beneficiary, of the file's expert company when it pays the expert."""
    from companies.models import Membership
    from programs.models import PaidTo

    member_of = Membership.objects.filter(user=user)
    organisation = Exists(member_of.filter(organisation=OuterRef("organisation_id")))
    expert = Exists(member_of.filter(organisation=OuterRef("expert__organisation_id")))
    return Q(organisation, call__paid_to=PaidTo.BENEFICIARY) | Q(
        expert, call__paid_to=PaidTo.EXPERT
    )


def payee_application(*, user, pk: int) -> Application | None:
    """A file whose payments the user may request and follow, or None."""
    return _one(
        Application.objects.filter(_payee_access(user)).select_related(
            "call__programme", "organisation", "programme", "expert__organisation"
        ),
        pk=pk,
    )


def expert_follow_up_application(*, user, pk: int) -> Application | None:
    """A selected file of which the user's company is the expert (its diagnostic to deliver),
    or None."""
    from companies.models import Membership

    member = Membership.objects.filter(user=user, organisation=OuterRef("expert__organisation_id"))
    return _one(
        Application.objects.filter(Exists(member), selected_at__isnull=False).select_related(
            "call__programme", "organisation", "programme", "expert__organisation"
        ),
        pk=pk,
    )


def after_selection(application: Application) -> dict:
    """The agreement's versions, the milestones, the payment requests, the diagnostic and the
    follow-up survey of a file: five queries whatever their number, none before selection."""
    from .models import Agreement, Diagnostic, FollowUpSurvey, Milestone, PaymentRequest

    if application.selected_at is None:
        return {}
    documents = ("document", "beneficiary_copy", "adn_copy")
    return {
        "agreements": list(
            Agreement.objects.filter(application=application)
            .select_related(*documents)
            .order_by("-number")
        ),
        "milestones": list(
            Milestone.objects.filter(application=application)
            .select_related("document")
            .order_by("due_on", "pk")
        ),
        "payment_requests": list(
            PaymentRequest.objects.filter(application=application)
            .select_related("payment")
            .annotate(claimed=Sum("lines__amount"), line_count=Count("lines"))
            .order_by("created_at", "pk")
        ),
        "diagnostic": Diagnostic.objects.filter(application=application)
        .select_related("report", "action_plan", "expert__organisation")
        .first(),
        "survey": FollowUpSurvey.objects.filter(application=application).first(),
    }


def payment_request_of(application: Application, request_pk: int):
    """A payment request of the file with its lines and their documents, or None."""
    from .models import PaymentLine, PaymentRequest

    return _one(
        PaymentRequest.objects.filter(application=application)
        .select_related("payment", "decided_by", "requested_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=PaymentLine.objects.select_related("document").order_by("pk"),
                to_attr="line_list",
            )
        ),
        pk=request_pk,
    )


def follow_up_document_of(application: Application, document_pk: int, *, kinds=None):
    """A document of the file's life after selection, or None; `kinds`: only of these kinds."""
    documents = FollowUpDocument.objects.filter(application=application)
    if kinds is not None:
        documents = documents.filter(kind__in=sorted(kinds))
    return _one(documents, pk=document_pk)


# What the expert company of a file reads of its life after selection: the diagnostic it
# delivers and the invoices of the payments it requests; not the beneficiary's agreement
# (drafted, signed, countersigned) nor its interim reports.
EXPERT_DOCUMENT_KINDS = frozenset(
    {
        FollowUpDocument.Kind.DIAGNOSTIC_REPORT,
        FollowUpDocument.Kind.ACTION_PLAN,
        FollowUpDocument.Kind.INVOICE,
    }
)


def payments_between(*, start: date, end: date, user) -> QuerySet:
    """Payments made from `start` to `end` (included) on the files `user` works on (their
    programmes, less a declared conflict of interest: staff_applications), for the accounting
    export: one row each with its file, organisation, call and request (one query)."""
    from .models import Payment

    return (
        Payment.objects.filter(
            paid_on__range=(start, end),
            request__application__in=staff_applications(user).values("pk"),
        )
        .select_related(
            "request__application__organisation",
            "request__application__call",
            "request__application__programme",
        )
        .order_by("paid_on", "pk")
    )


def approved_between(*, start: date, end: date, user) -> QuerySet:
    """Requests approved from `start` to `end` (included) and not yet paid, on the files `user`
    works on: the transfers to make, each with its structured communication (one query)."""
    from .models import PaymentRequest
    from .workflow import PaymentStatus

    return (
        PaymentRequest.objects.filter(
            status=PaymentStatus.APPROVED,
            decided_at__date__range=(start, end),
            application__in=staff_applications(user).values("pk"),
        )
        .select_related("application__organisation", "application__call", "application__programme")
        .order_by("decided_at", "pk")
    )


def overdue_milestones(today: date) -> Q:
    """Files with a milestone past its due date and not done (the staff queue's filter)."""
    from .models import Milestone

    late = Milestone.objects.filter(
        application=OuterRef("pk"), done_at__isnull=True, due_on__lt=today
    )
    return Q(Exists(late))
