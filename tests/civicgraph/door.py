"""Apps of their own for the door's tests: the session's stores behind chosen limits."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
from starlette.applications import Starlette

from civicgraph.app import create_app
from civicgraph.graphql_door.view import CivicGraphQL
from civicgraph.settings import Settings
from civicgraph.stores import Stores

DEFAULT_LIMITS = {
    name: Settings.model_fields[name].default
    for name in Settings.model_fields
    if name.startswith(("rate_limit_", "ws_connections_", "subscriptions_"))
    or name in ("key_cache_seconds", "trusted_proxies")
}
"""The shipped defaults of every door setting (the session's settings lift them)."""


@contextlib.asynccontextmanager
async def door_app(settings: Settings, stores: Stores, **limits: Any) -> AsyncIterator[Starlette]:
    """An app over `stores` with the shipped door limits, changed by `limits`, running."""
    app = create_app(settings.model_copy(update={**DEFAULT_LIMITS, **limits}), stores)
    async with app.router.lifespan_context(app):
        yield app


def client(app: Starlette, ip: str = "198.51.100.7") -> httpx.AsyncClient:
    """An HTTP client whose requests come from `ip` (the ASGI peer address)."""
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test")


def view_of(app: Starlette) -> CivicGraphQL:
    """The app's `/graphql` view (to swap one of its parts in a test)."""
    for route in app.routes:
        endpoint = getattr(route, "endpoint", None)
        if isinstance(endpoint, CivicGraphQL):
            return endpoint
    raise AssertionError("no /graphql view")
