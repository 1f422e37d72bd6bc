"""The usage door: every metered HTTP request is one call of its caller, counted once answered.

Runs inside the tier door (which names the caller), so a refused request (401, 429) is not a
call. It puts a `UsageMark` in `scope["state"]` (graph/usage.py `SCOPE_KEY`) whose operation
is the route template (`/open311/v2/requests.json`, never the raw path); the GraphQL door
renames it to the operation's name, resolvers and other doors touch the datasets they read,
and the mark is recorded in the process's `UsageTally` (`app.state.usage`) when the response
is done. Websocket operations are counted by the GraphQL door itself (ws_operations.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from graph.records.api_usage import MAX_OPERATION, PUBLIC
from graph.usage import SCOPE_KEY, UsageTally

TEMPLATES_KEPT = 1024
"""Paths whose route template the door remembers (the first ones seen)."""
GRAPHQL_PATH = "/graphql"


def route_template(routes: Sequence[BaseRoute], scope: Scope, prefix: str = "") -> str:
    """The template of the route `scope` matches, through mounts (`/open311/v2` +
    `/requests/{request_id}.json`), or `unmatched`; cut to MAX_OPERATION characters."""
    for route in routes:
        match, child = route.matches(scope)
        if match is not Match.FULL:
            continue
        path = prefix + str(getattr(route, "path", ""))
        inner = getattr(route, "routes", None) if isinstance(route, Mount) else None
        if inner:
            return route_template(inner, {**scope, **child}, path)
        return path[:MAX_OPERATION] or "/"
    return "unmatched"


class UsageMiddleware:
    """Counts each metered HTTP request (not `unmetered` paths, not refused ones) as a call."""

    def __init__(
        self,
        app: ASGIApp,
        unmetered: frozenset[str] = frozenset(),
        unmetered_prefixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.unmetered = unmetered
        self.unmetered_prefixes = unmetered_prefixes
        self.templates: dict[tuple[str, str], str] = {}

    def _template(self, scope: Scope) -> str:
        key = (scope.get("root_path", ""), scope["path"])
        known = self.templates.get(key)
        if known is None:
            router = getattr(scope.get("app"), "router", None)
            known = route_template(getattr(router, "routes", []), scope)
            if len(self.templates) < TEMPLATES_KEPT:
                self.templates[key] = known
        return known

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tally: UsageTally | None = getattr(scope["app"].state, "usage", None)
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or tally is None
            or path in self.unmetered
            or path.startswith(self.unmetered_prefixes)
        ):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        caller = state.get("caller")
        client = caller.key_prefix if caller is not None and caller.key_prefix else PUBLIC
        tier = caller.tier.value if caller is not None else "public"
        mark = tally.mark(client, tier, "graphql" if path == GRAPHQL_PATH else "http")
        mark.operation = self._template(scope)  # before a Mount rewrites the scope
        state[SCOPE_KEY] = mark
        try:
            await self.app(scope, receive, send)
        finally:
            tally.record(mark)
