"""The GraphiQL explorer, served entirely from our own origin under a strict CSP.

GraphiQL's bundle comes from the pinned npm packages in gateway/ (installed by the Makefile),
never from a CDN, so the explorer works offline and no page of ours loads a foreign script.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}

NPM_ASSETS = {
    "react.js": "react/umd/react.production.min.js",
    "react-dom.js": "react-dom/umd/react-dom.production.min.js",
    "graphiql.js": "graphiql/graphiql.min.js",
    "graphiql.css": "graphiql/graphiql.min.css",
}
OWN_ASSETS = {"explorer.js", "explorer.css"}


class Explorer:
    def __init__(self, node_modules: Path) -> None:
        self.node_modules = node_modules
        self.static = Path(str(files("civicgraph") / "static"))

    def missing(self) -> list[str]:
        return [path for path in NPM_ASSETS.values() if not (self.node_modules / path).is_file()]

    async def page(self, request: Request) -> Response:
        missing = self.missing()
        if missing:
            return PlainTextResponse(
                "The explorer's npm packages are not installed (missing "
                f"{', '.join(missing)}). Run `make run`, or `npm ci --prefix gateway`.",
                status_code=503,
            )
        html = (self.static / "explorer.html").read_text(encoding="utf-8")
        return HTMLResponse(html, headers=SECURITY_HEADERS)

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name in OWN_ASSETS:
            path = self.static / name
        elif name in NPM_ASSETS:
            path = self.node_modules / NPM_ASSETS[name]
        else:
            return PlainTextResponse("not found", status_code=404)
        if not path.is_file():
            return PlainTextResponse(f"{name} is not installed", status_code=503)
        return FileResponse(
            path, headers={"cache-control": "public, max-age=3600", **SECURITY_HEADERS}
        )
