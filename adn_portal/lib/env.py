"""Environment readers that fail loudly: a typo in production config must stop the boot."""

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, *, default: bool) -> bool:
    raw = env.str(name, default="")
    if not raw.strip():  # unset or empty: the default
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false, 1/0, yes/no).")


def mailers_from_url(url: str) -> dict:
    """Django 6.1's MAILERS from one URL: consolemail://, smtp://user:pass@host:25,
    smtp+tls://…, smtp+ssl://…, filemail:///path, memorymail://."""
    config = environ.Env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    options: dict = {}
    if backend.endswith("smtp.EmailBackend"):
        options = {
            "host": config.get("EMAIL_HOST") or "localhost",
            "port": config.get("EMAIL_PORT") or 25,
            "username": config.get("EMAIL_HOST_USER") or None,
            "password": config.get("EMAIL_HOST_PASSWORD") or None,
            "use_tls": bool(config.get("EMAIL_USE_TLS")),
            "use_ssl": bool(config.get("EMAIL_USE_SSL")),
            "timeout": 10,
        }
    elif backend.endswith("filebased.EmailBackend"):
        options = {"file_path": config.get("EMAIL_FILE_PATH")}
    return {"default": {"BACKEND": backend, "OPTIONS": options}}


def cache_url(name: str, *, default: str) -> dict:
    """A CACHES entry from a URL (django-environ), with the portal's Redis backend for redis://."""
    config = env.cache_url(name, default=default)
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        config["BACKEND"] = "adn_portal.lib.cache.RedisCache"
    return config
