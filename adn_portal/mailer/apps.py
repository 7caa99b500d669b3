from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailerConfig(AppConfig):
    name = "adn_portal.mailer"
    label = "mailer"
    verbose_name = _("Outgoing e-mails")
