import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import timezone

from adn_portal.accounts.models import User
from adn_portal.demo.history import MUTED_MAILER, seed_history
from adn_portal.demo.stages import seed_stages
from adn_portal.demo.users import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_users
from applications.demo import seed_files
from companies.demo import seed_expert_account, seed_experts
from programs.demo import seed_calls
from programs.demo_pages import seed_call_pages
from stats.tasks import compute_indicators


@contextmanager
def quiet():
    """The seeding's own output only: its e-mails are recorded in the outbox but not printed
    (the console backend would print thousands of lines), and its eager tasks log no line each.
    The portal that runs afterwards prints and logs as configured."""
    tasks = logging.getLogger("celery.app.trace")
    level = tasks.level
    tasks.setLevel(logging.WARNING)
    try:
        with override_settings(MAILERS=MUTED_MAILER):
            yield
    finally:
        tasks.setLevel(level)


class Command(BaseCommand):
    help = (
        "Load demo data (calls, experts, an account per role). Safe to run again: updates in place."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-history", action="store_true", help="skip the 2020-today history of files"
        )

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is disabled here (DEMO_DATA_ALLOWED is false).")
        with quiet():
            self.seed(history=not options["no_history"], progress=options["verbosity"] > 0)

    def seed(self, *, history: bool, progress: bool) -> None:
        calls = seed_calls(now=timezone.now())
        users = seed_users()
        manager = User.objects.get(email="gestionnaire@adn.demo")
        seed_call_pages(calls=calls, by=manager)
        experts = seed_experts(approver=manager)
        expert = seed_expert_account(user=User.objects.get(email="expert@adn.demo"))
        files = seed_files()
        seed_stages()
        if history:
            self.stdout.write(
                "Generating the 2020-today history through the services (once, about 2 minutes)…"
            )
            made = seed_history(progress=progress)
            self.stdout.write(f"History: {made} files." if made else "History already present.")
        # The indicators, by the worker path (eager in the embedded default).
        compute_indicators.delay(trigger="manual")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(calls)} calls, {experts} recognised experts, "
                f"{len(users)} accounts, {files} new submitted files."
            )
        )
        self.stdout.write(
            f"Staff accounts also need a two-factor code: `make demo-code` prints it "
            f"(or add the secret {DEMO_TOTP_SECRET} to an authenticator app)."
        )
        self.stdout.write(
            f"\nOpen {settings.SITE_URL}/ and log in as one of these, password {DEMO_PASSWORD}:"
        )
        for user, role in users:
            kind = role.label if role else "applicant"
            if user.email == "expert@adn.demo":
                kind = f"expert company ({expert.organisation.name})"
            self.stdout.write(f"  {user.email:<28} {kind}")
