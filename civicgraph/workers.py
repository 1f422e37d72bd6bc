"""`civicgraph serve --workers N`: one listening socket served by N processes.

The event loop of one process runs out before the machine's cores do (bench/README.md, "The
app query"), so N processes share the socket, and the kernel hands each new connection to one
of them. On the embedded graph only one process may write the LadybugDB file: worker 0 opens it
for writing, and workers 1..N-1 open it read-only, follow its commits and hand it their graph
writes (`graph.ladybug_store`, `graph.forwarded_writes`). On Neo4j every worker writes. Either
way the work that must run once runs in worker 0 alone: the S-DoT simulator, the MQTT
subscriber, the models' scheduled scoring, the purge of key requests, the repair of half-done
case writes. Events and request counts cross processes only through Redis, so N > 1 needs
`CIVIC_BUS_URL=redis://…` (docs/operations.md).

Worker 0 starts first and the others once it serves (its log folded in, the forwarded-writes
socket taken, the key files made). Each worker is a process group of its own: Ctrl-C or SIGTERM
reaches `serve`, which asks every worker to stop once (SIGTERM: uvicorn's graceful shutdown)
and again on a second Ctrl-C (uvicorn's forced one). A worker that stops on its own stops the
others. Workers die with `serve` (`PR_SET_PDEATHSIG`), even on `kill -9`.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import socket
import sys
import time
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.context import SpawnProcess
from types import FrameType

from civicgraph.boundary import CliError, ExitCode
from civicgraph.console import console
from civicgraph.settings import Settings
from graph.forwarded_writes import SOCKET_PATH_MAX, socket_path, socket_path_fits
from graph.open import ladybug_path
from graph.redis_pool import is_redis_url

START_S = 600.0
"""The longest a worker may take to start (opening a graph with a long log to replay)."""
STOP_S = 60.0
"""How long stopping workers are waited for before they are killed."""
PR_SET_PDEATHSIG = 1


class WorkerStopped(CliError):
    """A worker of `serve --workers` stopped on its own; the others were stopped too."""


def follower_settings(settings: Settings) -> Settings:
    """A worker's settings after worker 0: the embedded graph read-only, and none of the work
    that must run once (the simulator, MQTT)."""
    embedded = ladybug_path(settings.graph_location) is not None
    return settings.model_copy(
        update={
            "graph_read_only": settings.graph_read_only or embedded,
            "simulator": False,
            "mqtt_url": None,
        }
    )


def check_workers(settings: Settings, workers: int) -> None:
    """Raise StartupFailed when `workers` processes cannot serve these settings together."""
    from civicgraph.serving import StartupFailed

    if workers == 1:
        return
    if not is_redis_url(settings.bus_url):
        raise StartupFailed(
            f"--workers {workers} needs CIVIC_BUS_URL=redis://HOST:PORT/DB: without a shared "
            "bus an event reaches only the subscribers of the worker that took it, and each "
            "worker counts requests alone"
        )
    graph = ladybug_path(settings.graph_location)
    if graph is not None and not socket_path_fits(graph):
        raise StartupFailed(
            f"--workers {workers} needs a shorter CIVIC_DATA_DIR: the workers hand their graph "
            f"writes over the Unix socket {socket_path(graph)}, longer than the "
            f"{SOCKET_PATH_MAX} bytes a socket path may have"
        )


def serve_workers(settings: Settings, sock: socket.socket, workers: int) -> None:
    """Serve the merged API on `sock` from `workers` processes until Ctrl-C or SIGTERM.

    Raises StartupFailed (exit 3) when a worker cannot start, WorkerStopped (exit 1) when one
    stops on its own."""
    from civicgraph.serving import StartupFailed

    spawn = multiprocessing.get_context("spawn")
    running: list[SpawnProcess] = []
    with _stop_requests() as stopping:
        try:
            for group in ([0], list(range(1, workers))):
                started = []
                for index in group:
                    ready, tell = spawn.Pipe(duplex=False)
                    process = spawn.Process(
                        target=_worker,
                        args=(settings, index, sock, tell),
                        name=f"civicgraph-worker-{index}",
                        daemon=False,
                    )
                    process.start()
                    tell.close()
                    running.append(process)
                    started.append((index, process, ready))
                for index, process, ready in started:
                    failed = _start_failure(process, ready, stopping)
                    if stopping:
                        return
                    if failed is not None:
                        raise StartupFailed(f"worker {index}: {failed}")
            where = f"http://{settings.host}:{settings.port}"
            console.print(
                f"CivicGraph on {where}  (explorer: {where}/graphql), {workers} workers: "
                f"pids {', '.join(str(p.pid) for p in running)}",
                highlight=False,
            )
            stopped = _first_to_stop(running, stopping)
            if stopped is not None:
                index = running.index(stopped)
                raise WorkerStopped(
                    f"worker {index} (pid {stopped.pid}) stopped with exit code "
                    f"{stopped.exitcode}: the other workers were stopped too"
                )
        finally:
            _stop(running, stopping)
            sock.close()


def _worker(settings: Settings, index: int, sock: socket.socket, ready: Connection) -> None:
    """One worker process: serve until told to stop. It tells `serve` through `ready` that it
    serves (True), or why it could not start (a line, then exit 3)."""
    os.setpgrp()  # Ctrl-C in a terminal reaches `serve` alone, which stops each worker once
    _die_with_parent()
    from civicgraph.app import create_app
    from civicgraph.serving import StartupFailed, serve_process

    def started() -> None:
        ready.send(True)
        ready.close()

    first = index == 0
    own = settings if first else follower_settings(settings)
    try:
        serve_process(create_app(own, scoring=first, key_purge=first), sock, own, started)
    except StartupFailed as error:
        with contextlib.suppress(OSError):
            ready.send(str(error))
        sys.exit(ExitCode.STARTUP_FAILED)


def _die_with_parent() -> None:
    """Have Linux send this process SIGTERM when `serve` dies, even by SIGKILL."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:  # it died before the call above
        os.kill(os.getpid(), signal.SIGTERM)


def _start_failure(process: SpawnProcess, ready: Connection, stopping: list[int]) -> str | None:
    """None once `process` serves (or a stop was asked); else why it did not start."""
    deadline = time.monotonic() + START_S
    try:
        while not ready.poll(0.1):
            if stopping:
                return None
            if time.monotonic() > deadline:
                return f"the server did not start in {START_S:.0f} s"
        said = ready.recv()
    except (EOFError, OSError):  # it exited before saying why
        process.join(1)
        return f"the server stopped while starting (exit code {process.exitcode})"
    finally:
        ready.close()
    return None if said is True else str(said)


def _first_to_stop(running: Sequence[SpawnProcess], stopping: list[int]) -> SpawnProcess | None:
    """The first worker to exit on its own; None once a stop was asked."""
    while not stopping:
        for process in running:
            if not process.is_alive():
                return process
        wait([p.sentinel for p in running], timeout=0.5)
    return None


@contextlib.contextmanager
def _stop_requests() -> Iterator[list[int]]:
    """While open, SIGINT and SIGTERM are noted (the list holds the signals received) instead
    of raising, and forwarded once each to the workers by `_stop`'s caller."""
    received: list[int] = []

    def note(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)

    before = {sig: signal.signal(sig, note) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def _stop(running: Sequence[SpawnProcess], stopping: list[int]) -> None:
    """Stop the workers after worker 0, then worker 0: the writer folds its log in at close
    only once no reader has the graph open. Each is asked (SIGTERM) once, again at each later
    Ctrl-C or SIGTERM (uvicorn then forces its exit), and killed if left after STOP_S."""
    for group in (running[1:], running[:1]):
        asked = len(stopping)
        _signal_all(group, signal.SIGTERM)
        deadline = time.monotonic() + STOP_S
        while any(p.is_alive() for p in group) and time.monotonic() < deadline:
            if len(stopping) > asked:
                asked = len(stopping)
                _signal_all(group, signal.SIGTERM)
            wait([p.sentinel for p in group if p.is_alive()], timeout=0.2)
        _signal_all(group, signal.SIGKILL)
        for process in group:
            process.join()


def _signal_all(running: Sequence[SpawnProcess], signum: int) -> None:
    for process in running:
        if process.is_alive() and process.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signum)
