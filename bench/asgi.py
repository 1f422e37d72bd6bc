"""The benchmark server: the CivicGraph app plus a raw ASGI hello at /hello, in one process.

uvicorn --factory bench.asgi:app
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from civicgraph.app import create_app
from civicgraph.serving import StartupGuard, tune_collector
from civicgraph.settings import Settings


async def hello(scope: Scope, receive: Receive, send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": b"hello"})


def app() -> ASGIApp:
    # one load generator on one IP: the door's quotas would answer 429 instead of the query
    unmetered = {f"rate_limit_{tier}": "1000000/second" for tier in ("public", "developer")}
    civic = create_app(Settings(**unmetered))

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/hello":
            await hello(scope, receive, send)
        else:
            await civic(scope, receive, send)

    # as `civicgraph serve` does once started
    return StartupGuard(dispatch, quiet=False, on_started=tune_collector)
