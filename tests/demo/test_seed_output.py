"""`manage.py seed_demo` (`make run`) says what a developer needs and nothing more: the
portal's address and the demo accounts at the end, no e-mail printed, no line per task."""

import logging

import pytest
from django.core.management import call_command

from adn_portal.demo.users import DEMO_PASSWORD, DEMO_USERS
from adn_portal.mailer.models import OutgoingEmail

# The seeding's e-mails go out on commit, as in `make run`: real commits, not a rolled-back
# test transaction. serialized_rollback: the data migrations survive the flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_seeding_ends_with_the_address_and_the_accounts_and_prints_no_email(
    settings, capsys, caplog
):
    # As on a developer's machine: e-mails printed on the console, tasks logged at INFO.
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    caplog.set_level(logging.INFO)

    call_command("seed_demo", "--no-history")

    out = capsys.readouterr().out
    assert "Subject:" not in out and "Bonjour" not in out
    assert not [r for r in caplog.records if r.name == "celery.app.trace"]
    # The e-mails are not lost: the outbox holds them, sent.
    assert OutgoingEmail.objects.exclude(sent_at=None).filter(subject__contains="START-").exists()
    url, *accounts = out.splitlines()[-1 - len(DEMO_USERS) :]
    assert url.startswith("Open http://127.0.0.1:8000/ ") and DEMO_PASSWORD in url
    assert [line.split()[0] for line in accounts] == [email for email, *_ in DEMO_USERS]
    assert "Gestionnaire de programme" in accounts[1]
