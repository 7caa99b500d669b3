"""Indicator computation at scale, against a hand-written SQL GROUP BY over the same data.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/adn_portal_bench \
       .venv/bin/python -m bench.indicators [--files 100000]"""

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
from stats.models import KeptTable
from stats.services import snapshot_run

YEAR = "a.submitted_year"  # stored by the database (Brussels time), as the portal reads it
# The same three breakdowns the ORM computes for "requests received": programme, year, both.
HAND_WRITTEN = [
    # Built from the constants above only: no outside input reaches this SQL.
    f"""SELECT {group}, COUNT(*), COUNT(DISTINCT a.organisation_id)
        FROM applications_application a JOIN programs_programme p ON p.id = a.programme_id
        WHERE a.submitted_at IS NOT NULL GROUP BY {group}"""  # noqa: S608
    for group in ("p.code", YEAR, f"p.code, {YEAR}")
]


def best_of(runs: int, fn, setup=lambda: None) -> float:
    """The median time of `fn` over `runs` runs, each after an untimed `setup`."""
    samples = []
    for _ in range(runs):
        setup()
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


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
        changes=None,  # from nothing: a table for this computation only
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
    orm = best_of(args.runs, portal_requests)
    sql = best_of(args.runs, hand_written)
    snapshot_run(trigger="manual")  # catches up with the generation's own writes
    runs = max(1, args.runs // 2)
    snapshot = partial(snapshot_run, trigger="manual")
    cold = best_of(runs, snapshot, setup=lambda: KeptTable.objects.all().delete())
    warm = best_of(runs, snapshot, setup=lambda: touch(CHANGED))
    print(f"files: {count}")
    print(f"{'requests by programme/year (portal)':45} {orm * 1000:10.1f} ms")
    print(f"{'same, hand-written SQL GROUP BY':45} {sql * 1000:10.1f} ms")
    print(f"{'ratio portal / SQL (target <= 1.2)':45} {orm / sql:10.2f}")
    print(f"{'snapshot, per-organisation tables built':45} {cold * 1000:10.1f} ms")
    print(f"{f'snapshot, {CHANGED:,} files changed since the last':45} {warm * 1000:10.1f} ms")


# Between two snapshots (every 15 minutes, or a minute after a batch of decisions), a busy day
# changes a few hundred files at most: a thousand is a generous load.
CHANGED = 1000


def touch(files: int) -> None:
    """Write to `files` random files, as the workflow would (the triggers note them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE applications_application SET updated_at = now() WHERE id IN"
            " (SELECT id FROM applications_application ORDER BY random() LIMIT %s)",
            [files],
        )


if __name__ == "__main__":
    main()
