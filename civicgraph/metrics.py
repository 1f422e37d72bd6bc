"""`/metrics` in the Prometheus text format: requests, errors, latency and store calls."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.usage import UsageTally
from subscriptions.live import Live


class StoreCallCollector(Collector):
    """Reads the call counters the stores keep, at scrape time."""

    def __init__(self, counts: Callable[[], dict[str, int]]) -> None:
        self.counts = counts

    def collect(self) -> Iterable[CounterMetricFamily]:
        family = CounterMetricFamily(
            "civic_store_calls", "Queries sent to a store's driver", labels=["store"]
        )
        for store, value in self.counts().items():
            family.add_metric([store], value)
        yield family


class LiveCollector(Collector):
    """Ingest outcomes, subscribers and cut-off subscribers, read from the live side."""

    def __init__(self, live: Callable[[], Live | None]) -> None:
        self.live = live

    def collect(self) -> Iterable[CounterMetricFamily | GaugeMetricFamily]:
        live = self.live()
        readings = CounterMetricFamily(
            "civic_ingest_readings", "Readings by source and outcome", labels=["source", "outcome"]
        )
        subscribers = GaugeMetricFamily("civic_subscribers", "Live subscriptions in this process")
        too_slow = CounterMetricFamily("civic_subscribers_too_slow", "Subscribers cut off")
        shared = GaugeMetricFamily(
            "civic_shared_streams", "Streams executed once for a group of subscribers"
        )
        if live is not None:
            for (source, outcome), value in sorted(live.ingest.counts.items()):
                readings.add_metric([source, outcome], value)
            subscribers.add_metric([], live.subscribers())
            too_slow.add_metric([], live.too_slow)
            shared.add_metric([], live.shared_streams)
        yield readings
        yield subscribers
        yield too_slow
        yield shared


class UsageCollector(Collector):
    """API calls counted by the usage tally (graph/usage.py), read at scrape time.

    Labels are bounded: `tier` (4 values) and `door` (graphql, websocket, http). Keys and
    operation names are never labels: keys grow with the developers, names are chosen by the
    callers, and each label value is a time series Prometheus keeps; per key and operation
    figures are `apiUsage`'s."""

    def __init__(self, tally: Callable[[], UsageTally | None]) -> None:
        self.tally = tally

    def collect(self) -> Iterable[CounterMetricFamily | GaugeMetricFamily]:
        tally = self.tally()
        calls = CounterMetricFamily(
            "civic_api_calls", "API calls counted for usage", labels=["tier", "door"]
        )
        touches = CounterMetricFamily(
            "civic_api_dataset_touches", "Catalogue datasets touched by API calls"
        )
        flushes = CounterMetricFamily(
            "civic_usage_flushes", "Usage flushes to the records", labels=["outcome"]
        )
        pending = GaugeMetricFamily("civic_usage_pending", "Usage counts waiting for a flush")
        dropped = CounterMetricFamily(
            "civic_usage_dropped", "Usage counts dropped: the pending bound was reached"
        )
        if tally is not None:
            for (tier, door), value in sorted(tally.calls.items()):
                calls.add_metric([tier, door], value)
            touches.add_metric([], tally.dataset_calls)
            for outcome in ("ok", "failed"):
                flushes.add_metric([outcome], tally.flushes[outcome])
            pending.add_metric([], tally.pending)
            dropped.add_metric([], tally.dropped)
        yield from (calls, touches, flushes, pending, dropped)


class Metrics:
    def __init__(
        self,
        store_calls: Callable[[], dict[str, int]],
        live: Callable[[], Live | None],
        usage: Callable[[], UsageTally | None] = lambda: None,
    ) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "civic_http_requests",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.errors = Counter(
            "civic_http_errors",
            "HTTP responses with status >= 400",
            ["route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "civic_http_request_seconds",
            "Request latency",
            ["route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.registry.register(StoreCallCollector(store_calls))
        self.registry.register(LiveCollector(live))
        self.registry.register(UsageCollector(usage))

    async def endpoint(self, request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


ROUTE_NAMES_KEPT = 1024
"""Paths whose route template a MetricsMiddleware remembers (the first ones seen)."""


def route_name(scope: Scope) -> str:
    """The route template (e.g. /open311/v2/requests/{request_id}.json), never the raw path."""
    app = scope.get("app")
    router = getattr(app, "router", None)
    for route in getattr(router, "routes", []):
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(getattr(route, "path", "other"))
    return "unmatched"


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.route_names: dict[tuple[str, str, str], str] = {}

    def route_of(self, scope: Scope) -> str:
        """`route_name`, remembered per (method, root path, path) for ROUTE_NAMES_KEPT paths:
        the routes never change, and matching each one took a tenth of a refusal's CPU."""
        key = (scope["method"], scope.get("root_path", ""), scope["path"])
        known = self.route_names.get(key)
        if known is None:
            known = route_name(scope)
            if len(self.route_names) < ROUTE_NAMES_KEPT:
                self.route_names[key] = known
        return known

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        # Before the app runs: a Mount rewrites scope["root_path"] on its way in, after which
        # the template no longer matches the scope (every Open311 request was "unmatched").
        route = self.route_of(scope)

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - started)
            if status >= 400:
                self.metrics.errors.labels(route, str(status)).inc()
