"""The Starlette app factory: GraphQL and its explorer, Open311, health and metrics."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from datetime import timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket

from civicgraph.auth import TierMiddleware, door_policy
from civicgraph.client_ip import proxy_middleware
from civicgraph.dashboard_door import DashboardDoor
from civicgraph.dashboard_gate import DashboardGate
from civicgraph.explorer import Explorer
from civicgraph.graphql_door import CivicGraphQL, DoorLimits
from civicgraph.graphql_door.apq_store import CacheBounds, RedisDocuments, document_cache
from civicgraph.graphql_door.check import CHECK_PATH, OperationCheck
from civicgraph.graphql_door.persisted import PersistedDocuments
from civicgraph.graphql_door.seat import connection_seat
from civicgraph.graphql_door.server_send import ServerSendMiddleware
from civicgraph.key_purge import purging_key_requests
from civicgraph.live import running_live
from civicgraph.metrics import Metrics, MetricsMiddleware
from civicgraph.outages import OutageMiddleware
from civicgraph.refusals import client_gone, http_error
from civicgraph.scoring import scheduled_scoring, scoring_run
from civicgraph.settings import Settings
from civicgraph.stores import Stores, open_issuer_keys, open_log, open_seeded
from civicgraph.usage_door import UsageMiddleware
from dashboards.live import Pulse
from dashboards.mount import Dashboards
from dashboards.options import DashboardOptions
from dashboards.sources import Answer
from graph.locate import DistrictLocator
from graph.records.api_key_requests import PendingBounds
from graph.records.api_keys import Tier
from graph.records.persisted_documents import registered_document
from graph.usage import SCOPE_KEY, UsageBounds, UsageMark, counting_usage
from ledger.verification_tally import tallying_verifications
from ml.registry import Registry
from resolvers.core.context import Context, Limits, TrustSettings
from resolvers.core.cost.bounds import measure as measure_list_bounds
from resolvers.core.rounding_key import load_rounding
from resolvers.data.routes import catalogue_routes
from resolvers.services import open311
from resolvers.services.repair import repair_case_writes
from resolvers.trust.http import certificate_proof
from subscriptions.ingest.http import ingest_readings
from subscriptions.log_feed import publishing_appends

log = logging.getLogger("civicgraph")
ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def create_app(
    settings: Settings,
    stores: Stores | None = None,
    subgraph: str | None = None,
    *,
    scoring: bool | None = None,
    key_purge: bool | None = None,
) -> Starlette:
    """The whole HTTP surface. With `stores` given, the caller owns them (tests, benchmarks).

    `key_purge`: purge key requests past their retention (`CIVIC_KEY_PURGE_EVERY_SECONDS`,
    civicgraph/key_purge.py) in the merged server or the data subgraph; default, as scoring:
    only when the app opens its own stores.

    `scoring`: run the models' scheduled scoring (`CIVIC_ML_SCORE_EVERY`, civicgraph/
    scoring.py) in the merged server or the analytics subgraph; default: only when the app
    opens its own stores (`serve`), never on stores a caller lends it unless asked.

    With `subgraph`, the app serves that one subgraph (resolvers/subgraphs.py) at /graphql,
    with /healthz, /metrics and /graphql/check (the merged server's pre-execution checks of a
    whole operation: civicgraph/graphql_door/check.py), for a federation gateway, and the REST
    doors of its domain (services: Open311; sensing: /ingest/readings; trust: certificate
    proofs; data: the DCAT-AP catalogue, the CKAN Action API and the downloads). Raises
    UnknownSubgraph."""
    limits = Limits(
        max_page_size=settings.max_page_size,
        max_window_days=settings.max_window_days,
        cost_budgets=settings.cost_budgets(),
    )
    explorer = Explorer(settings.node_modules)
    trust = TrustSettings(settings.public_base, settings.qr_max_bytes)
    models = Registry(settings.ml_path)  # read on demand: `civicgraph ml train` writes it
    key_requests = PendingBounds(
        settings.key_requests_pending_per_ip, settings.key_requests_pending_max
    )
    purges_key_requests = (key_purge if key_purge is not None else stores is None) and (
        subgraph in (None, "data")
    )
    scores = (scoring if scoring is not None else stores is None) and subgraph in (
        None,
        "analytics",
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = stores is None
        opened = stores if stores is not None else await open_seeded(settings)
        app.state.stores = opened
        app.state.locator = await DistrictLocator.from_store(opened.graph)
        app.state.list_bounds = await measure_list_bounds(opened.graph)
        try:
            if not settings.graph_read_only:  # a killed worker's half-done case writes
                await repair_case_writes(opened.graph, opened.records)
            app.state.log = await open_log(settings, opened.records)
            app.state.issuer_keys = await open_issuer_keys(settings, opened.records)
            app.state.rounding = load_rounding(settings.rounding_key_path)
            async with (
                # a writer that opened its own stores (`serve`) takes read-only workers' writes
                opened.graph.taking_forwarded_writes() if owned else nullcontext(),
                running_live(settings, opened, ingest=subgraph in (None, "sensing")) as live,
                tallying_verifications(opened.records) as checks,
                purging_key_requests(
                    opened.records,
                    timedelta(days=settings.key_contact_retention_days),
                    settings.key_purge_every_seconds if purges_key_requests else 0,
                ),
                usage_counting(opened) as usage,
            ):
                app.state.usage = usage
                app.state.live = live
                app.state.certificate_checks = checks
                app.state.pulse = Pulse(live.bus)  # the dashboards' live topics
                run = scoring_run(opened.records, opened.graph, models, feeds=settings.simulator)
                every = settings.ml_score_every if scores else 0
                try:
                    with publishing_appends(app.state.log, live.bus):  # Stream.LOG
                        async with scheduled_scoring(run, live.bus, every) as schedule:
                            app.state.scoring = schedule
                            yield
                finally:
                    await app.state.pulse.stop()
        finally:
            if owned:
                await opened.close()
            if isinstance(apq_cache, RedisDocuments):
                await apq_cache.close()

    def usage_counting(opened: Stores) -> AbstractAsyncContextManager[Any]:
        """The API usage tally (graph/usage.py), flushed every CIVIC_USAGE_FLUSH_SECONDS and
        when the server stops; nothing when CIVIC_USAGE_COUNTING is off."""
        if not settings.usage_counting:
            return nullcontext(None)
        bounds = UsageBounds(
            operations_per_client_day=settings.usage_operations_per_key_day,
            pending=settings.usage_pending_max,
            datasets_per_call=settings.max_page_size,
        )
        return counting_usage(opened.records, settings.usage_flush_seconds, bounds)

    def context_for(request: Request | WebSocket) -> Context:
        opened: Stores = app.state.stores
        state = request.scope.get("state", {})
        tier = state.get("tier", Tier.PUBLIC)
        caller = state.get("caller")
        return Context(
            opened.graph,
            opened.records,
            tier,
            limits,
            app.state.locator,
            request,
            caller_key=caller.key_prefix if caller is not None else None,
            client_ip=caller.ip if caller is not None else _peer(request),
            key_requests=key_requests,
            keys_changed=door.keys.forget,
            live=app.state.live,
            log=app.state.log,
            trust=trust,
            certificate_checks=app.state.certificate_checks,
            issuer_keys=app.state.issuer_keys,
            rounding=app.state.rounding,
            models=models,
            list_bounds=app.state.list_bounds,
            usage=state.get(SCOPE_KEY) or UsageMark(),
            usage_tally=getattr(app.state, "usage", None),
        )

    async def healthz(request: Request) -> JSONResponse:
        opened: Stores = app.state.stores
        counts = await opened.graph.count_by_label()
        if not request.scope.get("state", {}).get("tier", Tier.PUBLIC).at_least(Tier.ANALYST):
            del counts["Citizen"]  # an exact count of people: analyst tier or above
        return JSONResponse({"status": "ok", "graph": opened.graph.backend, "nodes": counts})

    metrics = Metrics(
        lambda: app.state.stores.calls() if hasattr(app.state, "stores") else {},
        lambda: getattr(app.state, "live", None),
        lambda: getattr(app.state, "usage", None),
    )
    apq_cache = document_cache(
        settings.bus_url,
        CacheBounds(settings.apq_max_entries, settings.apq_max_bytes, settings.apq_ttl_seconds),
    )

    async def registered(sha256: str) -> str | None:
        return await registered_document(app.state.stores.records, sha256)

    graphql = CivicGraphQL(
        None,
        explorer,
        DoorLimits(
            max_body_bytes=settings.graphql_max_body_bytes,
            max_message_bytes=settings.graphql_max_ws_message_bytes,
            max_document_chars=settings.graphql_max_document_chars,
            max_tokens=settings.graphql_max_tokens,
            max_json_depth=settings.graphql_max_json_depth,
            max_response_bytes=settings.graphql_max_response_bytes,
            timeout_seconds=settings.graphql_timeout_seconds,
        ),
        subgraph,
        PersistedDocuments(settings.persisted_documents, apq_cache, registered),
    )

    door = door_policy(settings)

    async def execute(
        connection: HTTPConnection, document: str, variables: dict[str, Any]
    ) -> Answer:
        """A dashboard figure's GraphQL document, run as the viewer (dashboards/sources.py)."""
        result = await graphql.schema.execute(
            document,
            variable_values=variables,
            context_value=context_for(Request(connection.scope)),
        )
        errors = [dict(error.formatted) for error in result.errors or []]
        return Answer(result.data, errors)

    async def live_dashboard(websocket: WebSocket) -> None:
        await app.state.pulse.serve(websocket)

    dashboard_options = DashboardOptions(
        tile_url=settings.dashboard_tile_url,
        tile_attribution=settings.dashboard_tile_attribution,
        node_modules=settings.node_modules,
    )

    def dashboard_changes() -> int:
        pulse = getattr(app.state, "pulse", None)
        return pulse.version if pulse is not None else 0

    dashboards = (
        Dashboards(execute, dashboard_options, dashboard_changes) if subgraph is None else None
    )
    dashboard_door = DashboardDoor(door, door.sessions) if door.sessions else None
    dashboard_routes = (
        [
            # every method: the door answers 405 in the dashboards' format itself
            Route("/dashboard/session", dashboard_door.sign_in, methods=ANY_METHOD),
            Route("/dashboard/session/end", dashboard_door.sign_out, methods=ANY_METHOD),
            WebSocketRoute("/dashboard/live", live_dashboard),
            Mount("/dashboard", app=DashboardGate(dashboards)),
        ]
        if dashboards is not None and dashboard_door is not None
        else []
    )
    # a gateway asks it once per client operation before planning (docs/federation.md)
    subgraph_only = (
        [
            Route(CHECK_PATH, OperationCheck(graphql, graphql.limits)),
            WebSocketRoute(CHECK_PATH, connection_seat),
        ]
        if subgraph is not None
        else []
    )
    rest_doors: dict[str, list[BaseRoute]] = {
        "services": [Mount("/open311/v2", routes=open311.routes)],
        "sensing": [Route("/ingest/readings", ingest_readings, methods=["POST"])],
        "trust": [Route("/certificates/{cert_id}/proof", certificate_proof)],
        "data": catalogue_routes(),
    }
    """The REST doors, each served by the subgraph of the domain that owns its data."""
    serves_open311 = subgraph in (None, "services")
    serves_catalogue = subgraph in (None, "data")
    app = Starlette(
        routes=[
            Route(
                "/",
                lambda r: JSONResponse(
                    {"graphql": "/graphql"}
                    | ({"open311": "/open311/v2/services.json"} if serves_open311 else {})
                    | (
                        {"dcat": "/catalog.jsonld", "ckan": "/api/3/action/package_list"}
                        if serves_catalogue
                        else {}
                    )
                ),
            ),
            Route("/healthz", healthz),
            Route("/metrics", metrics.endpoint),
            Route("/explorer/assets/{name}", explorer.asset),
            *(
                route
                for owner, routes in rest_doors.items()
                if subgraph in (None, owner)
                for route in routes
            ),
            *subgraph_only,
            *dashboard_routes,
            Route("/graphql", graphql),  # every method: the view answers 405 itself
            WebSocketRoute("/graphql", graphql),
        ],
        middleware=[
            Middleware(ServerSendMiddleware),  # shared feeds' frames skip the chain below
            *proxy_middleware(settings.trusted_proxies),
            Middleware(MetricsMiddleware, metrics=metrics),
            Middleware(OutageMiddleware),  # a store lost mid-request: 503 / close 1013
            Middleware(TierMiddleware, policy=door),
            *(
                [
                    Middleware(
                        UsageMiddleware,
                        unmetered=door.unmetered,
                        unmetered_prefixes=door.unmetered_prefixes,
                    )
                ]
                if settings.usage_counting
                else []
            ),
        ],
        lifespan=lifespan,
        exception_handlers={HTTPException: http_error, ClientDisconnect: client_gone},
    )
    app.state.shared_feeds = graphql.shared_feeds  # the groups of live subscribers
    app.state.context_for = context_for
    app.state.dashboards = dashboards
    app.state.door = door
    graphql.state = app.state
    return app


def _peer(connection: HTTPConnection) -> str | None:
    """The peer address of a request the door did not see (a dashboard figure's)."""
    return connection.client.host if connection.client is not None else None
