"""What each stream's events say, built the same way live and when replayed from the records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.records import Records
from graph.records.alerts import AlertRow, alerts_after
from graph.records.case_events import CaseEventRow, events_after
from graph.records.readings import COLUMNS, DATA_TYPES, from_epoch, readings_after
from subscriptions.directory import SensorDirectory, SensorInfo
from subscriptions.events import Event, Stream


def reading_event(key: int, row: Sequence[Any] | dict[str, Any], sensor: SensorInfo) -> Event:
    """A stored reading row (shaped like `COLUMNS`, or a dict of them) as a readings event."""
    values = row if isinstance(row, dict) else dict(zip(COLUMNS, row, strict=True))
    return Event(
        Stream.READINGS,
        key,
        {
            "sensor_id": sensor.id,
            "district_code": sensor.district_code,
            "sensor_kind": sensor.kind,
            "measured_at": int(values["measured_at"]),
            "values": {t: values[t] for t in DATA_TYPES if values.get(t) is not None},
        },
    )


def case_event(row: CaseEventRow) -> Event:
    return Event(
        Stream.CASES,
        row.id,
        {
            "case_id": row.case_id,
            "district_code": row.district_code,
            "kind": row.kind,
            "status": row.status,
            "note": row.note,
            "department": row.department,
            "at": row.at.isoformat(),
        },
    )


def alert_event(row: AlertRow) -> Event:
    return Event(
        Stream.ALERTS,
        row.id,
        {
            "sensor_id": row.sensor_id,
            "district_code": row.district_code,
            "data_type": row.data_type,
            "severity": row.severity,
            "state": row.state,
            "value": row.value,
            "threshold": row.threshold,
            "rule": row.rule,
            "at": row.at.isoformat(),
        },
    )


async def replay(
    records: Records,
    directory: SensorDirectory,
    stream: Stream,
    after: int,
    *,
    district: str | None,
    limit: int,
) -> list[Event]:
    """Events of `stream` (of one gu, if given) with ids above `after`, at most `limit`."""
    districts = [district] if district else None
    if stream is Stream.POLLS:
        return []  # `pollTally` starts from the current tally: there is nothing to resume
    if stream is Stream.CASES:
        return [
            case_event(r)
            for r in await events_after(records, after, districts=districts, limit=limit)
        ]
    if stream is Stream.ALERTS:
        return [
            alert_event(r)
            for r in await alerts_after(records, after, districts=districts, limit=limit)
        ]
    sensors = directory.ids(district=district) if district else None
    events = []
    for row in await readings_after(records, after, sensor_ids=sensors, limit=limit):
        sensor = await directory.get(row["sensor_id"])
        if sensor is not None:
            events.append(reading_event(int(row["id"]), row, sensor))
    return events


def measured_at(event: Event) -> str:
    return from_epoch(int(event.data["measured_at"])).isoformat()
