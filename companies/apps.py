from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from adn_portal.lib import stored_files


class CompaniesConfig(AppConfig):
    name = "companies"
    verbose_name = _("Organisations and recognised AI expert companies")

    def ready(self) -> None:
        # A claim's document leaves storage with the claim, however it goes (the claimant's
        # erasure, the organisation's deletion). Logos are shared by name between a profile
        # and its proposals: services/experts.py drops one no row uses any more.
        stored_files.delete_with_rows(self.get_model("OwnershipClaim"), "document")
