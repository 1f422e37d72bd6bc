"""The sensing domain's subscription fields: `sensorReadings` and `alerts`."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

import strawberry

from graph.ontology import DATA_TYPE_UNITS
from graph.records.alerts import AlertRow
from graph.records.readings import from_epoch
from resolvers.core.feeds import event_after, feed, feed_district
from resolvers.core.info import Info
from resolvers.sensing.types import DataType, Measurement, SensorKind
from subscriptions.events import Event, Stream


@strawberry.type(description="A sensor's reading, as it arrives.")
class SensorReadingEvent:
    SHARED_WITH_EVERY_SUBSCRIBER: ClassVar[bool] = True
    """No field depends on who asks: one execution answers every subscriber."""

    id: strawberry.ID = strawberry.field(description="Resume after this id with `after`.")
    sensor_id: strawberry.ID
    district_code: str
    sensor_kind: SensorKind
    measured_at: datetime
    values: list[Measurement]

    @classmethod
    def from_event(cls, event: Event, data_type: DataType | None) -> SensorReadingEvent:
        data = event.data
        values = data["values"]
        shown = [data_type.value] if data_type else list(values)
        return cls(
            id=strawberry.ID(str(event.id)),
            sensor_id=strawberry.ID(data["sensor_id"]),
            district_code=data["district_code"],
            sensor_kind=SensorKind(data["sensor_kind"]),
            measured_at=from_epoch(int(data["measured_at"])),
            values=[
                Measurement(data_type=DataType(t), value=values[t], unit=DATA_TYPE_UNITS[t])
                for t in shown
                if t in values
            ],
        )


@strawberry.enum
class AlertSeverity(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


@strawberry.enum
class AlertState(StrEnum):
    RAISED = "raised"
    ESCALATED = "escalated"
    EASED = "eased"
    CLEARED = "cleared"


@strawberry.type(description="A sensor crossing an alert band (CAI for dust, night noise).")
class AlertEvent:
    SHARED_WITH_EVERY_SUBSCRIBER: ClassVar[bool] = True
    """No field depends on who asks: one execution answers every subscriber."""

    id: strawberry.ID
    sensor_id: strawberry.ID
    district_code: str
    data_type: DataType
    severity: AlertSeverity
    state: AlertState
    value: float
    threshold: float
    rule: str
    at: datetime

    @classmethod
    def from_event(cls, event: Event) -> AlertEvent:
        data = event.data
        return cls(
            id=strawberry.ID(str(event.id)),
            sensor_id=strawberry.ID(data["sensor_id"]),
            district_code=data["district_code"],
            data_type=DataType(data["data_type"]),
            severity=AlertSeverity(data["severity"]),
            state=AlertState(data["state"]),
            value=data["value"],
            threshold=data["threshold"],
            rule=data["rule"],
            at=datetime.fromisoformat(data["at"]),
        )

    @classmethod
    def from_row(cls, row: AlertRow) -> AlertEvent:
        """The alert as the records hold it (`alerts` query): the same fields, the same id."""
        return cls(
            id=strawberry.ID(str(row.id)),
            sensor_id=strawberry.ID(row.sensor_id),
            district_code=row.district_code,
            data_type=DataType(row.data_type),
            severity=AlertSeverity(row.severity),
            state=AlertState(row.state),
            value=row.value,
            threshold=row.threshold,
            rule=row.rule,
            at=row.at,
        )


@strawberry.type(name="Subscription")
class SensingSubscription:
    @strawberry.subscription(description="Readings as sensors send them, filtered server-side.")
    async def sensor_readings(
        self,
        info: Info,
        district: str | None = None,
        sensor_kind: SensorKind | None = None,
        data_type: DataType | None = None,
        after: strawberry.ID | None = None,
    ) -> AsyncGenerator[SensorReadingEvent, None]:
        gu, resume = await feed_district(info, district), event_after(after)

        def accepts(event: Event) -> bool:
            data = event.data
            if sensor_kind is not None and data["sensor_kind"] != sensor_kind.value:
                return False
            return data_type is None or data_type.value in data["values"]

        async for event in feed(info, Stream.READINGS, gu, accepts, resume):
            yield SensorReadingEvent.from_event(event, data_type)

    @strawberry.subscription(description="Alerts raised, escalated, eased and cleared.")
    async def alerts(
        self,
        info: Info,
        district: str | None = None,
        severity: list[AlertSeverity] | None = None,
        after: strawberry.ID | None = None,
    ) -> AsyncGenerator[AlertEvent, None]:
        gu, resume = await feed_district(info, district), event_after(after)
        wanted = {s.value for s in severity} if severity else None

        def accepts(event: Event) -> bool:
            return wanted is None or event.data["severity"] in wanted

        async for event in feed(info, Stream.ALERTS, gu, accepts, resume):
            yield AlertEvent.from_event(event)
