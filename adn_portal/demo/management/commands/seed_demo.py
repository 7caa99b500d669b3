from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from adn_portal.accounts.models import User
from adn_portal.demo.history import seed_history
from adn_portal.demo.users import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_users
from applications.demo import seed_files
from companies.demo import seed_expert_account, seed_experts
from programs.demo import seed_calls
from stats.tasks import compute_indicators


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
        calls = seed_calls(now=timezone.now())
        users = seed_users()
        experts = seed_experts(approver=User.objects.get(email="gestionnaire@adn.demo"))
        expert = seed_expert_account(user=User.objects.get(email="expert@adn.demo"))
        files = seed_files()
        if not options["no_history"]:
            self.stdout.write(
                "Generating the 2020-today history through the services (once, about 2 minutes)…"
            )
            history = seed_history()
            self.stdout.write(
                f"History: {history} files." if history else "History already present."
            )
        # The indicators, by the worker path (eager in the embedded default).
        compute_indicators.delay(trigger="manual")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(calls)} calls, {experts} recognised experts, "
                f"{len(users)} accounts, {files} new submitted files."
            )
        )
        self.stdout.write(f"Every demo account's password: {DEMO_PASSWORD}")
        self.stdout.write(
            f"Staff accounts also need a two-factor code: `make demo-code` prints it "
            f"(or add the secret {DEMO_TOTP_SECRET} to an authenticator app)."
        )
        for user, role in users:
            kind = role.label if role else "applicant"
            if user.email == "expert@adn.demo":
                kind = f"expert company ({expert.organisation.name})"
            self.stdout.write(f"  {user.email:<28} {kind}")
