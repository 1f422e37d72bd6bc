"""Write intents: a write to both the graph and the records, noted before it starts.

The graph and the records commit separately, so a process killed between the two leaves one
half. A writer notes its intent in the records first and ends it in the same transaction as its
last records write; an intent still present long after it began belongs to a writer that died,
and start-up repair settles it (`resolvers/services/repair.py`). A repairer first claims an
intent (`open` -> `repairing`); a writer finishing late then finds it claimed and fails, so a
write is never both finished and undone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from graph.records.db import Records

OPEN = "open"
REPAIRING = "repairing"
COLUMNS = ("kind", "subject", "state", "started_at")


@dataclass(frozen=True)
class WriteIntent:
    id: int
    kind: str
    subject: str
    state: str
    started_at: int
    """Epoch milliseconds, UTC."""

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> WriteIntent:
        return cls(
            int(row["id"]), row["kind"], row["subject"], row["state"], int(row["started_at"])
        )


def now_ms() -> int:
    return int(time.time() * 1000)


async def begin(
    records: Records,
    kind: str,
    subject: str,
    *,
    client: BaseDBAsyncClient | None = None,
    started_at: int | None = None,
) -> int:
    """Note a write about `subject` (in `client`'s transaction if given); returns its id."""
    marks = ", ".join(records.placeholders(len(COLUMNS)))
    sql = f"INSERT INTO write_intent ({', '.join(COLUMNS)}) VALUES ({marks}) RETURNING id"
    values = [kind, subject, OPEN, now_ms() if started_at is None else started_at]
    rows = (
        await records.query(sql, values)
        if client is None
        else await client.execute_query_dict(sql, values)
    )
    return int(rows[0]["id"])


async def finish(records: Records, client: BaseDBAsyncClient, intent_id: int) -> bool:
    """End an open intent in `client`'s transaction; False if a repairer has claimed it."""
    mark = records.placeholders(1)[0]
    rows = await client.execute_query_dict(
        f"DELETE FROM write_intent WHERE id = {mark} AND state = '{OPEN}' RETURNING id",
        [intent_id],
    )
    return bool(rows)


async def drop(records: Records, intent_id: int) -> None:
    """Forget an intent whatever its state: its write is settled (done, undone or repaired)."""
    await records.query(
        f"DELETE FROM write_intent WHERE id = {records.placeholders(1)[0]}", [intent_id]
    )


async def claim_stale(records: Records, started_before: int) -> list[WriteIntent]:
    """Claim every intent begun before `started_before` (epoch ms), and any already claimed.

    Intents a repairer claimed but did not drop (it died too) are claimed again: settling an
    intent is idempotent, so two repairers at once do the same thing twice.
    """
    mark = records.placeholders(1)[0]
    rows = await records.query(
        f"UPDATE write_intent SET state = '{REPAIRING}' "
        f"WHERE started_at < {mark} OR state = '{REPAIRING}' "
        f"RETURNING id, {', '.join(COLUMNS)}",
        [started_before],
    )
    return sorted((WriteIntent.from_row(row) for row in rows), key=lambda i: i.id)


async def pending(records: Records) -> list[WriteIntent]:
    """Every intent not yet ended, oldest first (for tests and operators)."""
    rows = await records.query(f"SELECT id, {', '.join(COLUMNS)} FROM write_intent ORDER BY id")
    return [WriteIntent.from_row(row) for row in rows]
