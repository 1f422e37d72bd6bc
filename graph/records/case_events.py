"""Case events: every change to a case (received, assigned, status changed) as a fact in time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from graph.records.db import Records
from graph.records.models import CaseEvent

EVENT_COLUMNS = ("case_id", "kind", "status", "note", "department", "actor", "at")


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
    note: str = "",
    department: str = "",
    actor: str = "",
) -> CaseEvent:
    return await CaseEvent.create(
        case_id=case_id,
        kind=kind,
        status=status,
        note=note,
        department=department,
        actor=actor,
        at=at,
        using_db=records.client,
    )


async def events_by_case(records: Records, case_ids: Sequence[str]) -> dict[str, list[CaseEvent]]:
    """Events of each case in time order; one query for the batch."""
    result: dict[str, list[CaseEvent]] = {c: [] for c in case_ids}
    if case_ids:
        found = CaseEvent.filter(case_id__in=list(case_ids)).using_db(records.client)
        for event in await found.order_by("at", "id"):
            result[event.case_id].append(event)
    return result
