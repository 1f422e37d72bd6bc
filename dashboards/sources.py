"""Where every figure's numbers come from: a GraphQL document run at the viewer's tier.

The dashboards open no database connection. Each figure names a `Source`, a GraphQL document of
the public API, and the server runs it in process through the same schema, cost analysis and
tier rules as an app's request (`Execute`, given by the app factory). The figure's "source"
link opens the same document and variables in the explorer, so anyone can see and rerun what
produced it.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.requests import HTTPConnection

from graph.errors import CivicGraphError


class NoRequest(CivicGraphError):
    """A figure was read outside a dashboard request (a bug of ours, not the viewer's)."""


@dataclass(frozen=True)
class Answer:
    """A GraphQL response: `data` (None when nothing ran) and the errors' JSON (message,
    path, extensions)."""

    data: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)

    def codes(self) -> set[str]:
        return {str(e.get("extensions", {}).get("code", "")) for e in self.errors}


Execute = Callable[[HTTPConnection, str, dict[str, Any]], Awaitable[Answer]]
"""Runs a document with variables as the connection's caller (tier, quota) would over HTTP."""

CURRENT: contextvars.ContextVar[HTTPConnection] = contextvars.ContextVar("dashboard_request")
"""The dashboard request being served: set by the mount (dashboards/mount.py) for every
callback, read by `Reader.read`."""


@dataclass(frozen=True)
class Source:
    """One GraphQL document behind one or more figures; `name` is its operation name."""

    name: str
    document: str

    def link(self, variables: dict[str, Any] | None = None) -> str:
        """The explorer URL that opens this document (and its variables) ready to run: in the
        fragment, since `/graphql?query=` runs the query instead of opening the explorer."""
        params = {"query": self.document.strip()}
        if variables:
            params["variables"] = json.dumps(variables, ensure_ascii=False)
        return "/graphql#" + urlencode(params)


@dataclass(frozen=True)
class Reader:
    """Runs figures' sources for the request in `CURRENT`."""

    execute: Execute

    async def read(self, source: Source, variables: dict[str, Any] | None = None) -> Answer:
        """The answer to `source` as the current viewer. Raises NoRequest outside a request."""
        try:
            connection = CURRENT.get()
        except LookupError:
            raise NoRequest("a dashboard figure was read outside a request") from None
        return await self.execute(connection, source.document, variables or {})
