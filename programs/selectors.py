"""Reads of programmes and calls. Selectors return data (None when there is nothing): the views
decide what that means over HTTP."""

from datetime import datetime

from django.db.models import Count, Prefetch, QuerySet

from adn_portal.accounts.permissions import MANAGERS, has_role
from adn_portal.accounts.roles import Role

from .models import Call, CallDocument, CallQuestion, Programme, ProgrammeStaff, ScoringCriterion


def programmes_in_order() -> QuerySet[Programme]:
    """The three programmes in their path's order (Start IA, Tremplin IA, Cap IA)."""
    return Programme.objects.order_by("position")


def calls_open(*, now: datetime) -> QuerySet[Call]:
    # Calls closing soonest first; rolling calls (no deadline) last.
    return Call.objects.open_at(now).with_programme().order_by("closes_at", "title_fr")


def calls_upcoming(*, now: datetime) -> QuerySet[Call]:
    # Opening soonest first.
    return Call.objects.upcoming_at(now).with_programme().order_by("opens_at", "title_fr")


def calls_published() -> QuerySet[Call]:
    """Published calls, newest first, with their programme and scoring criteria."""
    return (
        Call.objects.published()
        .with_programme()
        .prefetch_related(Prefetch("criteria", queryset=ScoringCriterion.objects.current()))
        .order_by("-opens_at", "pk")
    )


def programme_with_calls(
    *, slug: str, now: datetime
) -> tuple[Programme, dict[str, list[Call]]] | None:
    """A programme and its published calls grouped as open / upcoming / closed; None when no
    programme has this slug."""
    programme = Programme.objects.filter(slug=slug).first()
    if programme is None:
        return None
    grouped: dict[str, list[Call]] = {"open": [], "upcoming": [], "closed": []}
    for call in programme.calls.published().order_by("-opens_at"):
        grouped[call.status_at(now)].append(call)
    return programme, grouped


def call_detail(*, slug: str, include_unpublished: bool) -> Call | None:
    """A call with what its public page shows: criteria, documents, FAQ and programme."""
    calls = Call.objects.with_programme().prefetch_related(
        Prefetch("criteria", queryset=ScoringCriterion.objects.current(), to_attr="criteria_list"),
        Prefetch(
            "documents",
            queryset=CallDocument.objects.order_by("position", "pk"),
            to_attr="document_list",
        ),
        Prefetch(
            "questions",
            queryset=CallQuestion.objects.order_by("position", "pk"),
            to_attr="question_list",
        ),
    )
    if not include_unpublished:
        calls = calls.published()
    return calls.filter(slug=slug).first()


def call_document(*, slug: str, document_pk: int, include_unpublished: bool) -> CallDocument | None:
    documents = CallDocument.objects.select_related("call").filter(pk=document_pk, call__slug=slug)
    if not include_unpublished:
        documents = documents.filter(call__is_published=True)
    return documents.first()


# --- staff ---------------------------------------------------------------------------------


def programmes_worked_on(user) -> list[int] | None:
    """The programmes a staff member works on: None means all (administrators); reviewers and
    programme managers work on the programmes they belong to; anyone else on none."""
    if has_role(user, Role.ADMINISTRATOR):
        return None
    if not has_role(user, Role.REVIEWER, Role.PROGRAMME_MANAGER):
        return []
    # Read once per request (the user object lives as long as the request).
    if not hasattr(user, "_programmes_worked_on"):
        user._programmes_worked_on = list(
            ProgrammeStaff.objects.filter(user=user).values_list("programme_id", flat=True)
        )
    return user._programmes_worked_on


def works_on(user, programme_id: int) -> bool:
    programmes = programmes_worked_on(user)
    return programmes is None or programme_id in programmes


def manages(user, programme_id: int) -> bool:
    """Programme managers of this programme and administrators keep its calls' pages."""
    return has_role(user, *MANAGERS) and works_on(user, programme_id)


def calls_managed(user) -> QuerySet[Call]:
    """The calls whose pages this staff member keeps (none for reviewers), newest first, with
    how many documents and questions each has."""
    if not has_role(user, *MANAGERS):
        return Call.objects.none()
    calls = Call.objects.with_programme()
    programmes = programmes_worked_on(user)
    if programmes is not None:
        calls = calls.filter(programme_id__in=programmes)
    return calls.annotate(
        document_count=Count("documents", distinct=True),
        question_count=Count("questions", distinct=True),
    ).order_by("-opens_at", "pk")


def call_managed(*, user, slug: str) -> Call | None:
    """A call this staff member keeps, with its documents and FAQ; None otherwise."""
    call = call_detail(slug=slug, include_unpublished=True)
    if call is None or not manages(user, call.programme_id):
        return None
    return call


def review_criteria(call: Call) -> list[ScoringCriterion]:
    """The criteria of the call's current review form, in their order."""
    return list(
        ScoringCriterion.objects.filter(call=call, version=call.review_version).order_by(
            "position", "pk"
        )
    )
