"""One open of a LadybugDB file: the database, its connections and, for a reader, its seat.

A read-only store follows its writer by opening the file anew once the writer has committed
(`graph.ladybug_store`); the open it replaces is retired and closes once the reads under way on
it have ended, so no read loses its database under it.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import NamedTuple

import ladybug

from graph.errors import StoreUnavailable
from graph.reader_seats import ReaderSeat


class LogStamp(NamedTuple):
    """What a LadybugDB file's writer has committed, as two `stat`s show it: the write-ahead
    log grows with each commit, and a checkpoint rewrites the main file and empties the log.
    Equal stamps: nothing committed between them. A missing log counts as empty."""

    log: tuple[int, int, int]
    """The log's inode, size in bytes and modification time in ns."""
    main: tuple[int, int, int]
    """The same of the main file."""

    @property
    def log_bytes(self) -> int:
        return self.log[1]


def log_stamp(graph: Path) -> LogStamp:
    """The stamp of the LadybugDB file `graph` now (two `stat`s, ~2 µs: a follower takes one
    before each read); a missing file's is zeros."""
    path = os.fspath(graph)
    return LogStamp(_stat(path + ".wal"), _stat(path))


def _stat(path: str) -> tuple[int, int, int]:
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return (0, 0, 0)
    return (found.st_ino, found.st_size, found.st_mtime_ns)


class LadybugOpen:
    """The file `path` opened for reading (in a `ReaderSeat`, replaying the log up to its last
    whole commit) or for writing (LadybugDB's own checkpoints off: the store runs them). `stamp`
    is taken before the open and `taken_at` (monotonic seconds) with it: the open holds at least
    what was committed then. `concurrency` sizes the pool of reading connections. Raises
    StoreUnavailable when the file cannot be opened (a hint when another process holds it)."""

    def __init__(self, path: Path, *, read_only: bool, concurrency: int) -> None:
        self.taken_at = time.monotonic()
        self.stamp = log_stamp(path)
        self.seat = ReaderSeat(path) if read_only else None
        try:
            if read_only:
                # a commit being appended while the log is replayed ends the replay at the
                # last whole commit instead of failing the open
                self.db = ladybug.Database(
                    str(path), read_only=True, throw_on_wal_replay_failure=False
                )
            else:
                self.db = ladybug.Database(str(path), auto_checkpoint=False)
        except RuntimeError as error:
            self._leave_seat()
            hint = (
                " (another process holds it, such as a running `civicgraph serve`: stop it first)"
                if "lock" in str(error).lower()
                else ""
            )
            raise StoreUnavailable(f"cannot open the graph at {path}: {error}{hint}") from None
        # Reads are point lookups and short hops: one thread each, no fan-out across cores
        # for microseconds of work (25-40 % less CPU a query, bench/README.md). Writes (a seed's
        # COPY) keep every core, one at a time.
        self.conn = ladybug.AsyncConnection(
            self.db, max_concurrent_queries=concurrency, max_threads_per_query=1
        )
        self.writer = None if read_only else ladybug.AsyncConnection(self.db, 1)
        self.here = ladybug.Connection(self.db)
        self.here.set_max_threads_for_exec(1)
        self.reading = 0
        """Reads under way on `conn`'s pool."""
        self.retired = False
        self._closed = asyncio.Event()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    async def wait_closed(self) -> None:
        """Return once the open is closed (a retired one: when its last read ends)."""
        await self._closed.wait()

    def read_ended(self) -> None:
        """One read on the pool has ended: a retired open closes after its last."""
        self.reading -= 1
        if self.retired and not self.reading:
            self.close()

    def retire(self) -> None:
        """No new reads: close now, or once the reads under way have ended."""
        self.retired = True
        if not self.reading:
            self.close()

    def close(self) -> None:
        """Close the connections and the database, then leave the seat; idempotent."""
        if self.closed:
            return
        self.retired = True
        self._closed.set()
        self.here.close()
        self.conn.close()
        if self.writer is not None:
            self.writer.close()
        self.db.close()
        self._leave_seat()

    def _leave_seat(self) -> None:
        if self.seat is not None:
            self.seat.release()
            self.seat = None
