"""The one way readings come in: check, store, publish, then raise alerts.

Every source (simulator, MQTT, HTTP) hands readings to `Ingest.accept`. A reading is checked
against what the graph knows (the sensor exists and measures those types) and what is
physically possible, and measured inside the plausible window (`window.py`); a bad one is
counted and refused with its code and reason, never stored. Good ones are stored in one
transaction, then published on the bus with their record ids; alert rules run over the live
ones (late readings are history only) and their changes are stored and published too.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graph.ontology import DATA_TYPE_RANGES
from graph.records import Records
from graph.records.alerts import current_levels, insert_alerts
from graph.records.readings import COLUMNS, epoch, insert_readings
from subscriptions.alerts import AlertTracker, Observation
from subscriptions.bus import EventBus
from subscriptions.directory import SensorDirectory, SensorInfo
from subscriptions.events import Event
from subscriptions.ingest.payloads import ReadingIn
from subscriptions.ingest.window import ReadingWindow, RefusalCode
from subscriptions.streams import alert_event, reading_event


@dataclass(frozen=True)
class Rejection:
    index: int
    sensor_id: str
    reason: str
    code: RefusalCode = RefusalCode.MALFORMED


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    alerts: list[Event] = field(default_factory=list)


@dataclass
class Checked:
    index: int
    reading: ReadingIn
    sensor: SensorInfo
    row: list[Any]


class Ingest:
    def __init__(
        self,
        records: Records,
        directory: SensorDirectory,
        bus: EventBus,
        tracker: AlertTracker,
        window: ReadingWindow | None = None,
    ) -> None:
        self.records = records
        self.directory = directory
        self.bus = bus
        self.tracker = tracker
        self.window = window or ReadingWindow()
        self.counts: collections.Counter[tuple[str, str]] = collections.Counter()
        """(source, outcome) -> readings; outcome is accepted, duplicate or a refusal reason."""

    @classmethod
    async def start(
        cls,
        records: Records,
        directory: SensorDirectory,
        bus: EventBus,
        window: ReadingWindow | None = None,
    ) -> Ingest:
        tracker = AlertTracker()
        tracker.restore(await current_levels(records))
        return cls(records, directory, bus, tracker, window)

    async def check(self, index: int, reading: ReadingIn, now: datetime) -> Checked | Rejection:
        sensor = await self.directory.get(reading.sensor_id)
        if sensor is None:
            return Rejection(index, reading.sensor_id, "unknown sensor", RefusalCode.UNKNOWN_SENSOR)
        refused = self.window.refusal(reading.measured_at, now)
        if refused is not None:
            return Rejection(index, reading.sensor_id, refused[1], refused[0])
        for data_type, value in reading.values.items():
            if data_type not in sensor.data_types:
                return Rejection(
                    index,
                    reading.sensor_id,
                    f"{sensor.kind} sensors do not measure {data_type!r}",
                    RefusalCode.NOT_MEASURED,
                )
            low, high = DATA_TYPE_RANGES[data_type]
            if not low <= value <= high:
                return Rejection(
                    index,
                    reading.sensor_id,
                    f"{data_type} {value} is outside {low}..{high}",
                    RefusalCode.OUT_OF_RANGE,
                )
        fields = {"sensor_id": sensor.id, "measured_at": epoch(reading.measured_at)}
        fields |= reading.values
        return Checked(index, reading, sensor, [fields.get(c) for c in COLUMNS])

    async def accept(
        self, readings: list[ReadingIn], source: str, *, all_or_nothing: bool = True
    ) -> IngestResult:
        """Store and publish `readings`. With `all_or_nothing`, one bad reading refuses all."""
        now = datetime.now(UTC)
        result = IngestResult()
        good: list[Checked] = []
        seen: set[tuple[str, int]] = set()
        for index, reading in enumerate(readings):
            checked = await self.check(index, reading, now)
            if isinstance(checked, Checked):
                key = (checked.sensor.id, checked.row[1])
                if key in seen:
                    checked = Rejection(
                        index,
                        reading.sensor_id,
                        "the same sensor and time twice",
                        RefusalCode.REPEATED,
                    )
                seen.add(key)
            if isinstance(checked, Rejection):
                result.rejected.append(checked)
            else:
                good.append(checked)
        self.counts[(source, "refused")] += len(result.rejected)
        if result.rejected and all_or_nothing:
            return result
        stored = await self._already_stored([c.row for c in good])
        fresh = [c for c in good if (c.row[0], c.row[1]) not in stored]
        result.duplicates = len(good) - len(fresh)
        self.counts[(source, "duplicate")] += result.duplicates
        if not fresh:
            return result
        ids = await insert_readings(self.records, [c.row for c in fresh])
        result.accepted = len(fresh)
        self.counts[(source, "accepted")] += len(fresh)
        result.events = [reading_event(k, c.row, c.sensor) for k, c in zip(ids, fresh, strict=True)]
        await self.bus.publish(result.events)
        changes = [
            change
            for c in fresh
            if self.window.is_live(c.reading.measured_at, now)
            for change in self.tracker.observe(
                Observation(
                    c.sensor.id, c.sensor.district_code, c.reading.measured_at, c.reading.values
                )
            )
        ]
        if changes:
            result.alerts = [alert_event(a) for a in await insert_alerts(self.records, changes)]
            await self.bus.publish(result.alerts)
        return result

    async def _already_stored(self, rows: list[list[Any]]) -> set[tuple[str, int]]:
        """Which (sensor, time) pairs the records hold already: a retried batch is not an error."""
        if not rows:
            return set()
        pairs = ", ".join(
            f"({a}, {b})"
            for a, b in zip(*[iter(self.records.placeholders(2 * len(rows)))] * 2, strict=True)
        )
        params = [value for row in rows for value in (row[0], row[1])]
        sql = (
            "SELECT sensor_id, measured_at FROM reading "
            f"WHERE (sensor_id, measured_at) IN ({pairs})"
        )
        found = await self.records.query(sql, params)
        return {(r["sensor_id"], int(r["measured_at"])) for r in found}
