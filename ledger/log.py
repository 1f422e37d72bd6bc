"""The city's append-only log over the records database: append in batches, sign, prove.

Appending a batch reads the O(log n) complete subtrees on the tree's right edge, hashes the new
leaves up into them, and writes the leaves, the subtrees they complete and the new signed head
in one transaction. Proofs read the O(log n) stored subtrees they name (`ledger.proof`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from graph.records import log_tree
from graph.records.db import Records
from graph.records.log_tree import EntryRow, HeadRow
from ledger.checkpoint import Checkpoint, Signer, open_checkpoint
from ledger.entries import Entry
from ledger.errors import CheckpointError, LogError
from ledger.hashing import EMPTY_ROOT, hash_children, hash_leaf
from ledger.proof import (
    Element,
    NodeID,
    assemble,
    consistency_nodes,
    fold,
    inclusion_nodes,
    needed,
    root_nodes,
)

AlsoWrite = Callable[[BaseDBAsyncClient, int], Awaitable[None]]
"""Writes that commit with an append, given its transaction and its first leaf index."""
AppendListener = Callable[["Appended", Sequence[Entry]], Awaitable[None]]
"""Told of each append once it has committed: where the batch landed, and its entries."""
logger = logging.getLogger("civicgraph.log")
CHUNK = 500
"""Leaves encoded per step of an append, while the database writes the step before."""


@dataclass(frozen=True)
class SignedHead:
    """A tree head, the signed note that carries it, and when it was signed."""

    checkpoint: Checkpoint
    note: str
    signed_at: datetime

    @property
    def size(self) -> int:
        return self.checkpoint.size

    @property
    def root(self) -> bytes:
        return self.checkpoint.root

    @classmethod
    def from_row(cls, row: HeadRow, origin: str) -> SignedHead:
        checkpoint = Checkpoint(origin, row.tree_size, row.root)
        return cls(checkpoint, row.checkpoint, datetime.fromtimestamp(row.signed_at / 1000, UTC))


@dataclass(frozen=True)
class Appended:
    """Where a batch landed: its first leaf index and the head that covers it."""

    first_index: int
    head: SignedHead

    def index_of(self, position: int) -> int:
        return self.first_index + position


def push_leaves(
    stack: list[tuple[int, bytes]], leaf_inputs: Sequence[bytes]
) -> list[tuple[bytes, bytes]]:
    """Hash leaves onto the right edge; per leaf, its hash and the subtree hashes it closes.

    `stack` holds (level, hash) of the edge's complete subtrees, largest first, and is updated
    in place. A leaf closes one subtree per trailing 1 bit of its index.
    """
    hashes = []
    for leaf_input in leaf_inputs:
        leaf_hash = value = hash_leaf(leaf_input)
        level = 0
        closed = []
        while stack and stack[-1][0] == level:
            value = hash_children(stack.pop()[1], value)
            level += 1
            closed.append(value)
        stack.append((level, value))
        hashes.append((leaf_hash, b"".join(closed)))
    return hashes


def _rows(
    entries: Sequence[Entry], first_index: int, stack: list[tuple[int, bytes]], now: int
) -> list[tuple[int, str, str, bytes, bytes, bytes, int]]:
    """Leaf rows in log_tree.ENTRY_COLUMNS order, hashing them onto the right edge `stack`."""
    inputs = [entry.encode() for entry in entries]
    return [
        (first_index + offset, entry.kind, entry.subject, leaf_input, leaf_hash, closed, now)
        for offset, (entry, leaf_input, (leaf_hash, closed)) in enumerate(
            zip(entries, inputs, push_leaves(stack, inputs), strict=True)
        )
    ]


class Log:
    """One verifiable log in the records database, signing its heads with `signer`."""

    def __init__(self, records: Records, signer: Signer) -> None:
        self.records = records
        self.signer = signer
        self.origin = signer.name
        self.listeners: list[AppendListener] = []
        """Told of every append that added leaves, after it commits (the server's live bus)."""

    async def check_key(self) -> None:
        """Refuse to work on a log whose last head another key signed (a lost or swapped key)."""
        row = await log_tree.current_head(self.records)
        if row is None:
            return
        try:
            open_checkpoint(row.checkpoint, self.signer.verifier)
        except CheckpointError as error:
            raise LogError(
                f"the log's current head does not verify with this signing key ({error}): "
                "restore the log key from its backup"
            ) from None

    async def head(self) -> SignedHead:
        """The current signed tree head; the first call on an empty log signs the size-0 head."""
        row = await log_tree.current_head(self.records)
        if row is None:
            return (await self.append([])).head
        return SignedHead.from_row(row, self.origin)

    async def append(self, entries: Sequence[Entry], *, then: AlsoWrite | None = None) -> Appended:
        """Append `entries` as consecutive leaves under one new signed head, all or nothing.

        `then(client, first_index)` runs inside the same transaction once the leaves and head
        are written: rows that must commit with their leaves (a certificate, a contract's state)
        go there, and if it raises, nothing is appended.

        Once the batch has committed, each of `listeners` is told of it, in turn; a listener
        that fails is logged and does not undo or fail the append.

        The batch is encoded and hashed in chunks: while the database writes one chunk (in its
        driver's thread or server), the next is encoded, so a large batch uses both.
        """
        now = int(time.time() * 1000)
        async with self.records.transaction() as client:
            await log_tree.lock_for_append(self.records, client)
            current = await log_tree.current_head(self.records, client)
            size = current.tree_size if current else 0
            if current is not None and not entries:
                return Appended(size, SignedHead.from_row(current, self.origin))
            stack = await self._right_edge(size, client)
            writing: asyncio.Future[None] | None = None
            try:
                for start in range(0, len(entries), CHUNK):
                    rows = _rows(entries[start : start + CHUNK], size + start, stack, now)
                    if writing is not None:
                        await writing
                    writing = asyncio.ensure_future(
                        log_tree.insert_leaves(self.records, client, rows)
                    )
                    await asyncio.sleep(0)  # let the write reach the driver before encoding more
                if writing is not None:
                    await writing
            except BaseException:
                if writing is not None and not writing.done():
                    writing.cancel()
                    with contextlib.suppress(BaseException):
                        await writing
                raise
            root = fold([value for _, value in stack]) if stack else EMPTY_ROOT
            new_size = size + len(entries)
            note = self.signer.sign(Checkpoint(self.origin, new_size, root))
            head = HeadRow(new_size, root, now, note)
            await log_tree.insert_head(self.records, client, head)
            if then is not None:
                await then(client, size)
        appended = Appended(size, SignedHead.from_row(head, self.origin))
        if entries:
            await self._tell(appended, entries)
        return appended

    async def _tell(self, appended: Appended, entries: Sequence[Entry]) -> None:
        """Hand a committed batch to every listener; the leaves stay appended whatever they do."""
        for listener in tuple(self.listeners):
            try:
                await listener(appended, entries)
            except Exception:
                logger.exception("could not announce leaves from %d", appended.first_index)

    async def _right_edge(self, size: int, client: BaseDBAsyncClient) -> list[tuple[int, bytes]]:
        """(level, hash) of the complete subtrees of a tree of `size` leaves, largest first."""
        edge = root_nodes(size)
        stored = await log_tree.node_hashes(self.records, edge, client)
        missing = [node for node in edge if node not in stored]
        if missing:
            raise LogError(f"the log's node {missing[0]} is missing: the store is damaged")
        return [(node.level, stored[node]) for node in edge]

    async def _size(self, tree_size: int | None) -> int:
        """The current head's size, or `tree_size` (which `_hashes` checks against the store)."""
        if tree_size is None:
            return (await self.head()).size
        if not 0 <= tree_size < 1 << 62:
            raise LogError(f"no tree of size {tree_size}")
        return tree_size

    async def _hashes(self, elements: Sequence[Element], size: int) -> list[bytes]:
        """The elements' hashes in one read, which also shows the log has `size` leaves.

        Leaves and heads commit together, so leaf size - 1 exists iff a head of at least
        `size` does: no separate read of the head is needed.
        """
        last = NodeID(0, size - 1)
        found = await log_tree.node_hashes(self.records, needed(elements) | {last})
        if last not in found:
            raise LogError(f"the log has fewer than {size} leaves")
        try:
            return assemble(elements, found)
        except KeyError as missing:
            raise LogError(f"the log's node {missing} is missing: the store is damaged") from None

    async def root(self, tree_size: int) -> bytes:
        """MTH of the first `tree_size` leaves, from O(log n) stored subtrees."""
        size = await self._size(tree_size)
        return (await self._hashes([root_nodes(size)], size))[0] if size else EMPTY_ROOT

    async def inclusion_proof(self, leaf_index: int, tree_size: int | None = None) -> list[bytes]:
        """PATH(leaf_index, D[tree_size]); tree_size defaults to the current head's."""
        size = await self._size(tree_size)
        if not 0 <= leaf_index < size:
            raise LogError(f"leaf {leaf_index} is not in a tree of {size} leaves")
        return await self._hashes(inclusion_nodes(leaf_index, size), size)

    async def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        """PROOF(size1, D[size2]); size2 defaults to the current head's. Requires 0 < size1."""
        size = await self._size(size2)
        if not 0 < size1 <= size:
            raise LogError(f"no consistency proof from size {size1} to size {size}")
        return await self._hashes(consistency_nodes(size1, size), size)

    async def entry(self, leaf_index: int) -> EntryRow:
        rows = await log_tree.entries_between(self.records, leaf_index, leaf_index + 1)
        if not rows:
            raise LogError(f"the log has no leaf {leaf_index}")
        return rows[0]

    async def entries(self, start: int, end: int) -> list[EntryRow]:
        return await log_tree.entries_between(self.records, start, end)

    async def entries_about(self, subject: str) -> list[EntryRow]:
        return await log_tree.entries_about(self.records, subject)
