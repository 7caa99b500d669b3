"""Test settings: base plus speed-ups. The database and broker still come from the environment,
so the same suite runs on SQLite (`make test`) and on PostgreSQL + Redis (`make test-services`)."""

from .base import *

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": PAGES_CACHE,
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# No collectstatic before tests: let WhiteNoise look files up lazily instead of scanning.
WHITENOISE_AUTOREFRESH = True
# A live worker of the services suite sends the tasks it queues itself (an e-mail after a
# reminder) to the test's own queue, where it takes them, rather than to the shared "celery".
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
