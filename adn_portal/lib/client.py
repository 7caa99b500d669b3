"""The client's address, resolved once per request.

Behind a reverse proxy the socket peer is the proxy and the client is named in X-Forwarded-For,
a header any client can send too. The portal reads it only as far as the deployment says:

- TRUSTED_PROXIES (addresses or networks): the header counts when the socket peer is one of them;
  the client is the right-most address in it that is not a trusted proxy.
- TRUSTED_PROXY_COUNT (N), for proxies whose addresses are not known in advance (docker-compose's
  network): the client is the N-th address from the right.
- Neither (the default): the header is ignored; the socket peer is the client.

ClientAddressMiddleware writes the result into REMOTE_ADDR, so that the audit log, the API
throttles, django-axes and allauth's rate limits all read one address. It drops the other
forwarded headers (proto, host, port) unless a trusted proxy sent them: Django's
SECURE_PROXY_SSL_HEADER then believes only the proxy.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def canonical_address(raw: str) -> str | None:
    """`raw` as an IP address in canonical form, or None when it is not one (a port, a name,
    brackets, a NUL byte, non-ASCII digits...)."""
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return None
    if address.version == 6:
        if address.scope_id:  # fe80::1%eth0 names an interface of the sender; PostgreSQL refuses it
            return None
        if address.ipv4_mapped:  # ::ffff:10.0.0.2 from a dual-stack socket is 10.0.0.2
            return str(address.ipv4_mapped)
    return str(address)


@lru_cache(maxsize=4)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy) for proxy in proxies)


def _is_proxy(address: str, networks: tuple[Network, ...]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in networks)


def resolve(meta: dict) -> tuple[str | None, bool]:
    """(the client's address, whether the request came through a trusted proxy) from a request's
    META as the server gave it. An unreadable header counts as no header."""
    peer = canonical_address(meta.get("REMOTE_ADDR", ""))
    header = meta.get("HTTP_X_FORWARDED_FOR", "")
    hops = header.split(",") if header else []
    if settings.TRUSTED_PROXIES:
        networks = _networks(tuple(settings.TRUSTED_PROXIES))
        if peer is None or not _is_proxy(peer, networks):
            return peer, False
        # From the proxy back towards the client: the first hop no trusted proxy owns.
        client = peer
        for raw in reversed(hops):
            client = canonical_address(raw)
            if client is None:
                return peer, True
            if not _is_proxy(client, networks):
                break
        return client, True
    if settings.TRUSTED_PROXY_COUNT:
        # Every request comes through the proxies: gunicorn is reachable by them only.
        if len(hops) < settings.TRUSTED_PROXY_COUNT:
            return peer, True
        return canonical_address(hops[-settings.TRUSTED_PROXY_COUNT]) or peer, True
    return peer, False


def client_address(request) -> str | None:
    """The client's address as ClientAddressMiddleware resolved it (also AXES_CLIENT_IP_CALLABLE)."""
    return canonical_address(request.META.get("REMOTE_ADDR", ""))


class ClientAddressMiddleware:
    """First in MIDDLEWARE: everything after it sees the resolved address in REMOTE_ADDR."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        address, through_proxy = resolve(request.META)
        if not through_proxy:
            for name in FORWARDED_HEADERS:
                request.META.pop(name, None)
        request.META["REMOTE_ADDR"] = address or ""
        return self.get_response(request)
