"""Third-party browser bundles served from our own origin at `/dashboard/vendor/<name>`.

deck.gl's UMD bundle comes from the npm package pinned in gateway/package.json (installed by
the Makefile's `npm ci` in the `CIVIC_NODE_MODULES` folder), never from a CDN, so the map draws
with no internet. Only the map page loads it (dashboards/assets/map.js adds the script on first
use): it is 2 MB.
"""

from __future__ import annotations

from pathlib import Path

from dash import Dash
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

BUNDLES = {"deck.gl.min.js": "deck.gl/dist.min.js"}
"""Served name → path under node_modules."""
PREFIX = "/dashboard/vendor/"


def serve(app: Dash, node_modules: Path) -> None:
    """Adds the `GET /dashboard/vendor/{name}` route to the Dash app's server, serving
    BUNDLES from `node_modules` (the `node_modules` setting, through DashboardOptions): 404
    for a name not in BUNDLES, 503 when its npm package is not installed there."""

    async def bundle(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in BUNDLES:
            return JSONResponse({"error": "no such path", "code": "not_found"}, status_code=404)
        path = node_modules / BUNDLES[name]
        if not path.is_file():
            message = f"{name} is not installed: run `npm ci --prefix gateway`"
            return JSONResponse({"error": message, "code": "unavailable"}, status_code=503)
        return FileResponse(
            path,
            media_type="text/javascript",
            headers={"cache-control": "public, max-age=3600", "x-content-type-options": "nosniff"},
        )

    app.server.add_route(PREFIX + "{name}", bundle, methods=["GET", "HEAD"])
