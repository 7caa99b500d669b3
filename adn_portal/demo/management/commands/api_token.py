from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from adn_portal.accounts.models import User
from adn_portal.accounts.permissions import holds_staff_rights
from adn_portal.accounts.tokens import api_token_create


class Command(BaseCommand):
    help = (
        "Print a new API token for an account (shown once). Staff tokens come from the portal's "
        "token page after the second factor; this command makes them for the demo data only."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="command line")

    def handle(self, *args, email: str, name: str, **options):
        user = User.objects.filter(email=email).first()
        if user is None:
            raise CommandError(f"No account {email}.")
        staff = holds_staff_rights(user)
        if staff and not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "Staff tokens are created on the portal (/compte/jetons-api/) after the second factor."
            )
        # For the demo's staff accounts, whoever runs this on the server stands in for the code.
        _token, secret = api_token_create(user=user, name=name, second_factor=staff)
        self.stdout.write(secret)
