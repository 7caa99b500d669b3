from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from adn_portal.lib import stored_files


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programmes and calls")

    def ready(self) -> None:
        # A call's document leaves storage with its row (removed, or its call deleted).
        stored_files.delete_with_rows(self.get_model("CallDocument"), "file")
