"""Staff queue at scale, in process: page 1, a deep page (20,000 at 1,000,000 files) reached
through the next links and typed by its number, new filter combinations, and the dashboard
and key figures (they read the indicators' snapshot).

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/adn_portal_bench \
       .venv/bin/python -m bench.queue [--files 100000]"""

import argparse
import os
import re
import statistics
import time

# The deployment's code paths (DEBUG off, the Redis cache), on the bench data.
os.environ["DJANGO_SETTINGS_MODULE"] = "adn_portal.settings.base"
os.environ["DEBUG"] = "false"
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["CACHE_URL"] = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/10")
os.environ.pop("CELERY_BROKER_URL", None)  # nothing queued: no task runs here
os.environ["CONN_MAX_AGE"] = "60"  # as deployed: one connection kept across requests

import django

django.setup()

from django.core.management import call_command
from django.test import Client

from adn_portal.accounts.models import User
from tests.auth import login_staff

from .draws import queue_filters
from .inprocess import timed

TARGET_MS = 40  # at 1,000,000 files (issue 23)


def mark(met: bool) -> str:
    return "✓" if met else "✗"


def measured(client: Client, urls, runs: int) -> tuple[float, float, float, float]:
    """CPU ms a request (this process and its PostgreSQL backend), the backend's share, wall
    median and 95th percentile of `runs` requests."""
    cpu: list = []
    split: list = []
    samples = sorted(timed(client, urls, runs, cpu, split))
    return cpu[0], split[0][1], statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def healthz_cpu(runs: int) -> float:
    """CPU ms of /healthz/ (no database): what the machine's load does to any request's CPU
    time, for the ratios."""
    cpu: list = []
    timed(Client(), ["/healthz/"] * runs, runs, cpu)
    return cpu[0]


def next_cursor(client: Client, page: int) -> str:
    """The cursor of page `page`'s next link (the page's last row)."""
    response = client.get(f"/espace-adn/dossiers/?page={page}")
    found = re.search(r'rel="next" href="\?cursor=([^"&]+)"', response.content.decode())
    if response.status_code != 200 or not found:
        raise SystemExit(f"page {page} has no next link")
    return found.group(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, help="default: a tenth of the files")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if not User.objects.filter(email="admin@adn.demo").exists():
        call_command("seed_demo", "--no-history", verbosity=0)
    from bench.data import generate

    started = time.perf_counter()
    generate(files=args.files, organisations=args.organisations or max(1000, args.files // 10))
    print(f"data ready in {time.perf_counter() - started:.1f} s")
    from stats.services import snapshot_run

    snapshot_run(trigger="manual")  # what the dashboard and the key figures read

    client = Client()
    login_staff(client, User.objects.get(email="admin@adn.demo"))
    pages = -(-args.files // 25)
    deep = min(20_000, pages)
    # Page `deep` as people reach it: through the next links, whose cursor names the row to
    # start after (the link from page deep - 1, asked once); and typed by its number, which
    # walks every row before it (OFFSET): reported, without a target.
    through_links = f"/espace-adn/dossiers/?cursor={next_cursor(client, deep - 1)}"
    scenarios = {
        "queue page 1": (["/espace-adn/dossiers/"] * args.runs, TARGET_MS),
        f"queue page {deep:,} (next links)": ([through_links] * args.runs, TARGET_MS),
        f"queue page {deep:,} (typed number)": ([f"/espace-adn/dossiers/?page={deep}"], None),
        "queue, new filters each time": (queue_filters(int(time.time())), TARGET_MS),
        "queue sorted by organisation": (["/espace-adn/dossiers/?ordering=organisation"], None),
        "staff dashboard (snapshot)": (["/espace-adn/indicateurs/"] * args.runs, None),
        "public key figures (snapshot)": (["/chiffres-cles/"] * args.runs, None),
    }
    load = os.getloadavg()
    print(f"files: {args.files:,}; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    healthz = [healthz_cpu(args.runs * 2)]
    print(
        f"{'scenario (in process)':45} {'CPU ms':>8} {'of it PG':>8} {'ratio':>6} "
        f"{'wall ms':>8} {'p95 ms':>8}  target (CPU)"
    )
    for name, (urls, target) in scenarios.items():
        single = isinstance(urls, list) and len(urls) == 1  # a heavy page: 5 runs
        runs = 5 if single else args.runs
        cpu, database, median, p95 = measured(client, urls * runs if single else urls, runs)
        goal = f"≤ {target} ms {mark(cpu <= target)}" if target else ""
        ratio = cpu / healthz[0]
        print(f"{name:45} {cpu:8.1f} {database:8.1f} {ratio:6.0f} {median:8.1f} {p95:8.1f}  {goal}")
    healthz.append(healthz_cpu(args.runs * 2))
    print(
        f"/healthz/ CPU ms (the ratios' unit) before and after: {healthz[0]:.2f} {healthz[1]:.2f}"
    )
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
