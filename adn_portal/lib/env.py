"""Environment readers that fail loudly: a typo in production config must stop the boot."""

import ipaddress

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


def env_count(name: str, *, default: int) -> int:
    """A whole number >= 0 in ASCII digits ("2"); anything else stops the boot."""
    raw = env.str(name, default="").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number (e.g. 1).")
    return int(raw)


def env_networks(name: str) -> list[str]:
    """Comma-separated IP addresses or networks ("10.0.0.2,172.16.0.0/12"), normalised.
    A host name or a network with host bits set ("10.0.0.1/8", a typo) stops the boot."""
    networks = []
    for raw in env.str(name, default="").split(","):
        if raw.strip():
            try:
                networks.append(str(ipaddress.ip_network(raw.strip())))
            except ValueError:
                raise ImproperlyConfigured(
                    f"{name}: {raw.strip()!r} is not an IP address or network (CIDR)."
                ) from None
    return networks


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
