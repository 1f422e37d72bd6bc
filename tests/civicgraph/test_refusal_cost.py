"""Refusals stay cheap: no access-log line per request or websocket handshake by default, and
the metrics middleware remembers route templates (bounded) instead of matching every route on
every request."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from civicgraph import serving
from civicgraph.metrics import ROUTE_NAMES_KEPT, Metrics, MetricsMiddleware
from civicgraph.settings import Settings


async def ok(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def metered_app() -> tuple[Starlette, Metrics]:
    metrics = Metrics(dict, lambda: None)
    app = Starlette(
        routes=[
            Route("/ingest/readings", ok, methods=["POST"]),
            Mount("/open311/v2", routes=[Route("/requests/{request_id}.json", ok)]),
        ],
        middleware=[Middleware(MetricsMiddleware, metrics=metrics)],
    )
    return app, metrics


def requests_counted(metrics: Metrics, method: str, route: str, status: str) -> float:
    labels = {"method": method, "route": route, "status": status}
    return metrics.registry.get_sample_value("civic_http_requests_total", labels) or 0.0


@pytest.mark.parametrize("access_log", [False, True], ids=["default-off", "on"])
def test_serve_access_log_follows_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, access_log: bool
) -> None:
    # given
    seen: dict[str, Any] = {}

    async def stores_fine(settings: Settings) -> None:
        return None

    monkeypatch.setattr(serving, "_check_stores", stores_fine)
    monkeypatch.setattr(serving, "listen", lambda host, port: None)
    monkeypatch.setattr(serving, "create_app", lambda settings, **named: None)
    monkeypatch.setattr(serving, "serve_app", lambda app, sock, **options: seen.update(options))
    settings = (
        Settings(data_dir=tmp_path, access_log=True) if access_log else Settings(data_dir=tmp_path)
    )
    # when
    serving.serve(settings)
    # then
    assert seen["access_log"] is access_log


async def test_metrics_route_template_per_method_and_path() -> None:
    # given
    app, metrics = metered_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        # when: each twice, so the second answer comes from what the middleware remembered
        for _ in range(2):
            await http.post("/ingest/readings")
            await http.get("/ingest/readings")
            await http.get("/open311/v2/requests/42.json")
    # then
    assert requests_counted(metrics, "POST", "/ingest/readings", "200") == 2
    assert requests_counted(metrics, "GET", "unmatched", "405") == 2
    assert requests_counted(metrics, "GET", "/open311/v2", "200") == 2


async def test_metrics_remembers_a_bounded_number_of_paths() -> None:
    # given
    app, metrics = metered_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        # when: more distinct paths than it keeps
        for n in range(ROUTE_NAMES_KEPT + 50):
            await http.get(f"/nowhere/{n}")
    # then
    middleware = app.middleware_stack
    while not isinstance(middleware, MetricsMiddleware):
        middleware = middleware.app  # type: ignore[union-attr]
    assert len(middleware.route_names) == ROUTE_NAMES_KEPT
    assert requests_counted(metrics, "GET", "unmatched", "404") == ROUTE_NAMES_KEPT + 50


async def refuse_websockets(scope: Scope, receive: Receive, send: Send) -> None:
    """An ASGI app that refuses every websocket handshake (403), as a door refuses one."""
    assert scope["type"] == "websocket"
    await receive()  # websocket.connect
    await send({"type": "websocket.close", "code": 1008})


@pytest.mark.parametrize("access_log", [False, True], ids=["default-off", "on"])
async def test_refused_websocket_handshakes_log_nothing_with_the_access_log_off(
    caplog: pytest.LogCaptureFixture, access_log: bool
) -> None:
    # given uvicorn at `serve`'s log level, its access log as the setting says
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])
    config = uvicorn.Config(
        refuse_websockets, lifespan="off", log_level="info", access_log=access_log
    )
    running = uvicorn.Server(config)
    uvicorn_log = logging.getLogger("uvicorn.error")  # configured not to propagate to root
    uvicorn_log.addHandler(caplog.handler)
    with serving.websocket_access_log(config.access_log), caplog.at_level(logging.INFO):
        task = asyncio.create_task(running.serve(sockets=[listener]))
        while not running.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
            await asyncio.sleep(0.05)
        caplog.clear()
        # when a client's handshakes are refused
        for _ in range(3):
            with pytest.raises(InvalidStatus):
                async with connect(f"ws://127.0.0.1:{port}/graphql"):
                    pass
        running.should_exit = True
        await task
    uvicorn_log.removeHandler(caplog.handler)
    # then the refusals wrote no line unless the access log is on
    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.error"]
    handshakes = [line for line in lines if "WebSocket /graphql" in line]
    assert len(handshakes) == (3 if access_log else 0), lines
    assert not access_log or "connection rejected (403 Forbidden)" in lines
