from django.core.management.base import BaseCommand

from adn_portal.demo.history import seed_history


class Command(BaseCommand):
    help = "Generate a plausible 2020-today history of files through the services (once)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2020)
        parser.add_argument(
            "--scale", type=float, default=1.0, help="multiply the yearly numbers of files"
        )

    def handle(self, *args, seed: int, scale: float, **options):
        made = seed_history(seed=seed, scale=scale, progress=options["verbosity"] > 0)
        self.stdout.write(
            self.style.SUCCESS(
                f"History: {made} files generated." if made else "History already present."
            )
        )
