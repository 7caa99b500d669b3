"""Settings of the nodes of test_several_nodes.py (two gunicorn instances and a Celery worker):
the test settings, with what a deployment's nodes share besides PostgreSQL and the broker: the
Redis cache (CACHE_URL) and the S3 bucket (AWS_*), read as base.py reads them."""

from adn_portal.lib.env import cache_url
from adn_portal.settings import base
from adn_portal.settings.test import *  # noqa: F403
from adn_portal.settings.test import PAGES_CACHE, STORAGES

CACHES = {"default": cache_url("CACHE_URL", default="locmemcache://"), "pages": PAGES_CACHE}
STORAGES = {**base.STORAGES, "staticfiles": STORAGES["staticfiles"]}
