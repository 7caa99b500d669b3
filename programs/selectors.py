"""Reads of programmes and calls. Selectors return data (None when there is nothing): the views
decide what that means over HTTP."""

from datetime import datetime

from django.db.models import Prefetch, QuerySet

from .models import Call, Programme


def programmes_in_order() -> QuerySet[Programme]:
    """The three programmes in their path's order (Start IA, Tremplin IA, Cap IA)."""
    return Programme.objects.order_by("position")


def calls_open(*, now: datetime) -> QuerySet[Call]:
    # Calls closing soonest first; rolling calls (no deadline) last.
    return Call.objects.open_at(now).with_programme().order_by("closes_at", "title_fr")


def calls_published() -> QuerySet[Call]:
    """Published calls, newest first, with their programme and scoring criteria."""
    return (
        Call.objects.published()
        .with_programme()
        .prefetch_related("criteria")
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
    calls = Call.objects.with_programme().prefetch_related(
        Prefetch("criteria", to_attr="criteria_list")
    )
    if not include_unpublished:
        calls = calls.published()
    return calls.filter(slug=slug).first()
