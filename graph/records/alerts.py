"""Alerts as facts: each change of a sensor's alert level is one row, its id the stream's id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph.records.db import Records, as_datetime

ALERT_COLUMNS = (
    "sensor_id",
    "district_code",
    "data_type",
    "severity",
    "state",
    "value",
    "threshold",
    "rule",
    "at",
)


@dataclass(frozen=True)
class AlertRow:
    sensor_id: str
    district_code: str
    data_type: str
    severity: str
    state: str
    value: float
    threshold: float
    rule: str
    at: datetime
    id: int = 0

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AlertRow:
        values = {name: row[name] for name in ALERT_COLUMNS}
        values["at"] = as_datetime(row["at"])
        return cls(**values, id=int(row["id"]))

    def values(self) -> list[Any]:
        return [getattr(self, name) for name in ALERT_COLUMNS]


async def insert_alerts(records: Records, alerts: Sequence[AlertRow]) -> list[AlertRow]:
    """Store alerts in one transaction; returns them with their ids, in order."""
    marks = ", ".join(records.placeholders(len(ALERT_COLUMNS)))
    sql = f"INSERT INTO alert ({', '.join(ALERT_COLUMNS)}) VALUES ({marks}) RETURNING id"
    stored = []
    async with records.transaction() as client:
        for alert in alerts:
            rows = await client.execute_query_dict(sql, alert.values())
            stored.append(
                AlertRow(**{n: getattr(alert, n) for n in ALERT_COLUMNS}, id=int(rows[0]["id"]))
            )
    return stored


async def alerts_after(
    records: Records, after: int, *, districts: Sequence[str] | None, limit: int
) -> list[AlertRow]:
    """Alerts with an id above `after` (in `districts`, if given), oldest first, at most `limit`."""
    where_in = ("district_code", districts) if districts else None
    rows = await records.rows_after("alert", ALERT_COLUMNS, after, limit=limit, where_in=where_in)
    return [AlertRow.from_row(row) for row in rows]


async def current_levels(records: Records) -> list[AlertRow]:
    """The latest alert of every (sensor, data type) that has one: where hysteresis resumes."""
    rows = await records.query(
        f"SELECT a.id, {', '.join('a.' + c for c in ALERT_COLUMNS)} FROM alert a JOIN ("
        "SELECT max(id) AS m FROM alert GROUP BY sensor_id, data_type) l ON a.id = l.m"
    )
    return [AlertRow.from_row(row) for row in rows]


CLEARED = "cleared"
"""The state of an alert row that ends its (sensor, data type)'s alert."""


def _district_clause(records: Records, district: str | None, start: int) -> tuple[str, list[Any]]:
    if district is None:
        return "", []
    return f" AND district_code = {records.placeholders(1, start=start)[0]}", [district]


async def active_alert_counts(records: Records, district: str | None) -> dict[tuple[str, str], int]:
    """Active alerts (the latest row of a (sensor, data type) not cleared), in `district` if
    given, counted per (severity, data type). One query."""
    where, params = _district_clause(records, district, 1)
    rows = await records.query(
        "SELECT a.severity, a.data_type, count(*) AS n FROM alert a JOIN ("
        f"SELECT max(id) AS m FROM alert WHERE 1 = 1{where} GROUP BY sensor_id, data_type) l "
        f"ON a.id = l.m WHERE a.state <> '{CLEARED}' GROUP BY a.severity, a.data_type",
        params,
    )
    return {(row["severity"], row["data_type"]): int(row["n"]) for row in rows}


async def count_in_state_since(
    records: Records, state: str, since: datetime, district: str | None
) -> int:
    """Alert rows in `state` (e.g. raised) at or after `since`, in `district` if given."""
    mark = records.placeholders(2)
    where, params = _district_clause(records, district, 3)
    rows = await records.query(
        f"SELECT count(*) AS n FROM alert WHERE state = {mark[0]} AND at >= {mark[1]}{where}",
        [state, since, *params],
    )
    return int(rows[0]["n"])


async def newest_alerts(
    records: Records, *, district: str | None, active_only: bool, limit: int
) -> list[AlertRow]:
    """At most `limit` alert rows, newest (highest id) first, in `district` if given; with
    `active_only`, only the latest row of each (sensor, data type) that is not cleared."""
    where, params = _district_clause(records, district, 1)
    columns = ", ".join("a." + c for c in ALERT_COLUMNS)
    if active_only:
        sql = (
            f"SELECT a.id, {columns} FROM alert a JOIN (SELECT max(id) AS m FROM alert "
            f"WHERE 1 = 1{where} GROUP BY sensor_id, data_type) l ON a.id = l.m "
            f"WHERE a.state <> '{CLEARED}'"
        )
    else:
        sql = f"SELECT a.id, {columns} FROM alert a WHERE 1 = 1{where}"
    sql += f" ORDER BY a.id DESC LIMIT {int(limit)}"
    return [AlertRow.from_row(row) for row in await records.query(sql, params)]
