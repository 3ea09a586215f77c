"""The client's address, the one place throttles, the login lockout (django-axes) and logging ask.

The address is the connection's peer (`REMOTE_ADDR`). `X-Forwarded-For` is the client's own word
unless the request came through a proxy we trust: only when the peer is in `TOLK_TRUSTED_PROXIES`
(addresses or CIDR ranges, empty by default) is the header read, from the right, skipping the
trusted proxies; the first address that is not one of them is the client. A client that sends its
own `X-Forwarded-For` through the proxy only adds entries to the left of the one the proxy appends,
so it cannot choose its address.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

UNKNOWN = "unknown"


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False)
                 for entry in entries if entry.strip())


def trusted_proxies() -> tuple[Network, ...]:
    """`TOLK_TRUSTED_PROXIES` parsed; a setting that is not an address or range fails loudly."""
    return _networks(tuple(getattr(settings, "TOLK_TRUSTED_PROXIES", ()) or ()))


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:1234"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address,
                networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def address_from(peer: str, forwarded_for: str = "") -> str:
    """The client's address given the connection's peer and the `X-Forwarded-For` header."""
    current = _address(peer or "")
    if current is None:
        return UNKNOWN
    networks = trusted_proxies()
    if not networks or not _is_trusted(current, networks):
        return str(current)
    for entry in reversed([part for part in forwarded_for.split(",") if part.strip()]):
        hop = _address(entry)
        if hop is None:
            # Garbage in the header: stop at the last address a trusted proxy vouched for.
            break
        current = hop
        if not _is_trusted(hop, networks):
            break
    return str(current)


def client_address(request: Any) -> str:
    """The address of the client that sent this HTTP request (Django or DRF request)."""
    meta = getattr(request, "META", None) or {}
    return address_from(meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR", ""))

