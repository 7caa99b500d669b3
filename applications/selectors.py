from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from adn_portal.lib.page_cache import cache_get, cache_set, current_version

from .models import ApplicantMessage, Application, ApplicationEvent, Attachment
from .workflow import Status


def files_of_organisation(organisation) -> QuerySet[Application]:
    """ "My files": the organisation's files with what each row shows, in one query."""
    return (
        Application.objects.filter(organisation=organisation)
        .select_related("call__programme")
        .order_by("-created_at")
    )


def file_for_member(*, user, pk: int) -> Application:
    """Any file of the user's organisations; another organisation's file is a 404."""
    return get_object_or_404(
        Application.objects.for_member(user).select_related(
            "call__programme", "organisation", "programme", "expert__organisation"
        ),
        pk=pk,
    )


def file_page(*, user, pk: int) -> Application:
    """The file page's data in a fixed number of queries, whatever its history's length."""
    application = get_object_or_404(
        Application.objects.for_member(user)
        .select_related(
            "call__programme",
            "organisation",
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
                queryset=ApplicantMessage.objects.order_by("-created_at"),
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
    return application


def attachment_for_member(*, user, pk: int, attachment_pk: int) -> Attachment:
    return get_object_or_404(
        Attachment.objects.filter(application__in=Application.objects.for_member(user)),
        pk=attachment_pk,
        application_id=pk,
    )


# ---------------------------------------------------------------------------------------------
# Staff


def staff_programme_ids(user) -> list[int] | None:
    """The programmes a staff member works on; None means all (administrators)."""
    from adn_portal.accounts.permissions import has_role
    from adn_portal.accounts.roles import Role
    from programs.models import ProgrammeStaff

    if has_role(user, Role.ADMINISTRATOR):
        return None
    # Read once per request (the user object lives as long as the request).
    if not hasattr(user, "_staff_programme_ids"):
        user._staff_programme_ids = list(
            ProgrammeStaff.objects.filter(user=user).values_list("programme_id", flat=True)
        )
    return user._staff_programme_ids


def staff_files(user) -> QuerySet[Application]:
    """Submitted files of the programmes the user works on, with what the queue shows: the
    organisation, the call, and the current reviewer (a subquery, not a query per row)."""
    from django.db.models import OuterRef, Subquery

    from .models import Assignment
    from .workflow import Status

    current = Assignment.objects.filter(application=OuterRef("pk"), ended_at__isnull=True)
    files = (
        Application.objects.exclude(status=Status.DRAFT)
        .select_related("organisation", "call__programme", "programme")
        .annotate(
            reviewer_first_name=Subquery(current.values("reviewer__first_name")[:1]),
            reviewer_last_name=Subquery(current.values("reviewer__last_name")[:1]),
        )
    )
    programmes = staff_programme_ids(user)
    if programmes is not None:
        files = files.filter(programme_id__in=programmes)
    # Nor the files of an organisation the user declared a conflict of interest with: for them
    # they do not exist (404), on the pages and the API alike (a subquery, not a query).
    return files.exclude(organisation_id__in=_conflicts_of(user))


def _conflicts_of(user) -> QuerySet:
    from .models import ConflictOfInterest

    return ConflictOfInterest.objects.filter(reviewer=user).values("organisation_id")


def queue_rows(files: QuerySet[Application]) -> QuerySet[Application]:
    """What a row of the staff queue shows: the rest of a file (its answers, budget, the call's
    and programme's texts) stays in the database. The programme is the file's own (the same
    as its call's), so the call's is not joined again."""
    return (
        files.select_related(None)
        .select_related("organisation", "call", "programme")
        .only(
            "reference",
            "status",
            "submitted_at",
            "organisation__name",
            "organisation__province",
            "call__title_fr",
            "call__title_en",
            "call__title_de",
            "programme__name",
        )
    )


# Bumped after every status change (services.core.application_transition): the queue's counts
# per status are then read again. The short lifetime covers writes that bypass the services.
STATUS_COUNTS_VERSION_KEY = "applications:status-counts-version"
STATUS_COUNTS_SECONDS = 60


def status_counts(user) -> dict[str, int]:
    """The queue's tabs: how many submitted files of the user's programmes are in each status.
    One GROUP BY over every programme, shared by all staff through the cache until a file
    moves; each user's share is summed from it."""
    key = f"status-counts:{current_version(STATUS_COUNTS_VERSION_KEY)}"
    per_programme = cache_get(key)
    if per_programme is None:
        per_programme = list(
            Application.objects.exclude(status=Status.DRAFT)
            .order_by()
            .values_list("programme_id", "status")
            .annotate(n=Count("pk"))
        )
        cache_set(key, per_programme, STATUS_COUNTS_SECONDS)
    programmes = staff_programme_ids(user)
    counts: dict[str, int] = {}
    for programme_id, status, n in per_programme:
        if programmes is None or programme_id in programmes:
            counts[status] = counts.get(status, 0) + n
    # Less the user's own conflicts of interest (the shared counts cannot know them).
    conflicted = (
        Application.objects.exclude(status=Status.DRAFT)
        .filter(organisation_id__in=_conflicts_of(user))
        .order_by()
        .values_list("programme_id", "status")
        .annotate(n=Count("pk"))
    )
    for programme_id, status, n in conflicted:
        if status in counts and (programmes is None or programme_id in programmes):
            counts[status] -= n
            if not counts[status]:
                del counts[status]
    return counts


def staff_file(*, user, pk: int) -> Application:
    """A file in full for staff: 404 outside the user's programmes."""
    from .models import Assignment, Score

    return get_object_or_404(
        staff_files(user)
        .select_related("expert__organisation", "created_by", "earlier_application")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=ApplicationEvent.objects.select_related("by").order_by("-at", "-pk"),
                to_attr="timeline",
            ),
            Prefetch(
                "messages",
                queryset=ApplicantMessage.objects.order_by("-created_at"),
                to_attr="message_list",
            ),
            Prefetch(
                "attachments",
                queryset=Attachment.objects.order_by("uploaded_at"),
                to_attr="documents",
            ),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("reviewer", "assigned_by"),
                to_attr="assignment_history",
            ),
            Prefetch(
                "scores",
                queryset=Score.objects.counted().select_related("reviewer", "criterion"),
                to_attr="score_list",
            ),
            "call__criteria",
        ),
        pk=pk,
    )


def score_summary(application: Application) -> dict:
    """Each reviewer's weighted total, the mean over reviewers, and the pass mark, from the
    prefetched scores and criteria (no extra query)."""
    from decimal import Decimal

    criteria = list(application.call.criteria.all())
    maximum = sum((c.weight * c.MAX_SCORE for c in criteria), Decimal("0"))
    totals: dict[int, dict] = {}
    for score in application.score_list:
        entry = totals.setdefault(
            score.reviewer_id, {"reviewer": score.reviewer, "total": Decimal("0"), "count": 0}
        )
        entry["total"] += score.value * score.criterion.weight
        entry["count"] += 1
    complete = [t for t in totals.values() if t["count"] == len(criteria)]
    mean = sum((t["total"] for t in complete), Decimal("0")) / len(complete) if complete else None
    threshold = maximum * application.call.pass_mark / 100
    return {
        "reviewers": list(totals.values()),
        "maximum": maximum,
        "mean": mean,
        "threshold": threshold,
        "passes": mean is not None and mean >= threshold,
        "criteria": criteria,
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
