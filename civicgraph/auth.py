"""API keys at the door: resolve the caller's tier once per request, refuse bad keys with 401."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from graph.records.api_keys import Tier, tier_for

HEADER = b"x-api-key"


def _presented_key(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == HEADER:
            return value.decode("latin-1").strip() or None
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return value[7:].decode("latin-1").strip() or None
    return None


class TierMiddleware:
    """Puts `tier` into `scope["state"]`; a key that is unknown or revoked gets a 401."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        key = _presented_key(scope)
        tier = (
            Tier.PUBLIC if key is None else await tier_for(scope["app"].state.stores.records, key)
        )
        if tier is None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4401})
                return
            body = json.dumps(
                {
                    "errors": [
                        {
                            "message": "unknown or revoked API key",
                            "extensions": {"code": "unauthenticated"},
                        }
                    ]
                }
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"www-authenticate", b"ApiKey"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        scope.setdefault("state", {})["tier"] = tier
        await self.app(scope, receive, send)
