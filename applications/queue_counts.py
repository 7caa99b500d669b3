"""The staff queue's counts per programme and status, kept in the shared cache: one GROUP BY
over every programme serves all staff until a file moves (the selectors read, this module
remembers)."""

from adn_portal.lib.page_cache import bump, cache_get, cache_set, current_version

from . import selectors

# Bumped once a status change is committed (services.core.application_transition): the counts
# are then read again. The short lifetime covers writes that bypass the services.
VERSION_KEY = "applications:status-counts-version"
SECONDS = 60


def staff_counts(user, *, conflicts: list[int] | None = None) -> dict[tuple[int, str], int]:
    """`user`'s share of the shared counts, per (programme, status) (`conflicts`: see
    selectors.staff_files)."""
    key = f"status-counts:{current_version(VERSION_KEY)}"
    per_programme = cache_get(key)
    if per_programme is None:
        per_programme = selectors.status_counts_per_programme()
        cache_set(key, per_programme, SECONDS)
    return selectors.staff_counts(user, per_programme=per_programme, conflicts=conflicts)


def status_counts_changed() -> None:
    bump(VERSION_KEY)
