"""The gate in front of the Dash app: only requests Dash is built to answer reach it.

Dash answers a malformed callback request, a wrong method or a file it does not serve with a
500 ("InternalServerError") or FastAPI's `{"detail": ...}`. The gate answers those itself, in
the dashboards' error format (`{"error": ..., "code": ...}`, civicgraph/refusals.py):

- GET/HEAD only for pages, Dash's layout and dependencies, its component scripts that the app
  registered (the fingerprint stripped as Dash does) and our assets; unknown paths 404, other
  methods 405;
- POST only to `_dash-update-component`: a JSON body of at most MAX_CALLBACK_BYTES (413),
  nested at most MAX_CALLBACK_DEPTH (400), naming a callback of the app (`output`) with as
  many inputs and states as it declares, each the component and property it declares (400
  `bad_callback_request`). The values themselves are whatever a browser may send: every
  callback takes any JSON value (tests/dashboards/test_gate.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
from dash.fingerprint import check_fingerprint
from starlette.requests import ClientDisconnect
from starlette.types import Message, Receive, Scope, Send

from civicgraph.graphql_door.body import JsonInvalid, decode_json
from dashboards import vendor
from dashboards.mount import Dashboards
from graph.errors import CivicGraphError
from graph.request_body import BodyTooLarge, LengthInvalid, read_body

MAX_CALLBACK_BYTES = 256 * 1024
"""Largest callback request: a page's inputs and states are a few KB."""
MAX_CALLBACK_DEPTH = 32
PREFIX = "/dashboard/"
CALLBACK = PREFIX + "_dash-update-component"
READS = frozenset({PREFIX + "_dash-layout", PREFIX + "_dash-dependencies"})
SUITES = PREFIX + "_dash-component-suites/"
ASSETS = PREFIX + "assets/"
VENDOR = PREFIX + "vendor/"
"""Browser bundles from npm (dashboards/vendor.py: deck.gl for the map)."""
STATIC = (ASSETS, VENDOR)


class BadCallback(CivicGraphError):
    """The callback request does not match a callback of the app."""


def _pattern(component_id: object) -> bool:
    """A pattern-matching id: Dash's callback map keeps it as JSON text (`{"type":…}`)."""
    return isinstance(component_id, dict) or (
        isinstance(component_id, str) and component_id.startswith("{")
    )


def _same_dependencies(sent: Any, declared: list[dict[str, Any]], what: str) -> None:
    if not isinstance(sent, list) or len(sent) != len(declared):
        raise BadCallback(f"`{what}` must list the callback's {len(declared)} {what}")
    for item, expected in zip(sent, declared, strict=True):
        if _pattern(expected.get("id")):  # pattern-matching: a list or one item
            matches = item if isinstance(item, list) else [item]
            if not all(
                isinstance(m, dict)
                and isinstance(m.get("id"), dict)
                and m.get("property") == expected["property"]
                for m in matches
            ):
                raise BadCallback(f"`{what}` items must name components of the declared pattern")
            continue
        if not isinstance(item, dict) or (item.get("id"), item.get("property")) != (
            expected["id"],
            expected["property"],
        ):
            raise BadCallback(f"`{what}` names another component or property than declared")


def _same_outputs(sent: Any, declared: Any) -> None:
    """`sent` (the request's `outputs`) names the declared Output(s), one object each."""
    expected = declared if isinstance(declared, list) else [declared]
    items = sent if isinstance(declared, list) else [sent]
    if not isinstance(items, list) or len(items) != len(expected):
        raise BadCallback("`outputs` must name the callback's outputs")
    for item, output in zip(items, expected, strict=True):
        if isinstance(output.component_id, dict):  # a pattern: one match or a list of them
            matches = item if isinstance(item, list) else [item]
            if not all(
                isinstance(m, dict)
                and isinstance(m.get("id"), dict)
                and m.get("property") == output.component_property
                for m in matches
            ):
                raise BadCallback("`outputs` must name the callback's outputs")
        elif not isinstance(item, dict) or (item.get("id"), item.get("property")) != (
            output.component_id,
            output.component_property,
        ):
            raise BadCallback("`outputs` must name the callback's outputs")


def _names_an_input(changed: object, declared: dict[str, Any]) -> bool:
    """`changed` is "<id>.<property>" of a declared input (a pattern's id as JSON text)."""
    if not isinstance(changed, str) or "." not in changed:
        return False
    component, _, prop = changed.rpartition(".")
    if component.startswith("{"):
        try:
            parsed = orjson.loads(component)  # bounded depth, as the body was read
        except ValueError:
            return False
        return isinstance(parsed, dict) and any(
            _pattern(d["id"]) and d["property"] == prop for d in declared["inputs"]
        )
    return any(d["id"] == component and d["property"] == prop for d in declared["inputs"])


def check_callback(body: object, callbacks: dict[str, dict[str, Any]]) -> None:
    """Raises BadCallback unless `body` calls one of `callbacks` (Dash's `callback_map`) with
    its declared inputs and states."""
    if not isinstance(body, dict):
        raise BadCallback("a callback request is a JSON object")
    output = body.get("output")
    declared = callbacks.get(output) if isinstance(output, str) else None
    if declared is None or declared.get("callback") is None:  # none, or one run in the browser
        raise BadCallback("`output` names no callback of this dashboard")
    _same_outputs(body.get("outputs"), declared["output"])
    _same_dependencies(body.get("inputs"), declared["inputs"], "inputs")
    _same_dependencies(body.get("state", []), declared["state"], "state")
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(_names_an_input(c, declared) for c in changed):
        raise BadCallback("`changedPropIds` must name inputs of the callback")


async def _answer(send: Send, status: int, code: str, message: str, **headers: str) -> None:
    body = orjson.dumps({"error": message, "code": code})
    start = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    start += [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": body})


def _headers_only(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return sending


def content_security_policy(inline_script_hashes: list[str], tile_url: str | None) -> str:
    """The dashboards' CSP: scripts from our origin and Dash's own inline renderer script (by
    hash), styles inline too (plotly and Dash's components set style attributes), images and
    fetches from our origin (and the tile service's, when one is set), never framed."""
    tiles = ""
    if tile_url:
        parts = urlsplit(tile_url)
        tiles = f" {parts.scheme}://{parts.netloc}"
    scripts = " ".join(["'self'", *inline_script_hashes])
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob:{tiles}; font-src 'self' data:; "
        f"connect-src 'self'{tiles}; worker-src 'self' blob:; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'; object-src 'none'"
    )


class DashboardGate:
    """Wraps the dashboards' ASGI app (dashboards/mount.py) with the checks above, and puts
    security headers on everything it passes: the CSP, `nosniff`, no framing, and
    `Cache-Control: no-store` on pages and callback answers (they may carry an analyst's
    figures); Dash's fingerprinted scripts keep their own caching."""

    def __init__(self, dashboards: Dashboards) -> None:
        self.dashboards = dashboards
        self._headers: list[tuple[bytes, bytes]] | None = None

    def security_headers(self) -> list[tuple[bytes, bytes]]:
        """Made at the first request, once Dash's inline scripts are all known."""
        if self._headers is None:
            csp = content_security_policy(
                list(self.dashboards.dash.csp_hashes()), self.dashboards.options.tile_url
            )
            self._headers = [
                (b"content-security-policy", csp.encode()),
                (b"x-content-type-options", b"nosniff"),
                (b"x-frame-options", b"DENY"),
                (b"referrer-policy", b"same-origin"),
            ]
        return self._headers

    def _secured(self, send: Send, path: str) -> Send:
        extra = list(self.security_headers())
        if not path.startswith((SUITES, ASSETS, VENDOR)):
            extra.append((b"cache-control", b"no-store"))

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in {name for name, _ in extra}
                ]
                message = {**message, "headers": [*kept, *extra]}
            await send(message)

        return sending

    def _serves(self, path: str) -> bool:
        if path.startswith(STATIC):
            return self._static_file(path)
        if path in self.dashboards.page_paths or path in READS:
            return True
        if path == PREFIX + "_favicon.ico":
            return True
        if not path.startswith(SUITES):
            return False
        package, _, fingerprinted = path.removeprefix(SUITES).partition("/")
        in_package, _ = check_fingerprint(fingerprinted)
        return in_package in self.dashboards.dash.registered_paths.get(package, ())

    def _static_file(self, path: str) -> bool:
        """A vendor bundle by its exact served name, or a file of the app's assets folder (so
        that anything else is our typed 404, not the framework's, nor a redirect)."""
        if path.startswith(VENDOR):
            return path.removeprefix(VENDOR) in vendor.SERVED
        folder = Path(self.dashboards.dash.config.assets_folder).resolve()
        target = (folder / path.removeprefix(ASSETS)).resolve()
        return target.is_relative_to(folder) and target.is_file()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.dashboards(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        if path == CALLBACK:
            if method != "POST":
                await _answer(
                    send, 405, "method_not_allowed", f"{method} is not allowed here", allow="POST"
                )
                return
            await self._callback(scope, receive, send)
            return
        if not self._serves(path):
            await _answer(send, 404, "not_found", "no such path")
            return
        if method not in ("GET", "HEAD"):
            await _answer(
                send, 405, "method_not_allowed", f"{method} is not allowed here", allow="GET, HEAD"
            )
            return
        if method == "HEAD":  # Dash routes GET only: answer HEAD as GET without the body
            secured = self._secured(_headers_only(send), path)
            await self.dashboards({**scope, "method": "GET"}, receive, secured)
            return
        await self.dashboards(scope, receive, self._secured(send, path))

    async def _callback(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if kind != b"application/json":
            await _answer(send, 415, "unsupported_media_type", "a callback request is JSON")
            return

        async def chunks() -> AsyncIterator[bytes]:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise ClientDisconnect  # answered 499 by the app (`refusals.client_gone`)
                yield message.get("body", b"")
                if not message.get("more_body"):
                    return

        length = headers.get(b"content-length")
        try:
            raw = await read_body(
                length.decode("latin-1") if length is not None else None,
                chunks(),
                MAX_CALLBACK_BYTES,
            )
            check_callback(decode_json(raw, MAX_CALLBACK_DEPTH), self.dashboards.dash.callback_map)
        except BodyTooLarge as error:
            await _answer(send, 413, "payload_too_large", str(error))
            return
        except (JsonInvalid, LengthInvalid, BadCallback) as error:
            await _answer(send, 400, "bad_callback_request", str(error))
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}

        await self.dashboards(scope, replay, self._secured(send, path=CALLBACK))
