"""Child processes that start together and stop together: no orphan outlives `federation up`.

Each child leads its own process group (a terminal's Ctrl-C reaches only the parent, which stops
the children in reverse order of start) and, on Linux, gets SIGTERM from the kernel if the parent
dies without stopping it (PR_SET_PDEATHSIG). Stopping sends SIGTERM to the child's whole group,
waits up to a grace period, then sends SIGKILL to whatever is left of the group. A child is
reaped only after its group has been signalled, so its pid (the group's id) cannot have been
reused by an unrelated process when the group is signalled.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx

from civicgraph.federation.errors import ProcessFailed

SIGINT, SIGTERM = signal.SIGINT, signal.SIGTERM

STOP_GRACE_S = 10.0
POLL_S = 0.2
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover: runs in the child between fork and exec
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    """A started process: its `name`, the log file of its output, the URLs that say it is up."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    health_urls: list[str] = field(default_factory=list)

    def last_log_line(self) -> str:
        """The last non-empty line of its log ('' if none), to say why it stopped."""
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        return next((line.strip() for line in reversed(lines) if line.strip()), "")


class Supervisor:
    """Starts children, waits for their health, and stops every one of them on exit.

    Use as a context manager: leaving it (normally, by an error, by Ctrl-C) stops all children.
    """

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.children: list[Child] = []

    def __enter__(self) -> Supervisor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with _signals_held():
            self.stop_all()

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        health_urls: Sequence[str],
        cwd: Path | None = None,
    ) -> Child:
        """Start `argv` with its output appended to `<log_dir>/<name>.log` (never truncated: a
        log another run still writes keeps its lines); ProcessFailed if it cannot."""
        log_path = self.log_dir / f"{name}.log"
        try:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            log = log_path.open("ab")
        except OSError as error:
            raise ProcessFailed(f"cannot open {log_path}: {error.strerror or error}") from None
        with log:
            try:
                process = subprocess.Popen(
                    list(argv),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=dict(env),
                    cwd=cwd,
                    process_group=0,
                    preexec_fn=_die_with_parent,
                )
            except OSError as error:
                raise ProcessFailed(f"cannot start {name}: {error.strerror or error}") from None
        child = Child(name, process, log_path, list(health_urls))
        self.children.append(child)
        return child

    def wait_healthy(self, child: Child, timeout_s: float) -> None:
        """Return once every health URL of `child` answers 200.

        Raises ProcessFailed when the child exits first or `timeout_s` passes.
        """
        deadline = time.monotonic() + timeout_s
        pending = list(child.health_urls)
        with httpx.Client(timeout=2.0) as http:
            while pending:
                status = exit_status(child.process)
                if status is not None:
                    raise ProcessFailed(
                        f"{child.name} exited with code {status} before {pending[0]} "
                        f"answered: {child.last_log_line() or 'no output'} (log: {child.log_path})"
                    )
                try:
                    if http.get(pending[0]).status_code == 200:
                        pending.pop(0)
                        continue
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise ProcessFailed(
                        f"{child.name} was not healthy at {pending[0]} after {timeout_s:g} s "
                        f"(log: {child.log_path})"
                    )
                time.sleep(POLL_S)

    def first_exited(self) -> Child | None:
        """A child that has exited, if any."""
        return next((c for c in self.children if exit_status(c.process) is not None), None)

    def stop_all(self, grace_s: float = STOP_GRACE_S) -> None:
        """Stop every child, last started first: SIGTERM to its group, then SIGKILL after grace."""
        for child in reversed(self.children):
            if child.process.returncode is None:
                _signal_group(child, signal.SIGTERM)
                deadline = time.monotonic() + grace_s
                while exit_status(child.process) is None and time.monotonic() < deadline:
                    time.sleep(POLL_S / 4)
                _signal_group(child, signal.SIGKILL)  # what is left of its group, if anything
            child.process.wait()
        self.children.clear()


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ignore Ctrl-C and SIGTERM while inside (the main thread only): stopping is not cut short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {number: signal.signal(number, signal.SIG_IGN) for number in (SIGINT, SIGTERM)}
    try:
        yield
    finally:
        for number, previous in held.items():
            signal.signal(number, previous)


def exit_status(process: subprocess.Popen[bytes]) -> int | None:
    """The exit code of `process` (negative: the signal that ended it), or None while it runs.

    Does not reap it (waitid's WNOWAIT), so its pid stays its own until `process.wait()`.
    """
    if process.returncode is not None:
        return process.returncode
    try:
        result = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return process.poll()
    if result is None:
        return None
    if result.si_code == os.CLD_EXITED:
        return result.si_status
    return -result.si_status


def _signal_group(child: Child, signal_number: int) -> None:
    """Signal the group `child` leads; requires `child` not reaped yet (its pid is still its)."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(child.process.pid, signal_number)
