"""Counting API usage off the request path: each call adds to a bounded counter in memory, and a
background flush adds the counts to the records (graph/records/api_usage.py) every few seconds.

A call is a `UsageMark`: who (a key's prefix or `public`), through which door, which operation,
which catalogue datasets it touched. `UsageTally.record` files it under its Seoul day in O(1)
per dataset and never waits; `flush` writes what is pending in one transaction, and on a
failure keeps it (bounded) for the next flush. A crash loses at most what the last flush
interval gathered (docs/operations.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graph.city_day import city_day, day_span
from graph.records.api_usage import (
    CALLS,
    MAX_DATASET,
    MAX_OPERATION,
    PUBLIC,
    UsageKey,
    add_usage,
    epoch_day,
)
from graph.records.db import Records

log = logging.getLogger("civicgraph.usage")

ANONYMOUS = "(anonymous)"
"""The operation of a GraphQL call whose operation has no name."""
OTHER = "(other)"
"""The operation of a call whose name is past its client's distinct names of the day."""
DOORS = ("graphql", "websocket", "http")
"""Where a call came in: GraphQL over HTTP, a websocket operation, any other HTTP door."""


@dataclass(frozen=True)
class UsageBounds:
    """How much usage counting may hold, per process."""

    operations_per_client_day: int = 100
    """Distinct operation names kept per client per Seoul day; later new names count as
    OTHER. Each worker keeps its own, so the table holds at most workers × this per day."""
    pending: int = 50_000
    """Distinct (day, client, operation, dataset) counts held between flushes (also while the
    records are down); past it new ones are dropped and counted (`civic_usage_dropped`)."""
    datasets_per_call: int = 100
    """Datasets one call is counted against (a page of the catalogue at most)."""


def operation_label(name: object) -> str:
    """A call's operation as stored: `name` cut to MAX_OPERATION characters, ANONYMOUS for
    None, an empty or a non-string name."""
    if not isinstance(name, str) or not name:
        return ANONYMOUS
    return name[:MAX_OPERATION]


@dataclass
class UsageMark:
    """One call being served: who, through which door and tier, its operation, the datasets
    it touched. Filled by the door and the resolvers, recorded by the tally once answered."""

    client: str = PUBLIC
    tier: str = "public"
    door: str = "http"
    operation: str = ANONYMOUS
    datasets: set[str] = field(default_factory=set)
    max_datasets: int = UsageBounds.datasets_per_call

    def touch(self, dataset_id: str) -> None:
        """Count this call against catalogue dataset `dataset_id` (once however often it is
        touched). Ids longer than MAX_DATASET and datasets past `max_datasets` are ignored."""
        if (len(self.datasets) < self.max_datasets or dataset_id in self.datasets) and 0 < len(
            dataset_id
        ) <= MAX_DATASET:
            self.datasets.add(dataset_id)

    def name(self, operation: object) -> None:
        """Set the operation (see `operation_label`)."""
        self.operation = operation_label(operation)


class UsageTally:
    """A process's usage counts not yet in the records, and its counters for /metrics.

    `record` files a mark; `flush` adds the pending counts to `records`. Counting needs no
    event loop; flushing does.
    """

    def __init__(self, records: Records, bounds: UsageBounds | None = None) -> None:
        self.records = records
        self.bounds = bounds or UsageBounds()
        self._pending: Counter[UsageKey] = Counter()
        self._names: dict[tuple[int, str], set[str]] = {}
        self._flushing = asyncio.Lock()
        self._day, self._day_ends = 0, float("-inf")
        self.calls: Counter[tuple[str, str]] = Counter()
        """Calls recorded, by (tier, door): `civic_api_calls_total`."""
        self.dataset_calls = 0
        """Dataset touches recorded (a call touching two datasets adds two)."""
        self.flushes: Counter[str] = Counter()
        """Flushes by outcome (ok, failed)."""
        self.dropped = 0
        """Counts dropped because `bounds.pending` was reached."""

    @property
    def pending(self) -> int:
        """Distinct counts waiting for the next flush."""
        return len(self._pending)

    def mark(self, client: str, tier: str, door: str) -> UsageMark:
        """A new mark for a call of `client` at `tier` through `door`."""
        return UsageMark(client, tier, door, max_datasets=self.bounds.datasets_per_call)

    def record(self, mark: UsageMark, at: datetime | None = None) -> None:
        """Count `mark` as one call on the Seoul day of `at` (default now): one for its
        operation, one for each dataset it touched. Never raises, never waits."""
        day = epoch_day(city_day(at)) if at is not None else self._today()
        operation = self._bounded_name(day, mark.client, mark.operation)
        self.calls[(mark.tier, mark.door)] += 1
        self._add(UsageKey(day, mark.client, operation, CALLS))
        for dataset in mark.datasets:
            self.dataset_calls += 1
            self._add(UsageKey(day, mark.client, operation, dataset))

    def _today(self) -> int:
        """Today's Seoul day (days since 1970-01-01), worked out again only when it ends."""
        now = time.time()
        if now >= self._day_ends:
            today = city_day(datetime.now(UTC))
            self._day = epoch_day(today)
            self._day_ends = day_span(today)[1].timestamp()
        return self._day

    def _bounded_name(self, day: int, client: str, operation: str) -> str:
        names = self._names.get((day, client))
        if names is None:
            if len(self._names) >= self.bounds.pending:  # a day's clients, and the day before
                self._names = {k: v for k, v in self._names.items() if k[0] >= day - 1}
            names = self._names[(day, client)] = set()
        if operation in names:
            return operation
        if len(names) >= self.bounds.operations_per_client_day:
            return OTHER
        names.add(operation)
        return operation

    def _add(self, key: UsageKey, calls: int = 1) -> None:
        if key not in self._pending and len(self._pending) >= self.bounds.pending:
            self.dropped += calls
            return
        self._pending[key] += calls

    async def flush(self) -> int:
        """Add the pending counts to the records; returns the rows written. On a failure the
        counts are kept for the next flush (within `bounds.pending`) and the failure logged:
        it never raises for the store."""
        async with self._flushing:
            batch, self._pending = self._pending, Counter()
            if not batch:
                return 0
            try:
                written = await add_usage(self.records, batch)
            except BaseException as error:  # a cancelled flush keeps its counts too
                for key, calls in batch.items():
                    self._add(key, calls)
                if not isinstance(error, Exception):
                    raise
                self.flushes["failed"] += 1
                log.warning("API usage not yet written (%s); kept for the next flush", error)
                return 0
            self.flushes["ok"] += 1
            return written

    async def flush_every(self, seconds: float) -> None:
        """Flush every `seconds` until cancelled. Requires seconds > 0."""
        while True:
            await asyncio.sleep(seconds)
            await self.flush()


@contextlib.asynccontextmanager
async def counting_usage(
    records: Records, every_s: float, bounds: UsageBounds | None = None
) -> AsyncIterator[UsageTally]:
    """A tally flushed every `every_s` seconds for a server's lifetime, and once more when
    the server stops (its lifespan's end)."""
    tally = UsageTally(records, bounds)
    task = asyncio.get_running_loop().create_task(tally.flush_every(every_s), name="api-usage")
    try:
        yield tally
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await tally.flush()


SCOPE_KEY = "usage"
"""Key in an ASGI scope's `state` of the request's `UsageMark` (set by the usage door)."""

SENSOR_DATASETS = {"sdot": "ds-sdot", "water_quality": "ds-water-quality"}
"""The catalogue dataset whose data a sensor kind's readings are (seeds/generator.py links each
sensor to it by MEASURES): what reading a sensor's readings touches."""


def touch(scope: Mapping[str, Any], dataset_id: str) -> None:
    """Count the request of ASGI `scope` (a Starlette `request.scope`) against catalogue
    dataset `dataset_id`: for doors outside GraphQL (downloads, DCAT, CKAN) that serve a
    dataset. Does nothing when usage is not counted (no mark in the scope). Requires a
    `dataset_id` of the catalogue (one the door found), never a caller's text as given: each
    distinct id is a row of the usage table."""
    mark = scope.get("state", {}).get(SCOPE_KEY)
    if isinstance(mark, UsageMark):
        mark.touch(dataset_id)
