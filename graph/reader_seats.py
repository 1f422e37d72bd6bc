"""Who has a LadybugDB file open read-only, so that its writer never checkpoints under them.

In LadybugDB 0.22 a commit only appends to the write-ahead log (`<file>.wal`); a checkpoint
rewrites pages of the main file in place (`Checkpointer::writeCheckpoint`,
`ShadowFile::applyShadowPages`). A read-only open replays the log once, then reads the main
file's pages as it needs them (`BufferManager::pin`), and takes no lock on the file. So a
checkpoint while another process has the file open read-only hands that process pages of a later
state: reproduced on 0.22 as wrong sums, rows whose string did not match their values, storage
exceptions and undecodable bytes (`civicgraph stats`, `keys enrol`, `ml score` and read-only
`serve` followers all read beside a running server).

The seats are `flock`s on the graph file itself (so no stray file can be tidied away under a
reader; `flock` and LadybugDB's own `fcntl` lock do not meet on a local file system), held per
open file and ended with the process, even on `kill -9`:

- a read-only store holds a shared seat while its database is open, and waits for one while
  a checkpoint runs;
- the writer checkpoints only while it holds the file exclusively, i.e. while no reader is
  seated: LadybugStore turns LadybugDB's own checkpoints off (at a log size and at close) and
  runs them itself. The writer's descriptor stays open as long as its database: in a process
  that holds LadybugDB's write lock, closing any descriptor of the file would drop that lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from graph.errors import StoreUnavailable

WAIT_S = 60.0
"""The longest a reader waits for a checkpoint to end before giving up."""
POLL_S = 0.02


class ReaderSeat:
    """A shared seat on the graph file `graph`, held until `release`.

    Waits up to `wait_s` while the writer holds it exclusively (a checkpoint under way); raises
    StoreUnavailable after that, or when the file cannot be opened."""

    def __init__(self, graph: Path, wait_s: float = WAIT_S) -> None:
        self._fd: int | None = _open(graph, os.O_RDONLY)
        deadline = time.monotonic() + wait_s
        while not _try_lock(self._fd, fcntl.LOCK_SH):
            if time.monotonic() > deadline:
                self.release()
                raise StoreUnavailable(
                    f"the graph at {graph} is being checkpointed by its writer and did not "
                    f"finish in {wait_s:.0f} s"
                )
            time.sleep(POLL_S)

    def release(self) -> None:
        """Give the seat up (closing the descriptor ends the lock); idempotent."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class WriterDesk:
    """The writer's descriptor of the graph file `graph`, for `no_reader_seated`; kept open
    until `close`, after the writer's database is closed. Raises StoreUnavailable when the file
    cannot be opened."""

    def __init__(self, graph: Path) -> None:
        self.graph = graph
        self._fd: int | None = _open(graph, os.O_RDONLY)

    @contextlib.contextmanager
    def no_reader_seated(self) -> Iterator[bool]:
        """Hold the file exclusively for the body when no reader is seated: yields True then,
        and False (holding nothing) when one is. Never waits."""
        if self._fd is None:
            raise StoreUnavailable(f"the writer's descriptor of {self.graph} is closed")
        free = _try_lock(self._fd, fcntl.LOCK_EX)
        try:
            yield free
        finally:
            if free:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Close the descriptor (once the writer's database is closed); idempotent."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def seated_pids(graph: Path) -> list[int]:
    """The processes holding a shared seat on `graph`, from Linux's /proc/locks (empty where
    it cannot be read)."""
    try:
        inode = graph.stat().st_ino
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return []
    pids = set()
    for line in lines:
        fields = line.split()
        # "1: FLOCK  ADVISORY  READ  12345 08:01:9876 0 EOF" ("->" marks a waiter)
        if "->" in fields or len(fields) < 6 or fields[1] != "FLOCK" or fields[3] != "READ":
            continue
        if fields[5].rsplit(":", 1)[-1] == str(inode):
            pids.add(int(fields[4]))
    return sorted(pids)


def _open(graph: Path, flags: int) -> int:
    try:
        return os.open(graph, flags | os.O_CLOEXEC)
    except OSError as error:
        raise StoreUnavailable(f"cannot open {graph}: {error.strerror}") from None


def _try_lock(fd: int, kind: int) -> bool:
    try:
        fcntl.flock(fd, kind | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
