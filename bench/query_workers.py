"""The app query from `civicgraph serve --workers N`, against `--workers 1`, in one command.

Both run the real command on the same stores and the same Redis bus (`CIVIC_BUS_URL`, which
`--workers` needs: request counts go through it too), so the ratio is what the extra processes
give. With `filings_per_s`, a thread files Open311 cases through the same port meanwhile: each
is a graph write that every follower's next read waits for (it opens the graph anew), which is
the cost a mode with writes pays and a read-only snapshot does not.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from bench.ports import free_port
from bench.query import Figures, answer, measure, wait_until_up


@contextmanager
def serving(env: dict[str, str], workers: int) -> Iterator[tuple[str, int]]:
    """`civicgraph serve --workers N` on a free port: (base URL, pid of `serve`); stopped with
    Ctrl-C's SIGINT after."""
    port = free_port()
    argv = [sys.executable, "-m", "civicgraph.cli", "serve", "--workers", str(workers)]
    server = subprocess.Popen([*argv, "--port", str(port)], env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/healthz", seconds=180)
        yield base, server.pid
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=120)


@contextmanager
def filing(base: str, per_second: float) -> Iterator[list[int]]:
    """Open311 filings at `per_second` through `base` while open (none at 0): the statuses."""
    statuses: list[int] = []
    stop = threading.Event()
    body = urllib.parse.urlencode(
        {"service_code": "noise", "description": "bench", "lat": "37.5115", "long": "127.0595"}
    ).encode()

    def run() -> None:
        while not stop.wait(1 / per_second):
            request = urllib.request.Request(f"{base}/open311/v2/requests.json", data=body)
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)

    thread = threading.Thread(target=run, daemon=True)
    if per_second > 0:
        thread.start()
    try:
        yield statuses
    finally:
        stop.set()
        if per_second > 0:
            thread.join()


def workers_figures(
    env: dict[str, str],
    workers: int,
    seconds: int,
    connections: int,
    filings_per_s: float,
    merged_data: object,
) -> tuple[Figures, Figures, list[int]]:
    """The app query from `serve --workers 1` and `--workers N`, with filings meanwhile; and
    the filings' statuses (201 each). SystemExit when an answer differs from the merged
    server's."""
    figures = []
    statuses: list[int] = []
    for count in (1, workers):
        with serving(env, count) as (base, pid):
            if answer(base) != merged_data:
                raise SystemExit(f"serve --workers {count} answers differently")
            with filing(base, filings_per_s) as filed:
                figures.append(measure(base, seconds, connections, {}, {"serve": pid}))
            statuses += filed
            time.sleep(0.5)
    return figures[0], figures[1], statuses
