"""django.contrib.admin with the portal's site (admin_site.py); a module of its own because an
AppConfig is imported before any model can be."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "adn_portal.accounts.admin_site.PortalAdminSite"
