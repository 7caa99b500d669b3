"""The staff file page where the applicant let the AdN choose the expert and none is chosen
yet, as a programme manager (the demo's administrator) sees it: CPU ms a request (this
process and its PostgreSQL backend), wall median, page size; then the picker's search, page 2.
Run it on a clone of a bench database after `bench.misses --experts N --only experts` made its
experts: it marks START files as "the AdN chooses" (writes to that database). Run it from the
tree to measure (a worktree of the commit before, then this one, alternately).
`NO_PROPOSALS=1` leaves the ranked proposals out (applications/matching: not the picker's cost).

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/<clone> BENCH_CACHE_URL=redis://… \\
       .venv/bin/python -m bench.expert_choice [--runs 20]"""

import argparse
import gc
import os
import statistics

os.environ["DJANGO_SETTINGS_MODULE"] = "adn_portal.settings.base"
os.environ["DEBUG"] = "false"
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["CACHE_URL"] = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/10")
os.environ.pop("CELERY_BROKER_URL", None)
os.environ["CONN_MAX_AGE"] = "60"

import django

django.setup()

from django.test import Client

from adn_portal.accounts.models import User
from applications.models import Application
from companies.models import Expert
from tests.auth import login_staff

from .inprocess import timed


def adn_chooses(count: int) -> list[int]:
    """START files, submitted, the AdN to choose their expert."""
    ids = list(
        Application.objects.filter(programme__code="START")
        .exclude(status="draft")
        .order_by("pk")
        .values_list("pk", flat=True)[:count]
    )
    Application.objects.filter(pk__in=ids).update(expert_chosen_by_adn=True, expert=None)
    return ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    if os.environ.get("NO_PROPOSALS"):
        from applications.templatetags import matching

        matching.matching.staff_expert_proposals = lambda **kwargs: []
    urls = [f"/espace-adn/dossiers/{pk}/" for pk in adn_chooses(2 * runs + 10)]
    staff = Client()
    login_staff(staff, User.objects.get(email="admin@adn.demo"))
    timed(staff, urls[:5], 5)  # warm
    size = len(staff.get(urls[5]).content)
    gc.collect()
    cpu, searched_cpu = [], []
    samples = timed(staff, urls[6 : 6 + runs], runs, cpu)
    searches = [f"{url}?expert_q=conseil&expert_page=2" for url in urls[6 + runs :]]
    timed(staff, searches[:2], 2)
    timed(staff, searches[2:], len(searches) - 2, searched_cpu)
    experts = Expert.objects.filter(status="active").count()
    print(
        f"{experts:,} recognised experts, load {os.getloadavg()[0]:.1f}: file page CPU "
        f"{cpu[0]:.1f} ms, wall median {statistics.median(samples):.1f} ms, "
        f"{size / 1024:.0f} KiB; searched, page 2: CPU {searched_cpu[0]:.1f} ms"
    )


if __name__ == "__main__":
    main()
