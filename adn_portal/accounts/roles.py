"""Staff roles (docs/domain.md, The life of a file). Each role is a Django group created by a
migration."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REVIEWER = "reviewer", _("Reviewer")
    PROGRAMME_MANAGER = "programme manager", _("Programme manager")
    ADMINISTRATOR = "administrator", _("Administrator")
