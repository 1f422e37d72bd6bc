"""The dashboards' door: signing in and out with an API key, and the session cookie read back.

`POST /dashboard/session` takes a form (`key`, `next`, `lang`) from our own sign-in page,
checks the key like the API door does (well-formed, live, the failed-key budget of the IP),
sets the session cookie (dashboards/session.py) and sends the browser on to `next` (a
`/dashboard` path only: no open redirect). A refused key is a 401 page in the reader's
language; a form from another origin is 403 (login CSRF); a body over 4 KB is 413, one of
more than 5 fields 400; anything but a URL-encoded form is 415. `POST /dashboard/session/end`
clears the cookie.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from civicgraph.auth import DoorPolicy, KeyProblem, well_formed_key
from civicgraph.client_ip import counted_as
from civicgraph.rate_limits import AUTH_POLICY
from civicgraph.refusals import header_lang
from dashboards.i18n import lang_of, t
from dashboards.session import Sessions
from graph.records.api_keys import StoredKey
from graph.request_body import BodyTooLarge, LengthInvalid, read_body

MAX_FORM_BYTES = 4096
MAX_FIELDS = 5
DEFAULT_NEXT = "/dashboard/"


def safe_next(value: str | None) -> str:
    """`value` when it is a path under /dashboard on this origin, else the landing page."""
    if not value or len(value) > 200 or "\\" in value:
        return DEFAULT_NEXT
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/dashboard"):
        return DEFAULT_NEXT
    if "//" in parts.path or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return DEFAULT_NEXT
    segments = unquote(parts.path).split("/")
    if "." in segments or ".." in segments:  # /dashboard/../graphql leaves the dashboards
        return DEFAULT_NEXT
    return value


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None  # a form with no Origin (old browsers, curl) is allowed
    parts = urlsplit(origin)
    return parts.netloc == request.headers.get("host", "")


def _page(status: int, lang_value: str | None, message_key: str) -> HTMLResponse:
    lang = lang_of(lang_value)
    body = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(t('signin.title', lang))}</title></head><body><main>"
        f"<h1>{html.escape(t('signin.title', lang))}</h1>"
        f'<p role="alert">{html.escape(t(message_key, lang))}</p>'
        f'<p><a href="/dashboard/signin">{html.escape(t("signin.title", lang))}</a></p>'
        "</main></body></html>"
    )
    return HTMLResponse(body, status_code=status)


def _field(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    return values[0] if values else None


def _not_post(request: Request) -> Response:
    return JSONResponse(
        {"error": f"{request.method} is not allowed here", "code": "method_not_allowed"},
        status_code=405,
        headers={"allow": "POST"},
    )


@dataclass(frozen=True)
class DashboardDoor:
    """Sign-in and sign-out for the dashboards (routes added by the app factory)."""

    policy: DoorPolicy
    sessions: Sessions

    async def sign_in(self, request: Request) -> Response:
        if request.method != "POST":
            return _not_post(request)
        lang = header_lang(request.scope)
        if not _same_origin(request):
            return _page(403, lang, "signin.origin")
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            return _page(415, lang, "signin.form")
        try:
            body = await read_body(
                request.headers.get("content-length"), request.stream(), MAX_FORM_BYTES
            )
        except BodyTooLarge:
            return _page(413, lang, "signin.too_large")
        except LengthInvalid:
            return _page(400, lang, "signin.form")
        pairs = parse_qsl(body.decode("utf-8", "replace"))  # empty separators are no field
        if len(pairs) > MAX_FIELDS:  # more fields than the form has
            return _page(400, lang, "signin.form")
        form: dict[str, list[str]] = {}
        for name, value in pairs:
            form.setdefault(name, []).append(value)
        lang = _field(form, "lang") or lang
        ip = counted_as(request.client.host if request.client else "unknown")
        async with self.policy.rate_limits.checking(AUTH_POLICY, ip) as guard:
            if not guard.allowed:
                page = _page(429, lang, "signin.too_many")
                page.headers.update(dict((k.decode(), v.decode()) for k, v in guard.headers()))
                return page
            key = await self._key(_field(form, "key") or "", request)
            if key is None:  # counted before this check stops being under way
                await self.policy.rate_limits.hit(AUTH_POLICY, ip)
                return _page(401, lang, "signin.failed")
        target = safe_next(_field(form, "next"))
        response = RedirectResponse(target, status_code=303)
        secure = request.url.scheme == "https"
        response.headers["set-cookie"] = self.sessions.cookie_header(
            self.sessions.token(key.hash), secure=secure
        )
        response.headers["cache-control"] = "no-store"
        return response

    async def _key(self, presented: str, request: Request) -> StoredKey | None:
        try:
            secret = well_formed_key(presented.encode("latin-1", "replace"))
        except KeyProblem:
            return None
        return await self.policy.keys.lookup(request.app.state.stores.records, secret)

    async def sign_out(self, request: Request) -> Response:
        if request.method != "POST":
            return _not_post(request)
        if not _same_origin(request):
            return _page(403, header_lang(request.scope), "signin.origin")
        response = RedirectResponse(DEFAULT_NEXT, status_code=303)
        secure = request.url.scheme == "https"
        response.headers["set-cookie"] = Sessions.clearing_header(secure=secure)
        return response
