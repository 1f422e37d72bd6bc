"""The Starlette app factory: GraphQL and its explorer, Open311, health and metrics."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from civicgraph.auth import TierMiddleware, door_policy
from civicgraph.client_ip import proxy_middleware
from civicgraph.explorer import Explorer
from civicgraph.live import running_live
from civicgraph.metrics import Metrics, MetricsMiddleware
from civicgraph.settings import Settings
from civicgraph.stores import Stores, open_issuer_keys, open_log, open_seeded
from graph.locate import DistrictLocator
from graph.records.api_keys import Tier
from resolvers.core.context import Context, Limits, TrustSettings
from resolvers.schema import build_schema
from resolvers.services import open311
from resolvers.trust.http import certificate_proof
from subscriptions.fields import LiveSubscription
from subscriptions.ingest.http import ingest_readings
from subscriptions.multiplex import SharedEventExecutor

log = logging.getLogger("civicgraph")


class CivicGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app with our context and our self-hosted explorer."""

    def __init__(self, state: Any, explorer: Explorer) -> None:
        schema = build_schema(LiveSubscription, SharedEventExecutor)
        super().__init__(schema, graphql_ide="graphiql")
        self.state = state
        self.explorer = explorer

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        context: Context = self.state.context_for(request)
        context.response = response
        return context

    async def render_graphql_ide(self, request: Request) -> Response:
        return await self.explorer.page(request)


def create_app(settings: Settings, stores: Stores | None = None) -> Starlette:
    """The whole HTTP surface. With `stores` given, the caller owns them (tests, benchmarks)."""
    limits = Limits(max_page_size=settings.max_page_size, max_window_days=settings.max_window_days)
    explorer = Explorer(settings.node_modules)
    trust = TrustSettings(settings.public_base, settings.qr_max_bytes)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = stores is None
        opened = stores if stores is not None else await open_seeded(settings)
        app.state.stores = opened
        app.state.locator = await DistrictLocator.from_store(opened.graph)
        try:
            app.state.log = await open_log(settings, opened.records)
            app.state.issuer_keys = await open_issuer_keys(settings, opened.records)
            async with running_live(settings, opened) as live:
                app.state.live = live
                yield
        finally:
            if owned:
                await opened.close()

    def context_for(request: Request | WebSocket) -> Context:
        opened: Stores = app.state.stores
        tier = request.scope.get("state", {}).get("tier", Tier.PUBLIC)
        return Context(
            opened.graph,
            opened.records,
            tier,
            limits,
            app.state.locator,
            request,
            live=app.state.live,
            log=app.state.log,
            trust=trust,
            issuer_keys=app.state.issuer_keys,
        )

    async def healthz(request: Request) -> JSONResponse:
        opened: Stores = app.state.stores
        counts = await opened.graph.count_by_label()
        return JSONResponse({"status": "ok", "graph": opened.graph.backend, "nodes": counts})

    metrics = Metrics(
        lambda: app.state.stores.calls() if hasattr(app.state, "stores") else {},
        lambda: getattr(app.state, "live", None),
    )
    graphql = CivicGraphQL(None, explorer)
    door = door_policy(settings)
    app = Starlette(
        routes=[
            Route(
                "/",
                lambda r: JSONResponse(
                    {"graphql": "/graphql", "open311": "/open311/v2/services.json"}
                ),
            ),
            Route("/healthz", healthz),
            Route("/metrics", metrics.endpoint),
            Route("/explorer/assets/{name}", explorer.asset),
            Mount("/open311/v2", routes=open311.routes),
            Route("/ingest/readings", ingest_readings, methods=["POST"]),
            Route("/certificates/{cert_id}/proof", certificate_proof),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
        ],
        middleware=[
            *proxy_middleware(settings.trusted_proxies),
            Middleware(MetricsMiddleware, metrics=metrics),
            Middleware(TierMiddleware, policy=door),
        ],
        lifespan=lifespan,
    )
    app.state.context_for = context_for
    app.state.door = door
    graphql.state = app.state
    return app
