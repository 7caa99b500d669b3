"""`python -m bench.rush`: the stack started once, then one round per level of the curve (see
__init__.py)."""

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import BROKER_URL, CACHE_URL, CALL, PASSWORD, PORT

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adn_portal.settings.test")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(50))
os.environ.setdefault("RECORD_CHAIN_KEY", "bench-" + secrets.token_urlsafe(50))
os.environ["CELERY_BROKER_URL"] = BROKER_URL  # this process's own tasks (the demo's e-mails)

import django

django.setup()

from django.core.management import call_command

from adn_portal import gunicorn as gunicorn_config
from programs.models import Call

from .applicants import applicants_create, applicants_of
from .checks import drain, verify
from .figures import report
from .stack import ROOT, LoadWatch, Stack, cpu_busy


def run_locust(*, prefix: str, applicants: int, think: str, spawn_rate: float) -> dict:
    """The applicants (users.py), headless; what they recorded."""
    record = Path(tempfile.mkstemp(prefix="rush-", suffix=".json")[1])
    log = ROOT / "var" / "rush-locust.log"
    with log.open("w") as out:
        subprocess.run(
            [
                str(Path(sys.executable).with_name("locust")),
                "-f",
                str(Path(__file__).with_name("users.py")),
                "--headless",
                "--only-summary",
                "--loglevel",
                "WARNING",
                "-u",
                str(applicants),
                "-r",
                str(spawn_rate),
                "--run-time",
                "600s",  # the rush's ten minutes: past them, unfinished journeys fail
                "--stop-timeout",
                "60",
                "--host",
                f"http://127.0.0.1:{PORT}",
                "--rush-prefix",
                prefix,
                "--rush-password",
                PASSWORD,
                "--rush-call",
                CALL,
                "--rush-think",
                think,
                "--rush-record",
                str(record),
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    try:
        return json.loads(record.read_text())
    except ValueError:
        raise SystemExit(f"Locust wrote no record: see {log}") from None
    finally:
        record.unlink(missing_ok=True)


def run_round(stack: Stack, *, applicants: int, think: str, spawn_rate: float) -> dict:
    prefix = f"{secrets.token_hex(3)}-"
    applicants_create(prefix=prefix, count=applicants)
    busy = cpu_busy()
    load_before = os.getloadavg()[0]
    watch = LoadWatch()
    watch.start()
    started = time.time()
    record = run_locust(prefix=prefix, applicants=applicants, think=think, spawn_rate=spawn_rate)
    watch.done.set()
    addresses = set(applicants_of(prefix).values_list("email", flat=True))
    drain(stack, addresses)
    requests = record["requests"]
    submits = [r[1] + r[2] / 1000 for r in requests if r[0] == "submit" and r[3]]
    mails = [at for to, at in stack.received() if to in addresses]
    return {
        "applicants": applicants,
        "think": think,
        "duration": max((r[1] + r[2] / 1000 for r in requests), default=started) - started,
        "journeys": record["journeys"],
        "requests": requests,
        "drain": (max(mails) - max(submits)) if mails and submits else None,
        "checks": verify(prefix, applicants, stack),
        "cpu_busy_before": busy,
        "load_before": load_before,
        "load_during": max(watch.samples, default=os.getloadavg()[0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.rush")
    parser.add_argument(
        "--curve", default="50,100,200,300", help="concurrent applicants of each round"
    )
    parser.add_argument("--think", default="2-8", help="seconds between pages: min-max")
    # A log-in checks the password with PBKDF2 (a quarter of a CPU second): at 3 a second they
    # take 40 % of the 2 cores before anyone edits.
    parser.add_argument(
        "--spawn-rate", type=float, default=3, help="applicants arriving (logging in) a second"
    )
    parser.add_argument("--repeat", type=int, default=1, help="rounds at each level")
    parser.add_argument(
        "--workers", type=int, help="default: the deployment's (adn_portal/gunicorn.py)"
    )
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "rush.txt"))
    parser.add_argument("--check", action="store_true", help="exit 1 unless every check holds")
    args = parser.parse_args()
    # Stopped (kill, CI's time limit): stop the servers too (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("Stopped."))
    levels = [int(level) for level in args.curve.split(",")]

    import redis

    for url in (BROKER_URL, CACHE_URL):  # nothing left by an earlier run
        redis.Redis.from_url(url).flushdb()
    call_command("migrate", verbosity=0)
    if not Call.objects.filter(slug=CALL).exists():
        call_command("seed_demo", "--no-history", verbosity=0)
    (ROOT / "var").mkdir(exist_ok=True)
    stack = Stack(workers=args.workers)
    lines = [
        f"deadline rush: gunicorn {args.workers or gunicorn_config.workers} sync workers "
        f"(production settings), Celery worker --concurrency=2 and beat, PostgreSQL, Redis; "
        f"{os.cpu_count()} cores; applicants log in at {args.spawn_rate:g}/s, start together "
        f"once all are in",
        "",
    ]
    all_ok = True
    try:
        stack.start()
        for level in levels:
            for _ in range(args.repeat):
                result = run_round(
                    stack, applicants=level, think=args.think, spawn_rate=args.spawn_rate
                )
                round_lines, ok = report(result)
                all_ok &= ok
                print("\n".join(round_lines) + "\n", flush=True)
                lines += [*round_lines, ""]
    finally:
        stack.stop()
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines))
    if args.check and not all_ok:
        raise SystemExit("The rush failed a check (see above).")


main()
