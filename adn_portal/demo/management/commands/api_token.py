from django.core.management.base import BaseCommand
from rest_framework.authtoken.models import Token

from adn_portal.accounts.models import User


class Command(BaseCommand):
    help = "Print the API token of an account (created if needed)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        token, _created = Token.objects.get_or_create(user=User.objects.get(email=email))
        self.stdout.write(token.key)
