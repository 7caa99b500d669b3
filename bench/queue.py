"""Staff queue at scale: the time to render page 1, a deep page and a filtered page.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/adn_portal_bench \
       .venv/bin/python -m bench.queue [--files 100000]"""

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adn_portal.settings.test")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.core.management import call_command
from django.test import Client

from adn_portal.accounts.models import User


def timed(client: Client, url: str, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--no-history", verbosity=0)
    from bench.data import generate

    started = time.perf_counter()
    generate(files=args.files, organisations=args.organisations)
    print(f"data ready in {time.perf_counter() - started:.1f} s")

    client = Client()
    client.force_login(User.objects.get(email="admin@adn.demo"))
    pages = -(-args.files // 25)
    scenarios = {
        "queue page 1": "/espace-adn/dossiers/",
        f"queue page {min(2000, pages)}": f"/espace-adn/dossiers/?page={min(2000, pages)}",
        "queue filtered (province, status, search)": "/espace-adn/dossiers/?province=liege&status=under_review&q=Projet 1",
        "queue sorted by organisation": "/espace-adn/dossiers/?ordering=organisation",
    }
    print(f"{'scenario':45} {'median ms':>10} {'p95 ms':>10}")
    for name, url in scenarios.items():
        median, p95 = timed(client, url, args.runs)
        print(f"{name:45} {median:10.1f} {p95:10.1f}")


if __name__ == "__main__":
    main()
