"""The cache's memory under cache misses: random directory searches (the experts' own words and
facets, never repeated) by anonymous visitors, each a page the cache stores, against a Redis
started here with docker-compose's `cache` settings (bounded, least recently used keys evicted).
Prints how much each miss stores, the peak, and what was evicted.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/adn_portal_bench \\
       .venv/bin/python -m bench.cache_memory [--misses 4000] [--maxmemory 128mb]"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def compose_cache_options() -> dict[str, str]:
    command = COMPOSE["services"]["cache"]["command"]
    return dict(zip(command[1::2], command[2::2], strict=True))


PORT = free_port()
# The deployment's settings for what matters here (DEBUG off, Redis cache), on the bench data.
os.environ["DJANGO_SETTINGS_MODULE"] = "adn_portal.settings.base"
os.environ["DEBUG"] = "false"
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["CACHE_URL"] = f"redis://127.0.0.1:{PORT}/0"
os.environ.pop("CELERY_BROKER_URL", None)  # nothing queued: tasks run in the process

import django

django.setup()

import redis
from django.core.management import call_command
from django.test import Client

from bench.draws import directory_searches
from companies.models import Expert


def memory(server: redis.Redis) -> dict:
    info = server.info()
    return {
        "used": info["used_memory"],
        "keys": server.dbsize(),
        "evicted": info["evicted_keys"],
    }


def mb(value: int) -> str:
    return f"{value / 1024 / 1024:.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", type=int, default=4000)
    parser.add_argument("--maxmemory", default=compose_cache_options()["--maxmemory"])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is missing (Debian: apt-get install redis-server)")
    options = {**compose_cache_options(), "--maxmemory": args.maxmemory}
    server_process = subprocess.Popen(
        [binary, "--port", str(PORT), "--bind", "127.0.0.1"]
        + [item for pair in options.items() for item in pair],
        stdout=subprocess.DEVNULL,
    )
    try:
        server = redis.Redis(port=PORT)
        for _ in range(50):
            try:
                server.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        call_command("migrate", verbosity=0)
        if not Expert.objects.exists():
            call_command("seed_demo", "--no-history", verbosity=0)
        run(server, args)
    finally:
        server_process.terminate()
        server_process.wait()


def run(server: redis.Redis, args) -> None:
    client = Client()
    client.get("/experts/")  # the version key and what every page shares
    start = memory(server)
    limit = server.config_get("maxmemory")["maxmemory"]
    print(
        f"cache Redis: maxmemory {mb(int(limit))}, policy "
        f"{server.config_get('maxmemory-policy')['maxmemory-policy']}; "
        f"{Expert.objects.count()} experts; before: {mb(start['used'])}, {start['keys']} keys"
    )
    print(f"{'misses':>7} {'used':>10} {'keys':>7} {'evicted':>8} {'KB/miss':>8}")
    peak, sizes, first_eviction = start["used"], [], None
    started = time.perf_counter()
    queries = directory_searches(args.seed)
    for n in range(1, args.misses + 1):
        url = next(queries)
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        sizes.append(len(response.content))
        if n % 250 == 0 or n == args.misses:
            now = memory(server)
            peak = max(peak, now["used"])
            if now["evicted"] and first_eviction is None:
                first_eviction = n
            per_miss = (now["used"] - start["used"]) / max(1, now["keys"] - start["keys"])
            print(
                f"{n:>7} {mb(now['used']):>10} {now['keys']:>7} {now['evicted']:>8} "
                f"{per_miss / 1024:>8.1f}"
            )
    elapsed = time.perf_counter() - started
    end = memory(server)
    # Redis evicts once a write took it past the limit: over it by a page or two at most.
    bounded = peak <= int(limit) + 3 * max(sizes)
    print(
        f"\n{args.misses} misses in {elapsed:.0f} s ({elapsed / args.misses * 1000:.1f} ms each); "
        f"pages {sum(sizes) / len(sizes) / 1024:.1f} KB on average; peak {mb(peak)} "
        f"of {mb(int(limit))} ({'✓' if bounded else '✗'} bounded); "
        f"first eviction after {first_eviction or '-'} misses, {end['evicted']} keys evicted"
    )


if __name__ == "__main__":
    sys.exit(main())
