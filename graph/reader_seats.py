"""Who has a LadybugDB file open read-only, so that its writer never checkpoints under them.

In LadybugDB 0.22 a commit only appends to the write-ahead log (`<file>.wal`); a checkpoint
rewrites pages of the main file in place (`Checkpointer::writeCheckpoint`,
`ShadowFile::applyShadowPages`). A read-only open replays the log once, then reads the main
file's pages as it needs them (`BufferManager::pin`), and takes no lock on the file. So a
checkpoint while another process has the file open read-only hands that process pages of a later
state: reproduced on 0.22 as wrong sums, rows whose string did not match their values, storage
exceptions and undecodable bytes (`civicgraph stats`, `keys enrol`, `ml score` and read-only
`serve` followers all read beside a running server).

The seats are a file beside the graph, `<file>.readers`, under `flock` (per open file, so a
process may hold several and they end with it, even on `kill -9`):

- a read-only store holds a shared seat while its database is open, and waits for one while
  a checkpoint runs;
- the writer checkpoints only while it holds the file exclusively, i.e. while no reader is
  seated: LadybugStore turns LadybugDB's own checkpoints off (at a log size and at close) and
  runs them itself.
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


def seats_path(graph: Path) -> Path:
    """The seats file of the graph at `graph`."""
    return graph.with_name(graph.name + ".readers")


class ReaderSeat:
    """A shared seat on `graph`'s seats file, held until `release`.

    Waits up to `wait_s` while the writer holds it exclusively (a checkpoint under way); raises
    StoreUnavailable after that, or when the seats file cannot be opened."""

    def __init__(self, graph: Path, wait_s: float = WAIT_S) -> None:
        self._fd: int | None = _open(graph)
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
        """Give the seat up (closing the file ends the lock); idempotent."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@contextlib.contextmanager
def no_reader_seated(graph: Path) -> Iterator[bool]:
    """Hold `graph`'s seats file exclusively for the body when no reader is seated: yields
    True then, and False (holding nothing) when a reader is. Never waits. Raises
    StoreUnavailable when the seats file cannot be opened."""
    fd = _open(graph)
    try:
        yield _try_lock(fd, fcntl.LOCK_EX)
    finally:
        os.close(fd)


def _open(graph: Path) -> int:
    """The seats file, created if need be (opened for reading alone where it may not be
    written: `flock` needs no more)."""
    path = seats_path(graph)
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        pass
    try:
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as error:
        raise StoreUnavailable(f"cannot open {path}: {error.strerror}") from None


def _try_lock(fd: int, kind: int) -> bool:
    try:
        fcntl.flock(fd, kind | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
