from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "adn_portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Connect the receivers: authentication audit, second factor, tokens.
        from . import audit, second_factor, tokens  # noqa: F401
