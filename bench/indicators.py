"""Indicator computation at scale: the portal's breakdowns against a hand-written SQL GROUP BY
over the same data, and a full snapshot (every indicator, stored) against its target.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/adn_portal_bench \
       .venv/bin/python -m bench.indicators [--files 100000] [--runs 5]
Figures measured so far: bench/results/README.md."""

import argparse
import os
import statistics
import time
from functools import partial

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adn_portal.settings.test")

import django

django.setup()

from django.core.management import call_command
from django.db import connection

from applications.models import Application
from stats.services import snapshot_run

# A full snapshot runs in the background (every 15 minutes, and a minute after files change):
# it must stay well within its period even at 1,000,000 files.
SNAPSHOT_TARGET = 3.0  # seconds
YEAR = "a.submitted_year"  # stored by the database (Brussels time), as the portal reads it
# The same three breakdowns the ORM computes for "requests received": programme, year, both.
HAND_WRITTEN = [
    # Built from the constants above only: no outside input reaches this SQL.
    f"""SELECT {group}, COUNT(*), COUNT(DISTINCT a.organisation_id)
        FROM applications_application a JOIN programs_programme p ON p.id = a.programme_id
        WHERE a.submitted_at IS NOT NULL GROUP BY {group}"""  # noqa: S608
    for group in ("p.code", YEAR, f"p.code, {YEAR}")
]


def timed(runs: int, fn) -> list[float]:
    """The times of `runs` runs of `fn`, sorted."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return sorted(samples)


def hand_written() -> None:
    with connection.cursor() as cursor:
        for sql in HAND_WRITTEN:
            cursor.execute(sql)
            cursor.fetchall()


def portal_requests() -> None:
    """The portal's own computation of the same three breakdowns (counts per cell, distinct
    organisations from their masks)."""
    from stats.computation import breakdowns, file_rows
    from stats.models import Dimension as D

    files = Application.objects.filter(submitted_at__isnull=False)
    breakdowns(
        "requests",
        file_rows(files),
        {"n": "COUNT(*)"},
        {"orgs": ("n", "1 = 1")},
        [D.PROGRAMME, D.YEAR, D.PROGRAMME_YEAR],
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Run the benchmark on PostgreSQL (DATABASE_URL).")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--no-history", verbosity=0)
    from bench.data import generate

    generate(files=args.files, organisations=max(1000, args.files // 10))
    count = Application.objects.count()
    load = os.getloadavg()[0]
    orm = statistics.median(timed(args.runs, portal_requests))
    sql = statistics.median(timed(args.runs, hand_written))
    snapshots = timed(args.runs, partial(snapshot_run, trigger="manual"))
    median = statistics.median(snapshots)
    print(f"files: {count}; load average {load:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"{'requests by programme/year (portal)':45} {orm * 1000:10.1f} ms")
    print(f"{'same, hand-written SQL GROUP BY':45} {sql * 1000:10.1f} ms")
    print(f"{'ratio portal / SQL (target <= 1.2)':45} {orm / sql:10.2f}")
    print(
        f"{f'full snapshot (target < {SNAPSHOT_TARGET:.0f} s)':45} {median * 1000:10.1f} ms"
        f"  {'✓' if median < SNAPSHOT_TARGET else '✗'}"
        f"  ({snapshots[0]:.2f}-{snapshots[-1]:.2f} s over {args.runs} runs)"
    )


if __name__ == "__main__":
    main()
