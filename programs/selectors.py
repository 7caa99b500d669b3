from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from .models import Call, Programme


def programmes_for_home() -> QuerySet[Programme]:
    return Programme.objects.order_by("position")


def calls_open(*, now: datetime) -> QuerySet[Call]:
    # Calls closing soonest first; rolling calls (no deadline) last.
    return Call.objects.open_at(now).with_programme().order_by("closes_at", "title_fr")


def programme_with_calls(*, slug: str, now: datetime) -> tuple[Programme, dict[str, list[Call]]]:
    """A programme and its published calls grouped as open / upcoming / closed."""
    programme = get_object_or_404(Programme, slug=slug)
    calls = list(programme.calls.published().order_by("-opens_at"))
    grouped: dict[str, list[Call]] = {"open": [], "upcoming": [], "closed": []}
    for call in calls:
        grouped[call.status_at(now)].append(call)
    return programme, grouped


def call_detail(*, slug: str, include_unpublished: bool) -> Call:
    calls = Call.objects.with_programme().prefetch_related(
        Prefetch("criteria", to_attr="criteria_list")
    )
    if not include_unpublished:
        calls = calls.published()
    return get_object_or_404(calls, slug=slug)
