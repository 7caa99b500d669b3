from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from adn_portal.lib import stored_files


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Support requests (files) and their workflow")

    def ready(self) -> None:
        # A document or an export leaves storage with its row, however the row goes.
        stored_files.delete_with_rows(self.get_model("Attachment"), "file")
        stored_files.delete_with_rows(self.get_model("Export"), "file")
        stored_files.delete_with_rows(self.get_model("FollowUpDocument"), "file")
        stored_files.delete_with_rows(self.get_model("MessageAttachment"), "file")
