"""Environment readers that fail loudly: a typo in production config must stop the boot."""

import ipaddress
import re
from pathlib import Path
from urllib.parse import urlsplit

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


# S3's rules for a bucket's name: 3-63 lower-case letters, digits, dots and hyphens.
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def file_storages(
    *,
    media_root: Path,
    bucket: str,
    endpoint_url: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
) -> dict:
    """STORAGES' "default" (logos) and "private" (documents, exports, claims' documents)
    aliases: under `media_root` on this machine, or, when a bucket is named, in that
    S3-compatible bucket (AWS, MinIO…), shared by every node, laid out as on disk ("private/"
    for the private alias). Half a configuration stops the boot: files would otherwise land
    on one node's disk and be missing on the others."""
    if not bucket:
        # The AWS keys alone are no sign: AWS's own tools read them too.
        if endpoint_url or region:
            raise ImproperlyConfigured(
                "AWS_S3_ENDPOINT_URL or AWS_S3_REGION_NAME is set but AWS_STORAGE_BUCKET_NAME "
                "is not: name the bucket, or unset them to keep files on this disk."
            )
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            # Never under a public URL: served by authorising views.
            "private": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": media_root / "private", "base_url": None},
            },
        }
    if not _BUCKET_NAME.fullmatch(bucket):
        raise ImproperlyConfigured(f"AWS_STORAGE_BUCKET_NAME={bucket!r} is not a bucket name.")
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither (the machine's "
            "own credentials, e.g. an instance role)."
        )
    options = {
        "bucket_name": bucket,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "region_name": region or None,
        "default_acl": None,  # the bucket's own: private
        "file_overwrite": False,  # as on disk: a name taken gets another, nothing is replaced
        # A download above this is spooled to a temporary file rather than kept in memory.
        "max_memory_size": 2 * 1024 * 1024,
    }
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
            raise ImproperlyConfigured(
                f"AWS_S3_ENDPOINT_URL={endpoint_url!r} is not a server's address "
                "(e.g. http://minio:9000)."
            )
        # A server of our own (MinIO) answers at one address for every bucket.
        options |= {"endpoint_url": endpoint_url, "addressing_style": "path"}
    backend = "adn_portal.lib.s3.PrivateS3Storage"
    return {
        "default": {"BACKEND": backend, "OPTIONS": options},
        "private": {"BACKEND": backend, "OPTIONS": {**options, "location": "private"}},
    }
