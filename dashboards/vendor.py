"""Third-party browser bundles served from our own origin at `/dashboard/vendor/<name>`.

deck.gl's UMD bundle, plotly.js's basic bundle and its Korean locale come from the npm packages
pinned in gateway/package.json (installed by the Makefile's `npm ci` in the `CIVIC_NODE_MODULES`
folder), never from a CDN, so the dashboards draw with no internet. Only the map page and the
analytics page's hotspot map load deck.gl (dashboards/assets/map.js adds the script on first
use): it is 2 MB.
"""

from __future__ import annotations

from pathlib import Path

from dash import Dash
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

BUNDLES = {
    "deck.gl.min.js": "deck.gl/dist.min.js",
    "plotly-basic.min.js": "plotly.js-basic-dist-min/plotly-basic.min.js",
}
"""Served name → path under node_modules."""
LOCALES = {"plotly-locale-ko.js": "plotly.js-locales/ko.js"}
"""Served name → a plotly.js locale module under node_modules (npm `plotly.js-locales`, a
CommonJS module), served wrapped for the browser: it registers with Plotly when Plotly is
loaded, else queues on `window.PlotlyLocales`, which plotly.js registers as it loads."""
SERVED = frozenset(BUNDLES) | frozenset(LOCALES)
"""Every name the vendor route serves."""
PREFIX = "/dashboard/vendor/"
PLOTLY = PREFIX + "plotly-basic.min.js"
"""plotly.js's basic bundle (bar, scatter, pie: every chart the pages draw; 1.2 MB), loaded by
every page before Dash's renderer: dcc.Graph takes `window.Plotly` when it is there and then
never fetches the full 4.6 MB bundle the plotly wheel ships, which the browser spent most of an
overview's first render parsing (bench/README)."""
KOREAN_CHARTS = PREFIX + "plotly-locale-ko.js"
"""The script every page loads so that `config.locale = "ko"` charts speak Korean (the mode
bar's buttons, plotly's own date and number words)."""


def serve(app: Dash, node_modules: Path) -> None:
    """Adds the `GET /dashboard/vendor/{name}` route to the Dash app's server, serving
    BUNDLES from `node_modules` (the `node_modules` setting, through DashboardOptions): 404
    for a name not in BUNDLES, 503 when its npm package is not installed there."""

    async def bundle(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in BUNDLES and name not in LOCALES:
            return JSONResponse({"error": "no such path", "code": "not_found"}, status_code=404)
        path = node_modules / (BUNDLES.get(name) or LOCALES[name])
        if not path.is_file():
            message = f"{name} is not installed: run `npm ci --prefix gateway`"
            return JSONResponse({"error": message, "code": "unavailable"}, status_code=503)
        headers = {"cache-control": "public, max-age=3600", "x-content-type-options": "nosniff"}
        if name in LOCALES:
            return Response(locale_script(path), media_type="text/javascript", headers=headers)
        return FileResponse(path, media_type="text/javascript", headers=headers)

    app.server.add_route(PREFIX + "{name}", bundle, methods=["GET", "HEAD"])


def locale_script(path: Path) -> str:
    """A plotly.js-locales module (`module.exports = {moduleType: "locale", …}`) as a browser
    script that registers it with Plotly now or, before Plotly loads, through
    `window.PlotlyLocales` (plotly.js registers that array when it loads)."""
    module = path.read_text(encoding="utf-8")
    return (
        "(function () {\n  var module = { exports: {} };\n"
        + module
        + "\n  var locale = module.exports;\n"
        "  if (window.Plotly && window.Plotly.register) window.Plotly.register(locale);\n"
        "  else (window.PlotlyLocales = window.PlotlyLocales || []).push(locale);\n})();\n"
    )
