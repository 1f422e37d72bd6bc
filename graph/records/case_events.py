"""Case events: every change to a case (received, assigned, status changed) as a fact in time.

Their ids are the `id`s of the live `caseUpdates` stream.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from graph.records.db import Records, as_datetime

EVENT_COLUMNS = (
    "case_id",
    "district_code",
    "kind",
    "status",
    "note",
    "department",
    "actor",
    "at",
)


@dataclass(frozen=True)
class CaseEventRow:
    id: int
    case_id: str
    district_code: str
    kind: str
    status: str
    note: str
    department: str
    actor: str
    at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> CaseEventRow:
        values = {name: row[name] for name in EVENT_COLUMNS}
        values["at"] = as_datetime(row["at"])
        return cls(id=int(row["id"]), **values)


async def insert_events(records: Records, rows: list[list[Any]]) -> None:
    """Bulk insert rows shaped like EVENT_COLUMNS (`at` an aware datetime)."""
    marks = ", ".join(records.placeholders(len(EVENT_COLUMNS)))
    sql = f"INSERT INTO case_event ({', '.join(EVENT_COLUMNS)}) VALUES ({marks})"
    await records.execute_many(sql, rows)


async def record_event(
    records: Records,
    case_id: str,
    kind: str,
    status: str,
    at: datetime,
    *,
    district_code: str,
    note: str = "",
    department: str = "",
    actor: str = "",
) -> CaseEventRow:
    """Store one event and return it with its id."""
    row = CaseEventRow(0, case_id, district_code, kind, status, note, department, actor, at)
    [stored] = await record_events(records, [row])
    return stored


async def record_events(
    records: Records,
    events: Sequence[CaseEventRow],
    *,
    then: Callable[[BaseDBAsyncClient], Awaitable[None]] | None = None,
) -> list[CaseEventRow]:
    """Store events together (all or none); returns them with their ids, in order.

    `then(client)` runs in the same transaction after the inserts; if it raises, no event is
    stored (a write intent ends there, see `graph.records.write_intents`).
    """
    stored = []
    async with records.transaction() as client:
        for event in events:
            stored.append(await insert_event(records, client, event))
        if then is not None:
            await then(client)
    return stored


async def insert_event(
    records: Records, client: BaseDBAsyncClient, event: CaseEventRow
) -> CaseEventRow:
    """Store one event inside `client`'s transaction (a caller's, such as a review decision's);
    returns it with its id."""
    marks = ", ".join(records.placeholders(len(EVENT_COLUMNS)))
    sql = f"INSERT INTO case_event ({', '.join(EVENT_COLUMNS)}) VALUES ({marks}) RETURNING id"
    rows = await client.execute_query_dict(sql, [getattr(event, c) for c in EVENT_COLUMNS])
    return replace(event, id=int(rows[0]["id"]))


async def delete_event(records: Records, event_id: int) -> None:
    await records.query(
        f"DELETE FROM case_event WHERE id = {records.placeholders(1)[0]}", [event_id]
    )


async def events_after(
    records: Records, after: int, *, districts: Sequence[str] | None, limit: int
) -> list[CaseEventRow]:
    """Events with an id above `after` (in `districts`, if given), oldest first, at most `limit`."""
    where_in = ("district_code", districts) if districts else None
    rows = await records.rows_after(
        "case_event", EVENT_COLUMNS, after, limit=limit, where_in=where_in
    )
    return [CaseEventRow.from_row(row) for row in rows]


async def events_by_case(
    records: Records, case_ids: Sequence[str]
) -> dict[str, list[CaseEventRow]]:
    """Events of each case in time order; one query for the batch."""
    result: dict[str, list[CaseEventRow]] = {c: [] for c in case_ids}
    if case_ids:
        marks = ", ".join(records.placeholders(len(case_ids)))
        rows = await records.query(
            f"SELECT id, {', '.join(EVENT_COLUMNS)} FROM case_event "
            f"WHERE case_id IN ({marks}) ORDER BY at, id",
            list(case_ids),
        )
        for row in rows:
            result[row["case_id"]].append(CaseEventRow.from_row(row))
    return result
