"""The tamper-evident records on PostgreSQL (docs/domain.md, A record nobody can rewrite
silently): concurrent writers never fork a chain, and a backup restored into a fresh database
verifies."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from adn_portal.accounts.audit import audit
from adn_portal.accounts.models import AuditEvent
from applications import services
from applications.models import Application, ApplicationEvent
from applications.records import records_verify
from tests.factories import UserFactory
from tests.fixtures.staff import staff, submitted_file

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parents[2]


def together(workers: int, action) -> list:
    """Run `action(n)` in `workers` threads (each with its own connection) released at once."""
    barrier = threading.Barrier(workers)
    errors: list = []

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            action(n)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_concurrent_writers_never_fork_a_chain():
    assert connection.vendor == "postgresql"
    people = [UserFactory() for _ in range(8)]
    manager = staff("programme manager", "START")
    files = [submitted_file() for _ in range(2)]

    def write(n: int) -> None:
        for i in range(15):
            # Each transaction writes to the audit log and to a file's timeline, and some stay
            # open a moment after their first event: the others wait for the head, not fork it.
            with transaction.atomic():
                audit(AuditEvent.Action.LOGIN, user=people[n], round=i)
                services.application_add_note(
                    application=Application.objects.get(pk=files[(n + i) % 2].pk),
                    by=manager,
                    text=f"note {n}-{i}",
                )
                if i % 5 == 0:
                    time.sleep(0.05)

    errors = together(len(people), write)

    assert errors == []
    audit_places = list(
        AuditEvent.objects.order_by("chain_seq").values_list("chain_seq", flat=True)
    )
    assert audit_places == list(range(1, len(audit_places) + 1))
    assert len(audit_places) >= 8 * 15
    for application in files:
        places = list(
            ApplicationEvent.objects.filter(application=application)
            .order_by("chain_seq")
            .values_list("chain_seq", flat=True)
        )
        assert places == list(range(1, len(places) + 1))
    assert ApplicationEvent.objects.filter(kind="note").count() == 8 * 15
    check = records_verify(trigger="command")
    assert check.intact is True, check.breaks


def test_a_backup_restored_into_a_fresh_database_verifies(tmp_path, settings):
    for n in range(3):
        audit(AuditEvent.Action.LOGIN, user=UserFactory(), n=n)
        services.application_add_note(
            application=submitted_file(), by=staff("programme manager", "START"), text="vu"
        )
    assert records_verify(trigger="command").intact is True
    db = settings.DATABASES["default"]
    base = ["-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"]]
    dump = tmp_path / "backup.dump"
    restored = f"{db['NAME']}_records_restored"
    subprocess.run(["pg_dump", *base, "-Fc", "-d", db["NAME"], "-f", str(dump)], check=True)
    subprocess.run(
        ["psql", *base, "-d", "postgres", "-qc", f'DROP DATABASE IF EXISTS "{restored}"'],
        check=True,
    )
    subprocess.run(["createdb", *base, restored], check=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "adn_portal.settings.base",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{restored}",
    }

    def verify_restored() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", "verify_records"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    try:
        subprocess.run(
            ["pg_restore", *base, "--no-owner", "-d", restored, str(dump)],
            check=True,
            capture_output=True,
        )
        verified = verify_restored()
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "Intact:" in verified.stdout

        # The restored copy is checked for real: a change in it is found.
        subprocess.run(
            ["psql", *base, "-d", restored, "-qc", "UPDATE accounts_auditevent SET path = '/x/'"],
            check=True,
        )
        tampered = verify_restored()
        assert tampered.returncode != 0
        assert "audit: event" in tampered.stdout
    finally:
        subprocess.run(
            ["psql", *base, "-d", "postgres", "-qc", f'DROP DATABASE IF EXISTS "{restored}"'],
            check=False,
        )
