from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from adn_portal.accounts.permissions import MANAGERS, STAFF, role_required
from adn_portal.lib.numbers import whole_number
from adn_portal.lib.page_cache import current_version, fragment
from adn_portal.lib.spreadsheet import write_csv

from .. import dashboards, selectors, services
from ..models import SnapshotRun


def _dashboard_filters(request) -> tuple[str | None, int | None, int | None]:
    """The programme and the years asked for; anything else is ignored."""
    programme = request.GET.get("programme") or None
    if programme not in {code for code, _name in dashboards.PROGRAMMES}:
        programme = None
    first, last = (
        whole_number(request.GET.get(name), minimum=1901, maximum=2199) for name in ("from", "to")
    )
    return programme, first, last


def _staff_charts(filters, snapshot):
    scope = dashboards.Scope(*filters)
    return {
        "requests": dashboards.requests_per_year(snapshot, scope),
        "provinces": dashboards.by_province(
            snapshot, "requests", _("Requests per province"), scope
        ),
        "experts": dashboards.experts_by_province(snapshot, scope),
        "survey": dashboards.shares(snapshot, scope),
        "funding": dashboards.funding_per_year(snapshot, scope),
    }


@role_required(*STAFF)
def dashboard(request):
    runs = list(selectors.recent_runs())
    version = current_version(services.SNAPSHOT_VERSION_KEY)
    return render(
        request,
        "stats/dashboard.html",
        {
            "snapshot_line": _dashboard_part(request, "snapshot_line", version),
            "body": _dashboard_part(request, "dashboard_body", version),
            "runs": runs,
            "running": any(run.state == SnapshotRun.State.RUNNING for run in runs),
        },
    )


def _dashboard_part(request, part: str, version: int | None) -> str:
    """A part of the dashboard that is the same for every member of staff until the next
    snapshot ("snapshot_line": its date; "dashboard_body": the charts and tables), rendered
    once per snapshot (`version`), filters and language."""
    filters = _dashboard_filters(request)
    key = f"{part}:{version}:{get_language()}:" + "|".join(str(f or "") for f in filters)

    def render_part() -> str:
        snapshot = selectors.latest_snapshot()
        context = {"snapshot": snapshot}
        if part == "dashboard_body" and snapshot.as_of:
            context |= _body_context(snapshot, filters)
        return render_to_string(f"stats/partials/{part}.html", context, request=request)

    if version is None:  # the cache is unreachable: render for this request only
        return mark_safe(render_part())  # noqa: S308 — our own template's output
    return mark_safe(fragment(key, render_part))  # noqa: S308 — our own template's output


def _body_context(snapshot, filters) -> dict:
    programme, first, last = filters
    scope = dashboards.Scope(*filters)
    labels = selectors.call_labels(dashboards.call_ids(snapshot))
    funding = dashboards.funding(snapshot, scope, call_labels=labels)
    return {
        "scope": scope,
        "headline": dashboards.headline(snapshot, scope),
        "charts": _staff_charts(filters, snapshot),
        "tables": dashboards.staff_tables(snapshot, scope),
        "funding": funding,
        "funding_times": [
            (_("Days from selection to signed agreement"), funding["days_to_signature"]),
            (_("Days from payment request to payment"), funding["days_to_payment"]),
        ],
        "programmes": dashboards.PROGRAMMES,
        "programme": programme,
        "years": dashboards.years_in(snapshot),
        "first": first,
        "last": last,
        "querystring": urlencode(
            {k: v for k, v in zip(("programme", "from", "to"), filters, strict=True) if v}
        ),
    }


@role_required(*STAFF)
def dashboard_csv(request, chart: str):
    snapshot = selectors.latest_snapshot()
    if not snapshot.as_of:
        raise Http404
    charts = _staff_charts(_dashboard_filters(request), snapshot)
    if chart not in charts:
        raise Http404
    data = charts[chart]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{chart}-{snapshot.as_of}.csv"'
    write_csv(
        response,
        ["", *data.series],
        (
            [category, *("" if v is None else _plain(v) for v in values)]
            for category, values in data.rows()
        ),
    )
    return response


def _plain(value) -> str:
    """3.0000 → 3, 2.3876 → 2.3876: the figure without trailing zeros."""
    text = format(value.normalize(), "f")
    return text


@role_required(*MANAGERS)
@require_POST
def recompute(request):
    services.snapshot_request(trigger=SnapshotRun.Trigger.MANUAL)
    messages.success(
        request, _("The indicators are being recomputed: this page shows when it is done.")
    )
    return redirect("stats:dashboard")
