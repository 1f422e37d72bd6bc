"""The anomalies stream's events: each alarm row a scoring run of the models wrote.

A scoring run (ml/scoring, run by `civicgraph ml score` or the server's schedule) returns the
alarms of each model's newest window; whoever ran it publishes them here, on the bus, so that
every worker's `anomalies` subscribers receive them. The stream is live only: its events are
numbered by the publisher, not by a records row, and there is no `after` to resume from (a
client that reconnects reads the current windows with the `predictions` query).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict

from graph.records.predictions import PredictionRow
from subscriptions.bus import EventBus
from subscriptions.events import Event, Stream


def anomaly_events(rows: Sequence[PredictionRow], first_id: int | None = None) -> list[Event]:
    """One ANOMALIES event per row (its fields as `data`, `district_code` routing it to a gu's
    subscribers), with ids increasing from `first_id` (default: the time in microseconds, so
    that the ids of successive runs increase too)."""
    start = time.time_ns() // 1000 if first_id is None else first_id
    return [Event(Stream.ANOMALIES, start + n, asdict(row)) for n, row in enumerate(rows)]


def anomaly_row(event: Event) -> PredictionRow:
    """The prediction row an ANOMALIES event carries."""
    return PredictionRow(**event.data)


async def publish_anomalies(bus: EventBus, rows: Sequence[PredictionRow]) -> int:
    """Publish the alarm rows in `rows` (rows without `alarm` are left out) as one batch;
    returns how many were published."""
    alarms = [row for row in rows if row.alarm]
    if alarms:
        await bus.publish(anomaly_events(alarms))
    return len(alarms)
