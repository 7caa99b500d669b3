"""Production: PostgreSQL, Redis, a real Celery worker, HTTPS. Every secret comes from the
environment; nothing here has a usable default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import cache_url, env, env_bool, mailers_from_url

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY")  # no default: refuse to start without one
if SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("SECRET_KEY must be set to a long random value in production.")
RECORD_CHAIN_KEY = env.str("RECORD_CHAIN_KEY")  # no default: the records' links need it
if RECORD_CHAIN_KEY.startswith("insecure") or len(RECORD_CHAIN_KEY) < 32:
    raise ImproperlyConfigured("RECORD_CHAIN_KEY must be set to a long random value in production.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
SITE_URL = env.str("SITE_URL").rstrip("/")  # no default: e-mails link there
DATABASES = {"default": env.db_url("DATABASE_URL")}  # no SQLite fallback in production
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CACHES = {
    "default": cache_url("CACHE_URL", default="redis://127.0.0.1:6379/1"),
    "pages": PAGES_CACHE,
}
DEMO_DATA_ALLOWED = False
MAILERS = mailers_from_url(
    env.str("EMAIL_URL")
)  # a real server, e.g. smtp+tls://user:pass@host:587

if CELERY_TASK_ALWAYS_EAGER:
    raise ImproperlyConfigured("Production needs CELERY_BROKER_URL (tasks must not run eagerly).")

# The API answers JSON only: DRF's browsable HTML API (forms, a login link, the endpoint's
# description) is for development.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

STORAGES = {
    **STORAGES,  # uploads and exports: base.py's (local disk or the S3 bucket)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Believed only from a trusted proxy: ClientAddressMiddleware drops it from anyone else.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
# Password-reset links must not send people over plain http to a site that is https.
if not SITE_URL.startswith(("https://",) if SECURE_SSL_REDIRECT else ("https://", "http://")):
    raise ImproperlyConfigured(
        f"SITE_URL={SITE_URL!r} must be the portal's https:// address "
        "(http:// only with SECURE_SSL_REDIRECT=false)."
    )
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
