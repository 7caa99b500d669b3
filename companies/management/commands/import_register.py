from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from companies.kbo import ExtractError
from companies.services import RegisterError, register_extract_apply, register_folder_import


class Command(BaseCommand):
    help = (
        "Load the enterprise register from the Crossroads Bank for Enterprises' open data "
        "(KboOpenData_…_Full.zip / _Update.zip from https://kbopub.economie.fgov.be/kbo-open-data): "
        "the zips given, in their order, or the new extracts of a folder (default "
        "KBO_EXTRACTS_DIR). An extract already applied changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("zips", nargs="*", type=Path)
        parser.add_argument("--folder", type=Path, default=None)

    def handle(self, *args, zips: list[Path], folder: Path | None, **options):
        if not zips and folder is None:
            if not settings.KBO_EXTRACTS_DIR:
                raise CommandError("Give the extracts' zips, --folder or KBO_EXTRACTS_DIR.")
            folder = Path(settings.KBO_EXTRACTS_DIR)
        try:
            if zips:
                outcomes = [register_extract_apply(path=path) for path in zips]
            else:
                outcomes = register_folder_import(folder=folder)
        except (RegisterError, ExtractError) as error:
            raise CommandError(str(error)) from None
        for outcome in outcomes:
            self.stdout.write(outcome.message)
        if not outcomes:
            self.stdout.write("No new extract.")
