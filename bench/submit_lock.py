"""What a submission does while it holds the programme-year's counter (issue 23), measured in
the service itself: Tremplin IA files of the rush's call (each of its own applicant and
organisation, filled as the demo fills them) submitted one after the other in this process.
Every statement is timed by an `execute_wrapper`; the counter's statement (`INSERT … ON
CONFLICT … RETURNING`, which locks its row) starts the lock, the end of the transaction's
COMMIT (`connection.commit`, timed) ends it: every other submission of the programme and year
waits that long. The service's time runs from the call to the end of its COMMIT (what runs on
commit afterwards holds no lock).

Prints, as medians over the files: the statements after the counter, the milliseconds the
counter is held and its share of the service; then one submission's statements after the
counter, each with its milliseconds (what to move out next).

`--manager`: meanwhile, one of the programme's managers writes their own user row again and
again (the `last_login` a log-in writes) in another connection: how many of those writes found
the row locked by a submission (they did while notifying raised a counter on it).

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a database of its own> \\
       .venv/bin/python -m bench.submit_lock [--files 30]"""

import argparse
import os
import secrets
import statistics
import threading
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adn_portal.settings.test")
os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(50))
os.environ.setdefault("RECORD_CHAIN_KEY", "bench-" + secrets.token_urlsafe(50))
os.environ.pop("CELERY_BROKER_URL", None)  # tasks eager, after the commit: outside the lock

import django

django.setup()

from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from adn_portal.accounts.models import User
from adn_portal.demo.history import History
from applications import notifications, services
from programs.models import Call

from .rush import CALL
from .rush.applicants import applicants_create, applicants_of

COUNTER = "ON CONFLICT (prefix, year)"
WIDTH = int(os.environ.get("SQL_WIDTH", "110"))
DECLARATIONS = {"gdpr_consent": True, "sworn_statement": True}


class Timeline:
    """The statements of one submission and the end of its COMMIT."""

    def __init__(self):
        self.statements: list[tuple[float, float, str]] = []
        self.committed = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((started, time.perf_counter(), sql))

    def after_counter(self) -> list[tuple[float, float, str]]:
        """From the counter's statement to the COMMIT (what runs on commit is left out)."""
        for n, (_started, _ended, sql) in enumerate(self.statements):
            if COUNTER in sql:
                return [s for s in self.statements[n:] if s[1] <= self.committed]
        raise SystemExit("No counter statement: was the file submitted?")


def submit_timed(application, user) -> tuple[Timeline, float]:
    timeline = Timeline()
    commit = connection.commit

    def timed_commit():
        commit()
        # The submission's; the e-mail's task, run on commit, commits its own after it.
        timeline.committed = timeline.committed or time.perf_counter()

    connection.commit = timed_commit
    started = time.perf_counter()
    try:
        with connection.execute_wrapper(timeline):
            services.application_submit(application=application, by=user, declarations=DECLARATIONS)
    finally:
        del connection.commit  # the class's own again
    return timeline, started


def manager_writes(manager: User, done: threading.Event, times: list[float | None]) -> None:
    """Writes `manager`'s row (what a log-in writes) until `done`, timing each write; None for
    a write that found the row locked (a lock timeout of 1 ms: only waiting for another
    transaction's lock can trip it)."""
    try:
        while not done.is_set():
            started = time.perf_counter()
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL lock_timeout = '1ms'")
                    User.objects.filter(pk=manager.pk).update(last_login=timezone.now())
                times.append(time.perf_counter() - started)
            except OperationalError:
                times.append(None)
            time.sleep(0.005)
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.submit_lock")
    parser.add_argument("--files", type=int, default=30)
    parser.add_argument("--manager", action="store_true", help="a manager's writes meanwhile")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not Call.objects.filter(slug=CALL).exists():
        call_command("seed_demo", "--no-history", verbosity=0)
    call = Call.objects.get(slug=CALL)
    prefix = f"lock-{secrets.token_hex(3)}-"
    applicants_create(prefix=prefix, count=args.files)
    filler = History(seed=23, scale=1.0)
    drafts = []
    for user in applicants_of(prefix).order_by("pk"):
        organisation = user.memberships.get().organisation
        draft = services.application_start(call=call, organisation=organisation, by=user)
        filler.steps(draft, user)
        filler.quote(draft, user)
        drafts.append((draft, user))

    done, writes = threading.Event(), []
    if args.manager:
        manager = notifications.programme_managers(drafts[0][0]).first()
        writer = threading.Thread(target=manager_writes, args=(manager, done, writes), daemon=True)
        writer.start()
    rows = []
    try:
        for draft, user in drafts:
            timeline, started = submit_timed(draft, user)
            after = timeline.after_counter()
            held = timeline.committed - after[0][0]
            rows.append((len(after) - 1, held * 1000, held / (timeline.committed - started)))
    finally:
        done.set()
    if args.manager:
        writer.join()
        writes_ms = sorted(w * 1000 for w in writes if w is not None)
        print(
            f"A manager's {len(writes)} writes of their row meanwhile: "
            f"{len(writes) - len(writes_ms)} found it locked by a submission; the others took "
            f"{statistics.median(writes_ms):.1f} ms (median), {writes_ms[-1]:.1f} ms at most"
        )
    print(
        f"{len(rows)} submissions one after the other (load average "
        f"{os.getloadavg()[0]:.1f}): statements after the counter "
        f"{statistics.median(r[0] for r in rows):.0f}, counter row locked "
        f"{statistics.median(r[1] for r in rows):.1f} ms, "
        f"{statistics.median(r[2] for r in rows):.0%} of the service (medians)"
    )
    print("The last submission's statements from the counter on (ms, SQL):")
    for started, ended, sql in after:
        print(f"  {(ended - started) * 1000:6.2f}  {' '.join(sql.split())[:WIDTH]}")
    print(f"  {(timeline.committed - after[-1][1]) * 1000:6.2f}  (the rest, and COMMIT)")


main()
