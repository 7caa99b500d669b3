from django.conf import settings
from django.core.management.base import BaseCommand

from applications.privacy import applications_anonymise_older_than


class Command(BaseCommand):
    help = "Retention: anonymise files closed more than N years ago (setting FILE_RETENTION_YEARS)."

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=settings.FILE_RETENTION_YEARS)

    def handle(self, *args, years: int, **options):
        count = applications_anonymise_older_than(years=years)
        self.stdout.write(f"{count} files anonymised (closed more than {years} years ago).")
