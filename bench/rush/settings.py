"""The production settings, as gunicorn and the Celery processes run them in the rush,
with one difference: static files are collected without whitenoise's compressed copies. The
rush asks for pages, never for static files, and compressing them (the API documentation's
bundles) takes a minute of CPU before every run."""

from adn_portal.settings.production import *  # noqa: F403
from adn_portal.settings.production import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
