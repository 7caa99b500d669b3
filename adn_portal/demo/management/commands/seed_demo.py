from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from adn_portal.accounts.demo import DEMO_PASSWORD, seed_users
from programs.demo import seed_calls


class Command(BaseCommand):
    help = "Load demo data (calls, one account per role). Safe to run again: it updates in place."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is disabled here (DEMO_DATA_ALLOWED is false).")
        calls = seed_calls(now=timezone.now())
        users = seed_users()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {len(calls)} calls, {len(users)} accounts.")
        )
        self.stdout.write(f"Every demo account's password: {DEMO_PASSWORD}")
        for user, role in users:
            self.stdout.write(f"  {user.email:<28} {role.label if role else 'applicant (SME)'}")
