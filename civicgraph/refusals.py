"""Refusals at the door (bad keys, rate limits), each in the format of the endpoint asked.

HTTP: Open311 paths get Open311's error list (`[{"code": 429, "description": ...}]`), CKAN's
Action API its envelope (`{"success": false, "error": {"__type": ..., "message": ...}}`), the
ingest, certificate, catalogue and dashboard endpoints their own `{"error": ...}` objects,
everything else (GraphQL, the explorer) a GraphQL error response whose `extensions.code` names
the refusal. Websockets are accepted (with the client's graphql-ws subprotocol) and then closed,
so that the client sees a close code and a reason, not a failed handshake.
"""

from __future__ import annotations

import html
from urllib.parse import quote

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from dashboards.i18n import lang_of, t

UNAUTHENTICATED = "unauthenticated"
RATE_LIMITED = "rate_limited"
SERVICE_UNAVAILABLE = "service_unavailable"
STATUS = {UNAUTHENTICATED: 401, RATE_LIMITED: 429, SERVICE_UNAVAILABLE: 503}

CLOSE_UNAUTHORIZED = 4401
"""graphql-ws `Unauthorized`: a missing-the-mark key (the code this server always used)."""
CLOSE_TRY_AGAIN_LATER = 1013
"""RFC 6455 registry `Try Again Later`: over a rate or connection limit. graphql-ws clients
retry it with their randomised exponential back-off, unlike 4429 (`Too many initialisation
requests`, fatal in that protocol) or 4400 (`Bad request`, fatal)."""
SUBPROTOCOLS = ("graphql-transport-ws", "graphql-ws")


def _body(
    path: str, code: str, message: str, extra: dict[str, object], status: int | None = None
) -> object:
    status = status or STATUS[code]
    if path.startswith("/open311/"):
        return [{"code": status, "description": message}]
    if path.startswith(("/api/3/action/", "/api/action/")):  # CKAN's envelope and error
        kind = {
            401: "Authorization Error",
            429: "Rate Limit Error",
            404: "Not Found Error",
            503: "Service Unavailable",
        }
        error = {"__type": kind.get(status, "Bad request"), "message": message}
        action = path.rstrip("/").rsplit("/", 1)[-1]
        help_url = f"/api/3/action/help_show?name={quote(action, safe='')}"
        return {"help": help_url, "success": False, "error": error | extra}
    if path.startswith(("/ingest/", "/certificates/", "/dashboard", "/catalog")):
        return {"error": message, "code": code, **extra}
    return {"errors": [{"message": message, "extensions": {"code": code, **extra}}]}


def _wants_page(scope: Scope) -> bool:
    """A browser asking for a dashboards page (GET or HEAD under /dashboard, HTML accepted)."""
    if not scope.get("path", "").startswith("/dashboard") or scope.get("method") not in (
        "GET",
        "HEAD",
    ):
        return False
    accept: bytes = dict(scope.get("headers", [])).get(b"accept", b"")
    return b"text/html" in accept


def header_lang(scope: Scope) -> str | None:
    """The language a reader's browser asks for, when a refusal comes before any page says
    which was chosen (that choice is in the browser's local storage): the `Accept-Language`
    header's first Korean or English tag, else None."""
    raw: bytes = dict(scope.get("headers", [])).get(b"accept-language", b"")
    for part in raw.decode("latin-1").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith(("ko", "en")):
            return tag[:2]
    return None


def _page(scope: Scope, code: str, retry_after: object) -> bytes:
    """A refused dashboards page in the reader's language: what happened and when to retry."""
    lang = lang_of(header_lang(scope))
    message = t(f"door.{code}", lang).format(seconds=retry_after)
    title = html.escape(t("app.public_title", lang))
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
        f'</head><body><main><h1>{title}</h1><p role="alert">{html.escape(message)}</p>'
        '<p><a href="/dashboard/">/dashboard/</a></p></main></body></html>'
    ).encode()


async def refuse_http(
    scope: Scope,
    send: Send,
    code: str,
    message: str,
    headers: list[tuple[bytes, bytes]],
    **extra: object,
) -> None:
    """Answer 401 (`code` UNAUTHENTICATED), 429 (RATE_LIMITED) or 503 (SERVICE_UNAVAILABLE)
    without reading the body; a browser's dashboards page gets an HTML page in its reader's
    language instead of JSON."""
    if _wants_page(scope):
        body = _page(scope, code, extra.get("retryAfter", 60))
        kind = b"text/html; charset=utf-8"
    else:
        body = orjson.dumps(_body(scope.get("path", ""), code, message, extra))
        kind = b"application/json"
    start = [
        (b"content-type", kind),
        (b"content-length", str(len(body)).encode()),
        *headers,
    ]
    if code == UNAUTHENTICATED:
        start.append((b"www-authenticate", b'Bearer realm="civicgraph", ApiKey'))
    await send({"type": "http.response.start", "status": STATUS[code], "headers": start})
    await send({"type": "http.response.body", "body": body})


HTTP_ERROR_CODES = {404: "not_found", 405: "method_not_allowed"}


async def http_error(request: Request, error: Exception) -> Response:
    """Starlette's own refusals (no such path, a method the path does not take) in the format of
    the endpoint asked, as every other refusal here, instead of its plain text."""
    assert isinstance(error, HTTPException)
    code = HTTP_ERROR_CODES.get(error.status_code, "bad_request")
    message = {404: "no such path", 405: f"{request.method} is not allowed here"}.get(
        error.status_code, str(error.detail)
    )
    body = orjson.dumps(_body(request.url.path, code, message, {}, error.status_code))
    return Response(body, error.status_code, headers=error.headers, media_type="application/json")


CLIENT_CLOSED_REQUEST = 499
"""nginx's status for a request whose client hung up before it was answered."""


async def client_gone(request: Request, error: Exception) -> Response:
    """A client that hung up while it was still sending its body (Starlette's
    `ClientDisconnect`, out of any door's body read): nothing can reach it any more, so the
    request ends as 499, nginx's "client closed request", which the access log and the metrics
    count as the client's doing, instead of a server error with a traceback."""
    return Response(status_code=CLIENT_CLOSED_REQUEST)


async def refuse_websocket(
    scope: Scope,
    receive: Receive,
    send: Send,
    close_code: int,
    reason: str,
    *,
    connected: bool = False,
) -> None:
    """Accept the handshake with the client's subprotocol, then close with `close_code`.

    The caller must not pass the connection on; the client's messages are never read.
    `connected`: the `websocket.connect` message was already received (by the app).
    """
    if not connected and (await receive())["type"] != "websocket.connect":
        return
    asked = scope.get("subprotocols") or []
    chosen = next((p for p in asked if p in SUBPROTOCOLS), None)
    await send({"type": "websocket.accept", "subprotocol": chosen})
    await send({"type": "websocket.close", "code": close_code, "reason": reason[:120]})
