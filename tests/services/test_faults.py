"""Faults on the real stack: each test checks that nothing is lost and nothing is done twice."""

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection, transaction

from adn_portal.mailer.models import OutgoingEmail
from adn_portal.mailer.services import emails_resend_unsent
from applications import services
from applications.models import Application
from stats import services as stats_services
from stats.models import IndicatorValue, SnapshotRun
from tests.fixtures.applicants import DECLARATIONS
from tests.stats.dataset import build

from .stack import ROOT, LiveWorker, wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # They stop the shared Redis and restart PostgreSQL: alone, after the rest (Makefile).
    pytest.mark.alone,
]

REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def other_connection():
    db = settings.DATABASES["default"]
    return psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        host=db["HOST"],
        port=db["PORT"],
        password=db["PASSWORD"] or None,
    )


def test_a_worker_killed_in_the_middle_of_an_indicator_run_has_it_redone_completely(broker_queue):
    build()
    # Hold the snapshot table: the worker computes, then blocks when it writes. Killed there,
    # it has done half the run and acknowledged nothing.
    blocker = other_connection()
    blocker.autocommit = False
    blocker.cursor().execute("LOCK TABLE stats_indicatorvalue IN ACCESS EXCLUSIVE MODE")
    # A short visibility timeout, and frequent sweeps, so that the test need not wait an hour.
    quick = {
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    first = LiveWorker(broker_queue, **quick)
    try:
        first.start()  # inside: a worker that cannot start must not leave the table locked
        with transaction.atomic():
            run = stats_services.snapshot_request(trigger=SnapshotRun.Trigger.MANUAL)

        def worker_waits_on_the_lock() -> bool:
            with blocker.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'stats_indicatorvalue'::regclass"
                )
                return cursor.fetchone()[0] > 0

        assert wait_until(worker_waits_on_the_lock, timeout=30), first.log.read_text()
        first.kill()
    finally:
        blocker.rollback()
        blocker.close()
    assert not IndicatorValue.objects.exists()

    second = LiveWorker(broker_queue, **quick)
    second.start()
    try:
        run.refresh_from_db()
        assert wait_until(
            lambda: SnapshotRun.objects.get(pk=run.pk).state == SnapshotRun.State.SUCCEEDED,
            timeout=60,
        ), second.log.read_text()
    finally:
        second.stop()
    keys = list(IndicatorValue.objects.values_list("as_of", "indicator", "dimension", "key"))
    assert len(keys) == len(set(keys)) == SnapshotRun.objects.get(pk=run.pk).values_written
    assert IndicatorValue.objects.get(indicator="requests", dimension="all").value == 12


def _complete_drafts(count: int):
    from applications.steps import steps_for
    from tests.factories import CallFactory, ExpertFactory, OrganisationFactory, make_member
    from tests.fixtures.applicants import START_STEPS

    call = CallFactory(eligibility_rules=[], form_sections=["challenges"])
    ExpertFactory()
    drafts = []
    for _ in range(count):
        organisation = OrganisationFactory()
        user = make_member(organisation)
        draft = services.application_start(call=call, organisation=organisation, by=user)
        for step in steps_for(call):
            form = step.form_class(START_STEPS.get(step.slug, {}), application=draft)
            assert form.is_valid(), form.errors
            draft = services.application_save_step(
                application=draft,
                step=step,
                cleaned=form.cleaned_data,
                raw={},
                version=draft.version,
                by=user,
            )
        drafts.append((draft, user))
    return drafts


def test_submissions_while_redis_is_down_are_stored_answered_quickly_and_mailed_once_later(
    broker_queue,
):
    drafts = _complete_drafts(20)
    subprocess.run(
        ["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False, capture_output=True
    )
    try:
        durations = []
        for draft, user in drafts:
            started = time.monotonic()
            with transaction.atomic():
                services.application_submit(application=draft, by=user, declarations=DECLARATIONS)
            durations.append(time.monotonic() - started)
    finally:
        os.makedirs("/var/lib/redis", exist_ok=True)
        os.makedirs("/var/log/redis", exist_ok=True)
        subprocess.run(REDIS_START, check=True, capture_output=True)
        assert wait_until(
            lambda: (
                subprocess.run(
                    ["redis-cli", "ping"], capture_output=True, check=False
                ).stdout.strip()
                == b"PONG"
            ),
            timeout=20,
        )

    assert Application.objects.filter(status="submitted").count() == 20
    assert max(durations) < 2.0, durations  # no long hang on the dead broker
    assert OutgoingEmail.objects.filter(sent_at__isnull=True).count() == 20

    worker = LiveWorker(broker_queue)
    worker.start()
    try:
        assert emails_resend_unsent(older_than=__import__("datetime").timedelta(0)) == 20
        assert wait_until(
            lambda: not OutgoingEmail.objects.filter(sent_at__isnull=True).exists(), timeout=60
        ), worker.log.read_text()
        emails_resend_unsent(
            older_than=__import__("datetime").timedelta(0)
        )  # the sweeper again: nothing left
        time.sleep(1)
    finally:
        worker.stop()
    assert set(OutgoingEmail.objects.values_list("attempts", flat=True)) == {1}


def test_a_backup_restored_into_a_fresh_database_has_the_same_rows_and_files(tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    drafts = _complete_drafts(3)
    for n, (draft, user) in enumerate(drafts):
        services.attachment_add(
            application=draft,
            upload=SimpleUploadedFile(f"annexe{n}.pdf", b"%PDF-1.4 " + bytes([n]) * 500),
            kind="annex",
            by=user,
        )
    db = settings.DATABASES["default"]
    dump = tmp_path / "backup.sql"
    restored = f"{db['NAME']}_restored"
    base = ["-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"]]
    subprocess.run(["pg_dump", *base, "-d", db["NAME"], "-f", str(dump), "--no-owner"], check=True)
    subprocess.run(
        ["psql", *base, "-d", "postgres", "-qc", f'DROP DATABASE IF EXISTS "{restored}"'],
        check=True,
    )
    subprocess.run(
        ["psql", *base, "-d", "postgres", "-qc", f'CREATE DATABASE "{restored}"'], check=True
    )
    try:
        subprocess.run(
            ["psql", *base, "-d", restored, "-q", "-v", "ON_ERROR_STOP=1", "-f", str(dump)],
            check=True,
            capture_output=True,
        )

        def counts(dbname: str) -> dict[str, int]:
            with (
                psycopg2.connect(
                    dbname=dbname, user=db["USER"], host=db["HOST"], port=db["PORT"]
                ) as conn,
                conn.cursor() as cursor,
            ):
                cursor.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                )
                tables = [row[0] for row in cursor.fetchall()]
                result = {}
                for table in tables:
                    cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 — names from the catalogue
                    result[table] = cursor.fetchone()[0]
                return result

        assert counts(restored) == counts(db["NAME"])
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "adn_portal.settings.base",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{restored}",
        }
        booted = subprocess.run(
            [sys.executable, "manage.py", "check", "--database", "default"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert booted.returncode == 0, booted.stderr
        with (
            psycopg2.connect(
                dbname=restored, user=db["USER"], host=db["HOST"], port=db["PORT"]
            ) as conn,
            conn.cursor() as cursor,
        ):
            cursor.execute("SELECT file, sha256 FROM applications_attachment")
            rows = cursor.fetchall()
        assert len(rows) == 3
        from applications.models import Attachment

        storage = Attachment._meta.get_field("file").storage
        for name, digest in rows:
            with storage.open(name, "rb") as stored:
                assert hashlib.sha256(stored.read()).hexdigest() == digest
    finally:
        connection.close()
        subprocess.run(
            ["psql", *base, "-d", "postgres", "-qc", f'DROP DATABASE IF EXISTS "{restored}"'],
            check=False,
        )


def _restart_postgresql() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
    )


def test_postgresql_restarted_during_a_burst_leaves_no_half_written_file(broker_queue):
    import threading

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import OperationalError, close_old_connections, connections

    from applications.models import ApplicationEvent, ApplicationVersion, Attachment

    drafts = _complete_drafts(12)
    outcomes: list[str] = []
    storage = Attachment._meta.get_field("file").storage
    # Files other tests left in this process's storage are not this burst's concern.
    earlier = set(storage.listdir("applications")[1]) if storage.exists("applications") else set()

    def submit_with_retry(draft, user) -> None:
        for _ in range(40):
            try:
                services.attachment_add(
                    application=draft,
                    upload=SimpleUploadedFile("annexe.pdf", b"%PDF-1.4 data"),
                    kind="annex",
                    by=user,
                )
                services.application_submit(application=draft, by=user, declarations=DECLARATIONS)
                outcomes.append("ok")
                return
            except (OperationalError, services.ApplicationError) as error:  # the database went away
                outcomes.append(type(error).__name__)
                connections["default"].close()
                time.sleep(0.25)
            finally:
                close_old_connections()
        outcomes.append("gave up")

    def postmaster_started():
        with other_connection() as conn, conn.cursor() as cursor:
            cursor.execute("SELECT pg_postmaster_start_time()")
            return cursor.fetchone()[0]

    before = postmaster_started()

    def staggered(draft, user, delay: float) -> None:
        time.sleep(delay)  # the burst spreads over the restart
        submit_with_retry(draft, user)

    threads = [
        threading.Thread(target=staggered, args=(*pair, n * 0.15)) for n, pair in enumerate(drafts)
    ]
    restart = threading.Thread(target=_restart_postgresql)
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    restart.start()
    restart.join(timeout=60)
    for thread in threads:
        thread.join(timeout=120)
    connection.close()

    assert postmaster_started() > before  # the server really restarted during the burst
    assert outcomes.count("ok") == 12, outcomes  # every request after the restart succeeded
    for draft, _user in drafts:
        draft.refresh_from_db()
        # Whole or nothing: a submitted file has its reference, frozen version and event.
        assert draft.reference and draft.status == "submitted"
        assert ApplicationVersion.objects.filter(application=draft).count() == 1
        assert (
            ApplicationEvent.objects.filter(application=draft, to_status="submitted").count() == 1
        )
    stored = set(storage.listdir("applications")[1]) - earlier
    rows = {Path(name).name for name in Attachment.objects.values_list("file", flat=True)}
    assert stored == rows  # no orphan file, no row without its file
