"""Indicator computation at scale: the portal's breakdowns against a hand-written SQL GROUP BY
over the same data, and a full snapshot (every indicator, stored) against its target.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/adn_portal_bench \
       .venv/bin/python -m bench.indicators [--files 100000] [--runs 5]
Figures measured so far: bench/results/README.md."""

import argparse
import os
import re
import statistics
import time
from collections import defaultdict
from contextlib import contextmanager
from functools import partial
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adn_portal.settings.test")

import django

django.setup()

from django.core.management import call_command
from django.db import connection

from applications.models import Application
from stats.services import snapshot_run

from .inprocess import backend_cpu_ms

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
    from stats.computation import breakdowns, file_cells, file_rows
    from stats.models import Dimension as D

    files = Application.objects.filter(submitted_at__isnull=False)
    breakdowns(
        "requests",
        file_rows(files),
        file_cells(files),
        {"n": "COUNT(*)"},
        {"orgs": ("n", "1 = 1")},
        [D.PROGRAMME, D.YEAR, D.PROGRAMME_YEAR],
    )


@contextmanager
def one_process():
    """Parallel query off for this connection: one backend does all the work, so that its CPU
    time (read from /proc) is the computation's."""
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET max_parallel_workers_per_gather")


def snapshot_cpu(runs: int) -> list[float]:
    """CPU seconds of each of `runs` snapshots (this process and its PostgreSQL backend), one
    backend doing the work: what a snapshot costs whatever else the machine runs."""
    samples = []
    with one_process():
        for _ in range(runs):
            backend, process = backend_cpu_ms(), time.process_time()
            snapshot_run(trigger="manual")
            database = backend_cpu_ms() - backend
            samples.append(time.process_time() - process + database / 1000)
    return sorted(samples)


def statement_times() -> list[tuple[float, float, int, str]]:
    """Per statement of one snapshot (one backend): its CPU and wall milliseconds, how many
    times it ran and its first words, the costliest first."""
    found: dict[str, list] = defaultdict(lambda: [0.0, 0.0, 0])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()

    def backend_cpu() -> float:  # read here: a query would go through this wrapper again
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

    def timer(execute, sql, params, many, context):
        cpu, start = backend_cpu(), time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            wall = (time.perf_counter() - start) * 1000
            entry = found[re.sub(r"\s+", " ", sql)[:100]]
            entry[0] += backend_cpu() - cpu
            entry[1] += wall
            entry[2] += 1

    with one_process(), connection.execute_wrapper(timer):
        snapshot_run(trigger="manual")
    return sorted(((cpu, wall, n, words) for words, (cpu, wall, n) in found.items()), reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--statements", action="store_true", help="also the time of each statement of a snapshot"
    )
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
    cpu = snapshot_cpu(args.runs)
    print(f"files: {count}; load average {load:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"{'requests by programme/year (portal)':45} {orm * 1000:10.1f} ms")
    print(f"{'same, hand-written SQL GROUP BY':45} {sql * 1000:10.1f} ms")
    print(f"{'ratio portal / SQL (target <= 1.2)':45} {orm / sql:10.2f}")
    print(
        f"{f'full snapshot (target < {SNAPSHOT_TARGET:.0f} s)':45} {median * 1000:10.1f} ms"
        f"  {'✓' if median < SNAPSHOT_TARGET else '✗'}"
        f"  ({snapshots[0]:.2f}-{snapshots[-1]:.2f} s over {args.runs} runs)"
    )
    print(
        f"{'same, CPU time (parallel query off)':45} {statistics.median(cpu) * 1000:10.1f} ms"
        f"  ({cpu[0]:.2f}-{cpu[-1]:.2f} s; load average {os.getloadavg()[0]:.1f} after)"
    )
    if args.statements:
        print("\nOne snapshot's statements (parallel query off): CPU ms of the database, wall ms")
        for cpu_ms, wall_ms, n, words in statement_times():
            if wall_ms >= 5:
                print(f"{cpu_ms:7.0f} {wall_ms:7.0f} {n:3}x  {words}")


if __name__ == "__main__":
    main()
