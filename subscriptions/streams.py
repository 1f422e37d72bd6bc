"""What each stream's events say, built the same way live and when replayed from the records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph.records import Records
from graph.records.alerts import AlertRow, alerts_after
from graph.records.case_events import CaseEventRow, events_after
from graph.records.log_tree import LeafNotice, current_head, leaves_after
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


def log_event(leaf: LeafNotice) -> Event:
    """A leaf of the verifiable log as a log event: its index is the event id, `tree_size`
    the size of the signed head its append published. Log events name no gu."""
    return Event(
        Stream.LOG,
        leaf.leaf_index,
        {"kind": leaf.kind, "subject": leaf.subject, "tree_size": leaf.tree_size},
    )


TABLES = {Stream.READINGS: "reading", Stream.CASES: "case_event", Stream.ALERTS: "alert"}
"""The records table each replayable stream's events are rows of (the row id is the event id).
The log stream replays from the log's own leaves (their index is the event id)."""


@dataclass(frozen=True)
class ReplayPage:
    """Events read from one page of rows, and the id to read the next page after (None when
    the page was the last: fewer rows than asked)."""

    events: list[Event]
    next_after: int | None


def _where_in(
    directory: SensorDirectory, stream: Stream, district: str | None
) -> tuple[str, Sequence[str]] | None:
    if not district:
        return None
    if stream is Stream.READINGS:
        return ("sensor_id", directory.ids(district=district))
    return ("district_code", [district])


async def replay_exceeds(
    records: Records,
    directory: SensorDirectory,
    stream: Stream,
    after: int,
    *,
    district: str | None,
    window: int,
) -> bool:
    """True when `stream` (of one gu, if given) has more than `window` events above `after`:
    one query over ids (at most `window + 1` of them), no event is loaded or built."""
    if stream is Stream.LOG:
        if district:
            return False  # log events name no gu: a gu's replay is empty
        head = await current_head(records)
        return head is not None and head.tree_size - 1 - after > window
    if stream not in TABLES:
        return False
    where_in = _where_in(directory, stream, district)
    return await records.has_more_than(TABLES[stream], after, window, where_in=where_in)


async def replay_page(
    records: Records,
    directory: SensorDirectory,
    stream: Stream,
    after: int,
    *,
    district: str | None,
    limit: int,
) -> ReplayPage:
    """Events of `stream` (of one gu, if given) with ids above `after`, from at most `limit`
    rows, oldest first. Requires limit >= 1."""
    districts = [district] if district else None
    if stream is Stream.POLLS:
        return ReplayPage([], None)  # `pollTally` starts from the current tally
    if stream is Stream.ANOMALIES:
        return ReplayPage([], None)  # live only: `predictions` holds the current windows
    if stream is Stream.LOG:
        if district:
            return ReplayPage([], None)  # log events name no gu
        leaves = await leaves_after(records, after, limit)
        return _page([log_event(leaf) for leaf in leaves], [x.leaf_index for x in leaves], limit)
    if stream is Stream.CASES:
        cases = await events_after(records, after, districts=districts, limit=limit)
        return _page([case_event(r) for r in cases], [r.id for r in cases], limit)
    if stream is Stream.ALERTS:
        alerts = await alerts_after(records, after, districts=districts, limit=limit)
        return _page([alert_event(r) for r in alerts], [r.id for r in alerts], limit)
    if stream is not Stream.READINGS:
        raise ValueError(f"no replay for the {stream.value} stream")
    sensors = directory.ids(district=district) if district else None
    rows = await readings_after(records, after, sensor_ids=sensors, limit=limit)
    events = []
    for row in rows:
        sensor = await directory.get(row["sensor_id"])
        if sensor is not None:
            events.append(reading_event(int(row["id"]), row, sensor))
    return _page(events, [int(row["id"]) for row in rows], limit)


def _page(events: list[Event], row_ids: list[int], limit: int) -> ReplayPage:
    return ReplayPage(events, row_ids[-1] if len(row_ids) >= limit else None)


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
    page = await replay_page(records, directory, stream, after, district=district, limit=limit)
    return page.events


def measured_at(event: Event) -> str:
    return from_epoch(int(event.data["measured_at"])).isoformat()
