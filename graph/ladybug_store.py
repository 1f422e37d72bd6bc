"""The embedded `GraphStore`: LadybugDB (PyPI `ladybug`, the maintained Kùzu fork) in one file.

LadybugDB needs a schema up front (one table per label, one per relationship type with all its
endpoint pairs) and loads bulk data through `COPY ... FROM <arrow table>`. One process holds the
write lock on a file; other processes may open it read-only (`civicgraph stats`, read-only
`serve` workers), and such a store follows the writer: a read first checks whether the writer
has committed since the store opened the file and, if so, opens it anew (LadybugDB replays its
log only at open). The writer checkpoints only while no reader is open (`graph.reader_seats`),
and readers step aside for it once its log is long. Inside the process, LadybugDB runs one
write transaction at a time and refuses (rather than waits for) a second: writes queue on a
`WriteLock`, reads run beside them.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import time
from collections.abc import Awaitable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import ladybug
import pyarrow as pa

from graph import cypher
from graph.cypher_store import CypherReads
from graph.errors import GraphError, QueryFailed, ReadOnlyGraph, StoreUnavailable, UnknownLabel
from graph.forwarded_writes import forward, taking_forwarded_writes
from graph.ladybug_open import LadybugOpen, LogStamp, log_stamp
from graph.ontology import NODE_TYPES, REL_TYPES, NodeType, PropertyType
from graph.packed_list import SEPARATOR, pack, unpack
from graph.query import Link
from graph.reader_seats import WriterDesk, seated_pids
from graph.store import Node
from graph.write_lock import WriteLock

_TIMESTAMPS = {
    label: frozenset(p.name for p in kind.properties if p.type is PropertyType.TIMESTAMP)
    for label, kind in NODE_TYPES.items()
}
_LISTS = {
    label: frozenset(p.name for p in kind.properties if p.type is PropertyType.STRING_LIST)
    for label, kind in NODE_TYPES.items()
}
"""Each label's list properties, stored as one packed string (`graph.packed_list`)."""


def _column_type(kind: PropertyType) -> str:
    """The LadybugDB column type of a property: its own, but a list is one packed STRING."""
    return "STRING" if kind is PropertyType.STRING_LIST else kind.value


def _packed(label: str, properties: Mapping[str, Any]) -> dict[str, Any]:
    """Properties to write, their lists packed into strings. Raises UnstorableValue for a list
    item holding a NUL (no door lets one through)."""
    lists = _LISTS.get(label, frozenset())  # an unknown label: UnknownLabel from `cypher`
    return {k: pack(v) if k in lists else v for k, v in properties.items()}


T = TypeVar("T")
log = logging.getLogger(__name__)

CHECKPOINT_BYTES = 1024 * 1024
"""The writer checkpoints once its write-ahead log has grown past this (LadybugDB's own default:
16 MiB), when no reader is seated; readers give way for it. A read-only open replays the whole
log, and a follower opens anew after each commit: on 0.22, 0.05 s for 0.2 MB, 0.18 s for 1.8 MB,
1.2 s for 10 MB, 15 s for 48 MB. A filed case logs ~0.9 kB: 1 MiB is ~1,100 cases."""
POLL_S = 0.02
FOLLOW_S = 1.0
"""How often an idle follower looks whether its writer wants it to give way."""
GIVE_WAY_S = 2.0
"""The longest a follower that gave way waits for the writer's checkpoint before it opens the
file again anyway (the writer is gone, or another reader is seated)."""
GIVE_WAY_AGAIN_S = 60.0
"""After giving way in vain, a follower gives way again at the next commit once the log has
doubled or this long after: a reader that does not follow (`ml score`) may have left."""
FOLD_RETRY_S = 3.0
"""How long the writer tries again, every POLL_S, a checkpoint a seated reader kept from running
(followers see the long log on their next read, or within FOLLOW_S)."""

LOOKUP_HERE_KEYS = 32
"""Lookups of at most this many keys run on the event loop's thread (`LadybugStore._lookup`)."""


async def _to_its_end(write: Awaitable[T]) -> T:
    """Awaits `write` to its end, even when the caller is cancelled meanwhile (the cancellation
    is raised once the write has ended), so the writer's turn (the write lock) is held for as
    long as LadybugDB runs the write: no other write starts beside it (LadybugDB would refuse
    it), no lookup runs on the event loop while it commits (`_lookup`), and a caller that closes
    the database next waits for it. A write is short (one node, or one COPY batch), so running
    it to its end costs less than a turn handed back while the database still writes. A write
    that fails after its caller was cancelled is logged as a warning, since no one else hears of
    it."""
    running = asyncio.ensure_future(write)
    cancelled: asyncio.CancelledError | None = None
    while not running.done():
        try:
            await asyncio.wait([running])  # cancelling the wait leaves `running` be
        except asyncio.CancelledError as error:  # again and again, if need be
            cancelled = error
    if cancelled is not None:
        failed = None if running.cancelled() else running.exception()
        if failed is not None:  # the caller, told of its cancellation, never sees it
            log.warning("a write whose caller was cancelled failed: %s", failed)
        raise cancelled
    return running.result()


def _trim_heap() -> None:
    """Hand the C heap's free pages back to the OS: glibc's `malloc_trim(0)`, which returns
    free memory from every arena, not only from the top of the heap (malloc_trim(3)). Freed
    memory otherwise stays counted in the process's resident set. Elsewhere, nothing."""
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    if trim is not None:
        trim(0)


def _rows_of(result: ladybug.QueryResult | list[ladybug.QueryResult]) -> list[list[Any]]:
    """A result's rows as lists of values; of several statements, the last one's."""
    if isinstance(result, list):
        result = result[-1]
    rows: list[list[Any]] = list(result.get_all())  # type: ignore[arg-type]
    return rows


def _to_param(value: Any) -> Any:
    """LadybugDB stores TIMESTAMP without a zone: we store UTC."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _from_columns(kind: NodeType, values: Sequence[Any]) -> Node:
    """A node from its `cypher.node_columns`; its timestamps, stored without a zone, in UTC;
    its lists unpacked (a graph opened read-only before `_pack_lists` ran holds them as lists
    still)."""
    node = dict(zip(kind.property_names, values, strict=True))
    for name in _TIMESTAMPS[kind.label]:
        value = node[name]
        if isinstance(value, datetime) and value.tzinfo is None:
            node[name] = value.replace(tzinfo=UTC)
    for name in _LISTS[kind.label]:
        value = node[name]
        if not isinstance(value, list):
            node[name] = unpack(value)
    return node


def _utc_naive(table: pa.Table) -> pa.Table:
    """Arrow timestamps with a zone become naive UTC, the way LadybugDB keeps them."""
    for index, column in enumerate(table.schema):
        if pa.types.is_timestamp(column.type) and column.type.tz is not None:
            naive = table.column(index).cast(pa.timestamp(column.type.unit))
            table = table.set_column(index, column.name, naive)
    return table


class LadybugStore(CypherReads):
    """`GraphStore` over a LadybugDB database file."""

    backend = "ladybug"

    def __init__(self, path: Path, *, read_only: bool = False, concurrency: int = 4) -> None:
        if read_only and not path.exists():
            raise StoreUnavailable(f"no graph at {path}: run `civicgraph seed` first")
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path, self.read_only, self._concurrency = path, read_only, concurrency
        self.checkpoint_bytes = CHECKPOINT_BYTES
        self._desk: WriterDesk | None = None
        self._pinned_log = 0
        """The log size a seated reader last kept from being folded in that was warned of."""
        self._lists_packed = read_only
        """Whether `_pack_lists` has run (once per store: `release_memory` reopens often)."""
        self._reopening = asyncio.Lock()
        self._gave_way_at = (0, 0.0)
        """A follower's: the log size and the time (monotonic s) at which it last gave way and
        no checkpoint came."""
        self._watch: asyncio.Task[None] | None = None
        self._folding: asyncio.Task[None] | None = None
        self._open()
        self.calls = 0
        self.writes = 0
        self._writes = WriteLock()

    def _open(self) -> None:
        """Open the database and its connections (`LadybugOpen`); the writer's with its
        descriptor of the file (`WriterDesk`), and a checkpoint of a log left by a close while
        readers were seated. Raises StoreUnavailable."""
        self._opened = LadybugOpen(
            self._path, read_only=self.read_only, concurrency=self._concurrency
        )
        if not self.read_only:
            self._desk = WriterDesk(self._path)
            self._opened.here.execute("CALL force_checkpoint_on_close=false")
            self._checkpoint_now()
        if not self._lists_packed:
            self._pack_lists()
            self._lists_packed = True

    def _log_bytes(self) -> int:
        return log_stamp(self._path).log_bytes

    def _checkpoint_now(self, *, past: int | None = 0) -> bool:
        """Fold what this writer holds into the main file, on this thread, unless a reader is
        seated: when the write-ahead log holds more than `past` bytes, or whatever it holds
        with `past=None` (a bulk COPY logs nothing). False only when a reader kept it from
        running. The caller holds the write turn (or no write can run: open, close). Raises
        StoreUnavailable if the writer's descriptor is closed, QueryFailed if LadybugDB
        refuses."""
        if self._desk is None or (past is not None and self._log_bytes() <= past):
            return True
        with self._desk.no_reader_seated() as free:
            if free:
                try:
                    self._opened.here.execute("CHECKPOINT")
                except RuntimeError as error:
                    raise QueryFailed(f"LadybugDB refused a checkpoint: {error}") from None
            return free

    async def _checkpoint_after_write(self) -> None:
        """Once the log has passed `checkpoint_bytes`, a checkpoint if no reader is seated
        (else after a later write; a warning names the readers each time the log they keep
        has doubled), in the write turn the caller holds. The write is committed whatever
        happens here: a failed checkpoint is logged and tried again later."""
        if self._log_bytes() <= self.checkpoint_bytes:  # a stat: no hop to a thread
            return
        try:
            done = await asyncio.to_thread(self._checkpoint_now, past=self.checkpoint_bytes)
        except (QueryFailed, StoreUnavailable) as error:
            log.warning("the write-ahead log stays unfolded for now: %s", error)
            return
        size = self._log_bytes()
        if done:
            self._pinned_log = 0
            return
        if self._folding is None:
            self._folding = asyncio.get_running_loop().create_task(self._fold_when_free())
        if size >= 2 * max(self._pinned_log, self.checkpoint_bytes):
            self._pinned_log = size
            log.warning(
                "the graph's write-ahead log holds %.0f MiB and cannot be folded in while "
                "read-only processes have %s open (pids %s): each of their next opens replays it",
                size / 2**20,
                self._path,
                self._readers(),
            )

    async def _fold_when_free(self) -> None:
        """The checkpoint a seated reader kept from running, tried again every POLL_S for
        FOLD_RETRY_S, each try in the write turn: followers leave their seats for it when they
        see the log this long (`_give_way`), each on its next read or within FOLLOW_S. A failure
        is logged; the next write past the threshold tries again."""
        try:
            deadline = time.monotonic() + FOLD_RETRY_S
            while time.monotonic() < deadline:
                await asyncio.sleep(POLL_S)
                async with self._writes.hold():
                    past = self.checkpoint_bytes
                    if await _to_its_end(asyncio.to_thread(self._checkpoint_now, past=past)):
                        self._pinned_log = 0
                        return
        except (QueryFailed, StoreUnavailable) as error:
            log.warning("the write-ahead log stays unfolded for now: %s", error)
        finally:
            self._folding = None

    async def _checkpoint_after_copy(self) -> None:
        """A checkpoint after a bulk COPY, waiting as long as a reader is seated (said once,
        with their pids): LadybugDB does not log a COPY, so until its checkpoint the rows are
        in this process alone, and a close or a crash would lose them. Run in the write turn
        the caller holds; each attempt runs to its end, the waits between them may be
        cancelled (Ctrl-C of a seed: an unfinished seed is redone by the next). Raises
        StoreUnavailable, QueryFailed."""
        told = False
        while not await _to_its_end(asyncio.to_thread(self._checkpoint_now, past=None)):
            if not told:
                log.warning(
                    "read-only processes have %s open (pids %s): the bulk load waits for them "
                    "to close",
                    self._path,
                    self._readers(),
                )
                told = True
            await asyncio.sleep(0.05)

    def _readers(self) -> str:
        """The pids of the read-only processes seated on the graph, for a log line."""
        return ", ".join(map(str, seated_pids(self._path))) or "unknown"

    def _fresh(self) -> bool:
        """Whether a read may use the current open as it is: always in the writer; in a
        follower, while the file shows nothing committed since the open (two `stat`s)."""
        opened = self._opened
        return not self.read_only or (not opened.retired and log_stamp(self._path) == opened.stamp)

    async def _current(self) -> LadybugOpen:
        """The open a read uses. A follower's holds every commit its writer made before the
        read began: when the file shows one since the open, the file is opened anew in a thread
        (replaying the log), and reads that arrive meanwhile wait and share the next one, so a
        stream of commits costs a reopen per reopen's time, not one per read. The open it
        replaces closes once its reads end. Raises StoreUnavailable when the file cannot be
        opened again (`ReaderSeat`: up to 60 s while the writer checkpoints)."""
        if self._fresh():
            if self.read_only and self._watch is None:
                self._watch = asyncio.get_running_loop().create_task(self._follow_idle())
            return self._opened
        asked = time.monotonic()
        async with self._reopening:
            opened = self._opened
            if not opened.retired and opened.taken_at >= asked:
                return opened  # opened after this read began: it holds what the read needs
            # run to its end even when the read is cancelled: a half-done reopen would leave a
            # seat taken and its database open
            await _to_its_end(self._reopen())
        return self._opened

    async def _reopen(self) -> None:
        """Open the file anew and retire the current open (after giving way, when the writer's
        log is long). Raises StoreUnavailable."""
        stamp = log_stamp(self._path)
        if stamp.log_bytes > self.checkpoint_bytes and self._may_give_way(stamp.log_bytes):
            await self._give_way(stamp)
        opened = await asyncio.to_thread(
            LadybugOpen, self._path, read_only=True, concurrency=self._concurrency
        )
        self._opened.retire()
        self._opened = opened
        self.writes += 1  # the writer's commits: a new version for what was read through this

    def _may_give_way(self, log_bytes: int) -> bool:
        """Whether to give way for a log of `log_bytes` after one that brought no checkpoint:
        once it has doubled, or GIVE_WAY_AGAIN_S later (the reader that kept it may be gone)."""
        size, when = self._gave_way_at
        return log_bytes >= 2 * size or time.monotonic() - when >= GIVE_WAY_AGAIN_S

    async def _give_way(self, stamp: LogStamp) -> None:
        """Leave the seat so that the writer can fold its log in: a seated reader keeps it from
        checkpointing, and every follower's next open would replay the whole log. Closes the
        current open once its reads end, then waits up to GIVE_WAY_S for the log to shrink; if
        it does not (no writer runs, or a reader that does not follow stays seated), the
        follower gives way again only once the log has doubled or GIVE_WAY_AGAIN_S later."""
        self._opened.retire()
        await self._opened.wait_closed()
        deadline = time.monotonic() + GIVE_WAY_S
        while self._log_bytes() > self.checkpoint_bytes:
            if time.monotonic() > deadline:
                self._gave_way_at = (stamp.log_bytes, time.monotonic())
                log.info(
                    "gave way for a checkpoint of %s that did not come (%.1f MiB of log)",
                    self._path,
                    stamp.log_bytes / 2**20,
                )
                return
            await asyncio.sleep(POLL_S)
        self._gave_way_at = (0, 0.0)

    async def _follow_idle(self) -> None:
        """A follower's watch, every FOLLOW_S while it is open: a follower without reads would
        keep its seat, and its writer's log unfolded, for as long as it stays idle."""
        while True:
            await asyncio.sleep(FOLLOW_S)
            if self._log_bytes() > self.checkpoint_bytes and not self._fresh():
                try:
                    await self._current()
                except GraphError as error:
                    log.warning("a read-only store could not follow its writer: %s", error)

    def _pack_lists(self) -> None:
        """Store the list properties of a graph written before 2026-12-02 as packed strings
        (`graph.packed_list`), in place and in one transaction (LadybugDB's DDL is
        transactional, so a crash or a refusal leaves the graph as it was): each `STRING[]`
        column is copied into a new STRING column, dropped, and the new one takes its name.
        Runs at a read-write open, before any other statement; the tables holding lists are
        small (1,158 sensors and 4,700 datasets at scale 1.0). Raises StoreUnavailable if
        LadybugDB refuses."""
        here = self._opened.here
        tables = {row[1] for row in _rows_of(here.execute("CALL show_tables() RETURN *"))}
        older = []
        for label, names in _LISTS.items():
            if names and label in tables:
                info = _rows_of(here.execute(f"CALL table_info('{label}') RETURN *"))
                types = {row[1]: row[2] for row in info}
                older += [(label, name) for name in sorted(names) if types.get(name) == "STRING[]"]
        if not older:
            return
        here.execute("BEGIN TRANSACTION")
        try:
            for label, name in older:
                packed = f"{name}__packed"
                here.execute(f"ALTER TABLE `{label}` ADD {packed} STRING")
                here.execute(
                    f"MATCH (n:`{label}`) WHERE n.{name} IS NOT NULL SET n.{packed} = "
                    f"CASE size(n.{name}) WHEN 0 THEN '' "
                    f"ELSE $sep + list_to_string($sep, n.{name}) END",
                    {"sep": SEPARATOR},
                )
                here.execute(f"ALTER TABLE `{label}` DROP {name}")
                here.execute(f"ALTER TABLE `{label}` RENAME {packed} TO {name}")
            here.execute("COMMIT")
        except RuntimeError as error:
            here.execute("ROLLBACK")
            raise StoreUnavailable(f"cannot store lists as packed strings: {error}") from None

    def _shut(self) -> None:
        """Close the connections and the database: the writer checkpoints first if no reader
        is seated (else the log stays, for the next open to replay); a reader leaves its seat
        once closed."""
        try:
            if not self.read_only and not self._checkpoint_now():
                log.info(
                    "closing the graph with its write-ahead log unfolded (%d bytes): read-only "
                    "processes have it open (pids %s); the next open folds it in",
                    self._log_bytes(),
                    self._readers(),
                )
        except (QueryFailed, StoreUnavailable) as error:  # the log stays, for the next open
            log.warning("closing the graph without a checkpoint: %s", error)
        finally:
            self._opened.close()
            if self._desk is not None:
                self._desk.close()
                self._desk = None

    async def close(self) -> None:
        for task in (self._watch, self._folding):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._watch = self._folding = None
        self._shut()

    async def release_memory(self) -> None:
        """Give back what bulk loads left held: the database closed and opened again, and the
        C heap's free pages handed back to the OS (`_trim_heap`). LadybugDB keeps memory after
        each COPY in proportion to the tables it touched, until the database is closed: at
        scale 1.0, 9.6 M residents and their LIVES_IN left ~1.3 GiB, ~0.3 GiB after this
        (bench/README.md, "Seeding memory"). Waits for the writer's turn; does nothing while a
        read is under way. Raises StoreUnavailable if the database cannot be opened again."""
        async with self._writes.hold():
            if self._opened.reading:
                return
            self._shut()
            _trim_heap()
            self._open()

    async def _rows(
        self, text: str, params: Mapping[str, Any] | None = None, *, write: bool = False
    ) -> list[list[Any]]:
        """The one place a query reaches the driver; a `write` waits for the one writer's turn."""
        writer = self._writer() if write else None
        bound = {k: _to_param(v) for k, v in (params or {}).items()}
        self.calls += 1
        self.writes += write
        try:
            if writer is None:
                return await self._read(text, bound)
            async with self._writes.hold():
                result = await _to_its_end(writer.execute(text, bound))
                await _to_its_end(self._checkpoint_after_write())
            return _rows_of(result)
        except RuntimeError as error:
            raise QueryFailed(f"LadybugDB refused {text[:80]!r}: {error}") from error

    async def _read(self, text: str, bound: dict[str, Any]) -> list[list[Any]]:
        """A read on the current open's pool, its rows taken before that open may close (a
        follower's replaced open closes once its last read ends). Raises RuntimeError."""
        opened = await self._current()
        opened.reading += 1
        try:
            return _rows_of(await opened.conn.execute(text, bound))
        finally:
            opened.read_ended()

    def _writer(self) -> ladybug.AsyncConnection:
        """The writer's connection. Raises ReadOnlyGraph in a reader: LadybugDB's own refusal
        is an untyped error."""
        if self._opened.writer is None:
            raise ReadOnlyGraph(
                f"this server opened the graph at {self._path} read-only "
                "(CIVIC_GRAPH_READ_ONLY): graph writes go to the server that writes it"
            )
        return self._opened.writer

    def _lookup(self, text: str, params: Mapping[str, Any], keys: int) -> list[list[Any]] | None:
        """A lookup of at most LOOKUP_HERE_KEYS keys, on the calling thread (the event loop's),
        through a connection of its own, while no write is under way; else None (`_rows`, on
        the pool). A hop to a pool thread and back costs more CPU than the lookup it carries
        (~0.3 ms against 0.13, bench/README.md, "what a read costs by the thread it runs on").
        Bounded twice, because the loop waits for it: in work, by the number of keys (each one
        lookup in the primary-key index, a page read from disk if it is not in memory); in
        waiting, by the write lock, since LadybugDB holds new transactions back only while a
        write commits (a checkpoint), and every write here holds the lock until LadybugDB has
        ended it (`_to_its_end`, a cancelled caller too). A follower's runs only on an open as
        fresh as its writer's last commit (`_fresh`). Raises QueryFailed as `_rows` does."""
        if keys > LOOKUP_HERE_KEYS or self._writes.held or not self._fresh():
            return None
        self.calls += 1
        try:
            result = self._opened.here.execute(text, {k: _to_param(v) for k, v in params.items()})
        except RuntimeError as error:
            raise QueryFailed(f"LadybugDB refused {text[:80]!r}: {error}") from error
        return _rows_of(result)

    async def _copy(self, text: str, table: pa.Table) -> None:
        """A bulk `COPY … FROM $rows` of an Arrow table, in the writer's turn, on a connection
        of its own that is closed after. ladybug 0.22 keeps a prepared statement per Arrow
        object a connection binds, and the table with it, for as long as the connection
        lives: through the writer, a seed's batches would all stay in memory."""
        self._writer()
        self.calls += 1
        self.writes += 1

        def run() -> None:
            connection = ladybug.Connection(self._opened.db)
            try:
                connection.execute(text, {"rows": table})
            finally:
                connection.close()

        try:
            async with self._writes.hold():
                await _to_its_end(asyncio.to_thread(run))
                await self._checkpoint_after_copy()
        except RuntimeError as error:
            raise QueryFailed(f"LadybugDB refused {text[:80]!r}: {error}") from error

    def _node(self, kind: NodeType, values: Sequence[Any]) -> Node:
        return _from_columns(kind, values)

    async def create_schema(self) -> None:
        async with self._writes.hold():  # one composed write: no statement of another between
            for kind in NODE_TYPES.values():
                columns = ", ".join(f"{p.name} {_column_type(p.type)}" for p in kind.properties)
                await self._rows(
                    f"CREATE NODE TABLE IF NOT EXISTS `{kind.label}`"
                    f"({columns}, PRIMARY KEY ({kind.key}))",
                    write=True,
                )
            for rel in REL_TYPES.values():
                pairs = ", ".join(f"FROM `{a}` TO `{b}`" for a, b in rel.pairs)
                await self._rows(
                    f"CREATE REL TABLE IF NOT EXISTS `{rel.name}`({pairs})", write=True
                )

    async def drop_schema(self) -> None:
        async with self._writes.hold():
            for rel in REL_TYPES.values():
                await self._rows(f"DROP TABLE IF EXISTS `{rel.name}`", write=True)
            for kind in NODE_TYPES.values():
                await self._rows(f"DROP TABLE IF EXISTS `{kind.label}`", write=True)

    async def load_nodes(self, label: str, rows: pa.Table) -> None:
        kind = cypher.node_type(label)
        table = _utc_naive(cypher.stored_nodes(kind, rows))
        for name in _LISTS[kind.label]:
            index = table.column_names.index(name)
            packed = pa.array([pack(items) for items in table[name].to_pylist()], pa.string())
            table = table.set_column(index, name, packed)
        # by name: a table whose lists `_pack_lists` stored anew holds them last
        columns = ", ".join(table.column_names)
        await self._copy(f"COPY `{kind.label}`({columns}) FROM $rows", table)

    async def load_rels(self, rel: str, source: str, target: str, rows: pa.Table) -> None:
        relation = REL_TYPES[rel]
        if (source, target) not in relation.pairs:
            raise UnknownLabel(f"{rel} does not connect {source} to {target}")
        table = cypher.stored_links(NODE_TYPES[source], NODE_TYPES[target], rows)
        suffix = f' (from="{source}", to="{target}")' if len(relation.pairs) > 1 else ""
        await self._copy(f"COPY `{relation.name}` FROM $rows{suffix}", table)

    async def create_node(
        self, label: str, properties: Mapping[str, Any], links: Sequence[Link] = ()
    ) -> bool:
        if self.read_only:
            args = {"label": label, "properties": properties, "links": links}
            return bool(await self._forwarded("create_node", args))
        statement = cypher.create_node(label, _packed(label, properties), links)
        rows = await self._rows(*statement, write=True)
        return bool(rows and rows[0][0])

    async def update_node(
        self,
        label: str,
        key: str,
        properties: Mapping[str, Any],
        *,
        unless_newer: str | None = None,
    ) -> None:
        if self.read_only:
            args = {"label": label, "key": key, "properties": properties}
            await self._forwarded("update_node", args | {"unless_newer": unless_newer})
            return
        statement = cypher.update_node(
            label, key, _packed(label, properties), unless_newer=unless_newer
        )
        await self._rows(*statement, write=True)

    async def relink_node(
        self, label: str, key: str, properties: Mapping[str, Any], link: Link
    ) -> bool:
        if self.read_only:
            args = {"label": label, "key": key, "properties": properties, "link": link}
            return bool(await self._forwarded("relink_node", args))
        statement = cypher.relink_node(label, key, _packed(label, properties), link)
        rows = await self._rows(*statement, write=True)
        return bool(rows and rows[0][0])

    async def delete_node(self, label: str, key: str) -> None:
        if self.read_only:
            await self._forwarded("delete_node", {"label": label, "key": key})
            return
        await self._rows(*cypher.delete_node(label, key), write=True)

    async def _forwarded(self, op: str, args: Mapping[str, Any]) -> Any:
        """A follower's graph write `op`, run by the writer (`graph.forwarded_writes`) to its
        end even when the caller is cancelled, as a write here is. Raises ReadOnlyGraph when no
        writer takes it, and what the writer's store raised."""
        self.calls += 1
        self.writes += 1
        return await _to_its_end(forward(self._path, op, args))

    def taking_forwarded_writes(self) -> AbstractAsyncContextManager[None]:
        """The writer's: take the graph writes of read-only stores of this file while the body
        runs (`graph.forwarded_writes`); a reader's: nothing."""
        if self.read_only:
            return contextlib.nullcontext()
        return taking_forwarded_writes(self, self._path)
