"""A store lost while a request is handled, answered at the door as "try again later".

Every store reports an outage as StoreUnavailable (graph/errors.py: the records driver's lost
connection or locked file, Neo4j gone). GraphQL fields answer it themselves
(`service_unavailable`, resolvers/core/civic_schema.py); whatever else meets it (the key lookup
at the tier door, the REST doors, a GraphQL request before execution) raises it to here.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civicgraph.refusals import (
    CLOSE_TRY_AGAIN_LATER,
    SERVICE_UNAVAILABLE,
    refuse_http,
    refuse_websocket,
)
from graph.errors import StoreUnavailable
from resolvers.core.errors import RETRY_AFTER_OUTAGE_S, STORES_UNAVAILABLE

log = logging.getLogger("civicgraph.outages")


class OutageMiddleware:
    """Answers StoreUnavailable raised under it: HTTP 503 `service_unavailable` in the
    endpoint's own format (civicgraph/refusals.py) with `Retry-After`, a dashboards page in the
    reader's language for a browser; a websocket closed 1013 (RFC 6455 `Try Again Later`,
    which graphql-ws clients retry with back-off). Once an HTTP response has started nothing
    more can be said: the body is left unfinished, and the server drops the connection."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        seen: set[str] = set()

        async def receiving() -> Message:
            message = await receive()
            seen.add(message["type"])
            return message

        async def sending(message: Message) -> None:
            seen.add(message["type"])
            await send(message)

        try:
            await self.app(scope, receiving, sending)
        except StoreUnavailable as error:
            log.warning("stores unavailable for %s: %s", scope.get("path", ""), error)
            if scope["type"] == "http":
                if "http.response.start" in seen:
                    # nothing more can be said: returning with the body unfinished makes the
                    # server drop the connection, so the client sees a cut, not a whole answer
                    return
                retry = [(b"retry-after", str(RETRY_AFTER_OUTAGE_S).encode())]
                await refuse_http(
                    scope,
                    send,
                    SERVICE_UNAVAILABLE,
                    STORES_UNAVAILABLE,
                    retry,
                    retryAfter=RETRY_AFTER_OUTAGE_S,
                )
            elif "websocket.close" not in seen:
                if "websocket.accept" in seen:
                    await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER})
                else:
                    await refuse_websocket(
                        scope,
                        receive,
                        send,
                        CLOSE_TRY_AGAIN_LATER,
                        STORES_UNAVAILABLE,
                        connected="websocket.connect" in seen,
                    )
