"""The daily digest run twice at once on PostgreSQL (beat sending the task twice, two workers):
the person gets one digest. Each run claims a person's rows with `SKIP LOCKED`; two runs that
met on those rows at the same instant could share them out, one row each, and the person got
two digests (seen once in CI by test_reminders_once.py, about one run in ten when two runs are
released together on a person with 50 rows). Now a run takes the person's row first: a second
run waits there for the first's commit, then finds the rows mailed."""

import threading

import pytest
from django.db import connection

from adn_portal.accounts.notifications.services import notifications_send_digests
from adn_portal.mailer.models import OutgoingEmail

from .stack import wait_until
from .test_reminders_once import Held, _digest_waiting

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_second_digest_run_waits_for_the_first_and_the_person_gets_one_digest():
    person = _digest_waiting()
    runs: dict[str, int] = {}

    def run(name: str) -> None:
        try:
            runs[name] = notifications_send_digests()
        finally:
            connection.close()

    held = Held("mailer_outgoingemail")  # the first run stops there, the person's rows claimed
    threads = {name: threading.Thread(target=run, args=(name,)) for name in ("first", "second")}
    try:
        threads["first"].start()
        assert wait_until(lambda: held.waiting() == 1, timeout=10)
        threads["second"].start()
        # Not finished with nothing while the first holds the rows: it waits for the person.
        assert wait_until(lambda: held.waiting() == 2, timeout=10), runs
        assert runs == {}
    finally:
        held.release()
        for thread in threads.values():
            thread.join(timeout=30)

    assert runs == {"first": 1, "second": 0}
    assert OutgoingEmail.objects.filter(to=person.email).count() == 1
