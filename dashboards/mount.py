"""The dashboards as one ASGI app for the server to mount at `/dashboard`.

Starlette's `Mount` keeps the full path and adds the prefix to `root_path`; Dash's FastAPI
backend registers its routes with the prefix (`url_base_pathname="/dashboard/"`) and matches
its callback middleware on the raw path, so the mount hands Dash the scope with the parent's
root path restored. For every request it also makes the connection the `CURRENT` one, so that
figures are read as that viewer (dashboards/sources.py).

A page's own address (`/dashboard/cases`) is Dash's index page: the browser's router
(`dcc.Location`) renders the page the address names. Dash would add a catch-all route for that
from its own ASGI lifespan, which a mounted app never gets and which serves the last Dash app
made in the process; the mount instead hands Dash the index path for a page's address.
"""

from __future__ import annotations

from collections.abc import Callable

from dash import Dash
from starlette.requests import HTTPConnection
from starlette.types import Receive, Scope, Send

from dashboards.app import PAGES, build_dash
from dashboards.options import DashboardOptions
from dashboards.sources import CURRENT, Execute, Reader

CLOSE_NOT_FOUND = 4404
INDEX_PATH = "/dashboard/"


class Dashboards:
    """The Dash app at `/dashboard`, reading through `execute` as each request's viewer, with
    the server's `options` (civicgraph/app.py builds them from its settings)."""

    def __init__(
        self,
        execute: Execute,
        options: DashboardOptions | None = None,
        changes: Callable[[], int] = lambda: 0,
    ) -> None:
        """`changes` gives the live Pulse's change counter (renders are shared until it moves:
        dashboards/renders.py)."""
        self.reader = Reader(execute)
        self.options = options or DashboardOptions()
        self.dash: Dash = build_dash(self.reader, self.options, changes)

        self.page_paths = frozenset(
            path for page in PAGES.values() for path in (f"/dashboard/{page.slug}", page.path)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # the live socket has its own route; Dash's is unused
            await send({"type": "websocket.close", "code": CLOSE_NOT_FOUND})
            return
        if scope["type"] != "http":
            return
        scope = {**scope, "root_path": scope.get("app_root_path", "")}
        if scope["method"] in ("GET", "HEAD") and scope["path"] in self.page_paths:
            scope["path"], scope["raw_path"] = INDEX_PATH, INDEX_PATH.encode()
        token = CURRENT.set(HTTPConnection(scope))
        try:
            await self.dash.server(scope, receive, send)
        finally:
            CURRENT.reset(token)
