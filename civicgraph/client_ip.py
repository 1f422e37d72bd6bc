"""The client's IP: the peer address, or what trusted reverse proxies say in X-Forwarded-For.

Uses uvicorn's ProxyHeadersMiddleware (walks X-Forwarded-For from the right, skipping trusted
proxies), applied in the app rather than by the server so that it holds under any ASGI server
and in tests. Without `CIVIC_TRUSTED_PROXIES` no header is believed: anyone could write one.
The RFC 7239 `Forwarded` header is not read; configure proxies to send X-Forwarded-For.

Quotas count an IPv6 client by its /64 (`counted_as`): one subscriber line or host is given a
/64 (RFC 6177, RIPE-690), and counting each address alone gave whoever holds one 2^64 fresh
quotas, for requests as for key guesses.
"""

from __future__ import annotations

import functools
import ipaddress

from starlette.middleware import Middleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware


def proxy_middleware(trusted_proxies: str) -> list[Middleware]:
    """The middleware that rewrites `scope["client"]`, or none without trusted proxies.

    `trusted_proxies` is a comma-separated list of IPs and networks (validated by Settings).
    """
    trusted = [entry.strip() for entry in trusted_proxies.split(",") if entry.strip()]
    if not trusted:
        return []
    return [Middleware(ProxyHeadersMiddleware, trusted_hosts=trusted)]


IPV6_PREFIX = 64
"""The IPv6 prefix length a client is counted under (one site's or host's allocation)."""


EMBEDDING_IPV4 = tuple(
    ipaddress.IPv6Network(network)
    for network in (
        "64:ff9b::/96",  # NAT64's well-known prefix (RFC 6052)
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215): the IPv4 address in the last 32 bits
        "::ffff:0:0:0/96",  # IPv4-translated (RFC 2765)
        "::/96",  # IPv4-compatible (deprecated, RFC 4291), but for :: and ::1
    )
)
"""IPv6 networks whose addresses carry an IPv4 client in their last 32 bits: counted by /64,
every IPv4 client behind one gateway would share one quota."""


@functools.lru_cache(maxsize=65_536)
def counted_as(ip: str) -> str:
    """The name quotas count `ip` under: an IPv4 address as it is; an IPv6 address as its
    /64 network (`2001:db8:1:2::/64`), or as the IPv4 client it carries (IPv4-mapped, NAT64,
    6to4, Teredo: `192.0.2.1`); anything that is not an address (a test client's name,
    "unknown") as it is."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv4Address):
        return ip
    carried = _carried_ipv4(address)
    if carried is not None:
        return str(carried)
    return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))


def _carried_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # (server, client)
    if int(address) > 1 and any(address in network for network in EMBEDDING_IPV4):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
