from django.shortcuts import render
from django.utils.translation import gettext as _

from adn_portal.lib.page_cache import serve as serve_page

from .. import dashboards, selectors, services


def key_figures(request):
    """Public, and the same for every visitor until the next snapshot: served from the cache."""
    return serve_page(
        request,
        name="key-figures",
        version_key=services.SNAPSHOT_VERSION_KEY,
        render=lambda extra: _render_key_figures(request, extra),
    )


def _render_key_figures(request, extra: dict):
    snapshot = selectors.latest_snapshot(public=True)  # small cells hidden
    return render(
        request,
        "stats/key_figures.html",
        {
            **extra,
            "snapshot": snapshot,
            "headline": dashboards.headline(snapshot),
            "charts": [
                dashboards.requests_per_year(snapshot),
                dashboards.by_province(
                    snapshot, "completed", _("Projects carried out per province")
                ),
                dashboards.shares(snapshot),
            ]
            if snapshot.as_of
            else [],
        },
    )
