"""The client's IP: the peer address, or what trusted reverse proxies say in X-Forwarded-For.

Uses uvicorn's ProxyHeadersMiddleware (walks X-Forwarded-For from the right, skipping trusted
proxies), applied in the app rather than by the server so that it holds under any ASGI server
and in tests. Without `CIVIC_TRUSTED_PROXIES` no header is believed: anyone could write one.
The RFC 7239 `Forwarded` header is not read; configure proxies to send X-Forwarded-For.
"""

from __future__ import annotations

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
