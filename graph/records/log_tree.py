"""The verifiable log's tables: leaves with the subtree hashes they close, signed tree heads.

The complete subtree (level, index) ends at leaf ((index + 1) << level) - 1, and that leaf's
row keeps its hash: level 0 is `leaf_hash`, level L >= 1 is bytes 32(L-1) to 32L of
`subtree_hashes`. A batch of leaves and the new signed head commit in one transaction, so a
reader sees the old head or the new one, never a torn one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from graph.records.db import Records

ENTRY_COLUMNS = (
    "leaf_index",
    "kind",
    "subject",
    "leaf_input",
    "leaf_hash",
    "subtree_hashes",
    "appended_at",
)
HEAD_COLUMNS = ("tree_size", "root", "signed_at", "checkpoint")
HASH_SIZE = 32
APPEND_LOCK = 9162
"""PostgreSQL advisory lock key held by the one transaction appending at a time."""

NodeKey = tuple[int, int]
"""(level, index) of a complete subtree; level 0 is a leaf."""


def last_leaf(level: int, index: int) -> int:
    """The leaf whose row stores the hash of complete subtree (level, index)."""
    return ((index + 1) << level) - 1


@dataclass(frozen=True)
class EntryRow:
    leaf_index: int
    kind: str
    subject: str
    leaf_input: bytes
    leaf_hash: bytes
    subtree_hashes: bytes
    appended_at: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> EntryRow:
        return cls(
            leaf_index=int(row["leaf_index"]),
            kind=row["kind"],
            subject=row["subject"],
            leaf_input=bytes(row["leaf_input"]),
            leaf_hash=bytes(row["leaf_hash"]),
            subtree_hashes=bytes(row["subtree_hashes"]),
            appended_at=int(row["appended_at"]),
        )


@dataclass(frozen=True)
class LeafNotice:
    """What a leaf records, and the size of the first signed head that covers it."""

    leaf_index: int
    kind: str
    subject: str
    tree_size: int


@dataclass(frozen=True)
class HeadRow:
    tree_size: int
    root: bytes
    signed_at: int
    checkpoint: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> HeadRow:
        return cls(
            int(row["tree_size"]), bytes(row["root"]), int(row["signed_at"]), row["checkpoint"]
        )

    def values(self) -> list[Any]:
        return [getattr(self, name) for name in HEAD_COLUMNS]


async def lock_for_append(records: Records, client: BaseDBAsyncClient) -> None:
    """Make `client`'s transaction the only appender until it ends, across processes.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: a write (that changes nothing)
    takes the database's write lock now, before the frontier is read, rather than at the
    first insert, when a concurrent appender could already have moved the head.
    """
    if records.dialect == "postgres":
        await client.execute_query("SELECT pg_advisory_xact_lock($1)", [APPEND_LOCK])
    else:
        await client.execute_query("DELETE FROM log_head WHERE tree_size < 0")


async def current_head(records: Records, client: BaseDBAsyncClient | None = None) -> HeadRow | None:
    """The head with the largest tree size, or None for a log never appended to."""
    sql = f"SELECT {', '.join(HEAD_COLUMNS)} FROM log_head ORDER BY tree_size DESC LIMIT 1"
    if client is None:
        rows = await records.query(sql)
    else:
        rows = await client.execute_query_dict(sql)
    return HeadRow.from_row(rows[0]) if rows else None


async def node_hashes(
    records: Records, keys: Iterable[NodeKey], client: BaseDBAsyncClient | None = None
) -> dict[NodeKey, bytes]:
    """The stored hashes of these complete subtrees, in one read (missing keys are absent)."""
    wanted = list(set(keys))
    leaves = sorted({last_leaf(level, index) for level, index in wanted})
    if not leaves:
        return {}
    marks = ", ".join(records.placeholders(len(leaves)))
    sql = (
        f"SELECT leaf_index, leaf_hash, subtree_hashes FROM log_entry WHERE leaf_index IN ({marks})"
    )
    rows = (
        await records.query(sql, leaves)
        if client is None
        else await client.execute_query_dict(sql, leaves)
    )
    by_leaf = {int(row["leaf_index"]): row for row in rows}
    found: dict[NodeKey, bytes] = {}
    for level, index in wanted:
        row = by_leaf.get(last_leaf(level, index))
        if row is None:
            continue
        if level == 0:
            found[(level, index)] = bytes(row["leaf_hash"])
            continue
        value = bytes(row["subtree_hashes"])[HASH_SIZE * (level - 1) : HASH_SIZE * level]
        if len(value) == HASH_SIZE:
            found[(level, index)] = value
    return found


async def insert_leaves(
    records: Records, client: BaseDBAsyncClient, rows: Sequence[Sequence[Any]]
) -> None:
    """Write leaves (values in ENTRY_COLUMNS order) in `client`'s transaction."""
    if not rows:
        return
    if records.dialect == "postgres":
        await records.copy_rows("log_entry", ENTRY_COLUMNS, rows, client=client)
        return
    marks = ", ".join(records.placeholders(len(ENTRY_COLUMNS)))
    await client.execute_many(
        f"INSERT INTO log_entry ({', '.join(ENTRY_COLUMNS)}) VALUES ({marks})",
        [list(row) for row in rows],
    )


async def insert_head(records: Records, client: BaseDBAsyncClient, head: HeadRow) -> None:
    """Write a signed head in `client`'s transaction, the last write of an append."""
    marks = ", ".join(records.placeholders(len(HEAD_COLUMNS)))
    await client.execute_query(
        f"INSERT INTO log_head ({', '.join(HEAD_COLUMNS)}) VALUES ({marks})", head.values()
    )


async def entries_between(records: Records, start: int, end: int) -> list[EntryRow]:
    """Leaves start <= index < end, in order."""
    first, last = records.placeholders(2)
    rows = await records.query(
        f"SELECT {', '.join(ENTRY_COLUMNS)} FROM log_entry "
        f"WHERE leaf_index >= {first} AND leaf_index < {last} ORDER BY leaf_index",
        [start, end],
    )
    return [EntryRow.from_row(row) for row in rows]


async def entries_at(records: Records, indices: Sequence[int]) -> dict[int, EntryRow]:
    """The leaves among `indices` that exist, by index: one query for the whole batch."""
    wanted = list(dict.fromkeys(indices))
    if not wanted:
        return {}
    marks = ", ".join(records.placeholders(len(wanted)))
    rows = await records.query(
        f"SELECT {', '.join(ENTRY_COLUMNS)} FROM log_entry WHERE leaf_index IN ({marks})", wanted
    )
    return {entry.leaf_index: entry for entry in map(EntryRow.from_row, rows)}


async def entries_about(records: Records, subject: str) -> list[EntryRow]:
    """Every leaf recording something about `subject` (a certificate, a contract), in order."""
    mark = records.placeholders(1)[0]
    rows = await records.query(
        f"SELECT {', '.join(ENTRY_COLUMNS)} FROM log_entry WHERE subject = {mark} "
        "ORDER BY leaf_index",
        [subject],
    )
    return [EntryRow.from_row(row) for row in rows]


async def leaves_after(records: Records, after: int, limit: int) -> list[LeafNotice]:
    """At most `limit` leaves with an index above `after`, in order, each with the size of
    the first signed head covering it (the head its append signed): one query."""
    first, most = records.placeholders(2)
    rows = await records.query(
        "SELECT e.leaf_index, e.kind, e.subject, "
        "(SELECT MIN(h.tree_size) FROM log_head h WHERE h.tree_size > e.leaf_index) AS tree_size "
        f"FROM log_entry e WHERE e.leaf_index > {first} ORDER BY e.leaf_index LIMIT {most}",
        [after, limit],
    )
    return [
        LeafNotice(int(r["leaf_index"]), r["kind"], r["subject"], int(r["tree_size"])) for r in rows
    ]


async def heads_newest_first(records: Records, limit: int) -> list[HeadRow]:
    """The `limit` latest signed tree heads, largest tree size first (every append keeps its
    head: the history of the log's checkpoints)."""
    mark = records.placeholders(1)[0]
    rows = await records.query(
        f"SELECT {', '.join(HEAD_COLUMNS)} FROM log_head ORDER BY tree_size DESC LIMIT {mark}",
        [limit],
    )
    return [HeadRow.from_row(row) for row in rows]
