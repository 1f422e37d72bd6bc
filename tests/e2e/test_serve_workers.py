"""`civicgraph serve --workers 2` on the embedded stores: one port, a writer and a follower.

Each request is a new connection, which the kernel hands to either worker: a case filed on one
is read back on either, every time (the follower forwards its graph writes to the writer and
follows its commits). Ctrl-C stops both and leaves the graph's log folded in; a worker that
dies stops the other, and `serve` says so in one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bench.ports import free_port
from tests.conftest import UNLIMITED_ENV
from tests.contract.test_bus import REDIS_URL
from tests.e2e.test_two_workers import seeded_for_workers

pytestmark = pytest.mark.services

WAIT_S = 90


@pytest.fixture
async def city(tmp_path: Path) -> tuple[Path, str]:
    """A seeded city and an operator key for it."""
    return tmp_path, await seeded_for_workers(tmp_path)


class Served:
    def __init__(self, process: asyncio.subprocess.Process, url: str, pids: list[int]) -> None:
        self.process, self.url, self.pids = process, url, pids

    async def output(self) -> str:
        assert self.process.stdout is not None
        return (await self.process.stdout.read()).decode()


@contextlib.asynccontextmanager
async def serving(data: Path, workers: int) -> AsyncIterator[Served]:
    port = free_port()
    env = os.environ | {
        "CIVIC_DATA_DIR": str(data),
        "CIVIC_BUS_URL": REDIS_URL,
        "CIVIC_SIMULATOR": "0",
        "COLUMNS": "200",
        **UNLIMITED_ENV,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "civicgraph.cli",
        "serve",
        "--workers",
        str(workers),
        "--port",
        str(port),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    seen = []
    try:
        async with asyncio.timeout(WAIT_S):
            while not (line := await process.stdout.readline()).startswith(b"CivicGraph on"):
                seen.append(line.decode())
                if not line:
                    pytest.fail("serve exited: " + "".join(seen)[-3000:])
        pids = [int(pid) for pid in re.findall(rb"\d+", line.split(b"pids", 1)[1])]
        assert len(pids) == workers
        yield Served(process, f"http://127.0.0.1:{port}", pids)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


async def test_a_case_filed_on_either_worker_is_read_back_on_either(
    city: tuple[Path, str],
) -> None:
    data, key = city
    async with serving(data, 2) as served:
        before = [cpu_ticks(pid) for pid in served.pids]
        fresh = httpx.Limits(max_keepalive_connections=0)  # a new connection, either worker
        headers = {"X-API-Key": key}
        async with httpx.AsyncClient(base_url=served.url, limits=fresh, headers=headers) as http:
            for n in range(40):
                filed = await http.post(
                    "/open311/v2/requests.json",
                    data={
                        "service_code": "noise",
                        "description": f"Night work {n}",
                        "lat": "37.5115",
                        "long": "127.0595",
                    },
                )
                assert filed.status_code == 201, filed.text
                case = filed.json()[0]["service_request_id"]
                read = await http.get(f"/open311/v2/requests/{case}.json")
                assert read.status_code == 200, (n, read.text)
                assert read.json()[0]["description"] == f"Night work {n}"
        worked = [cpu_ticks(pid) - was for pid, was in zip(served.pids, before, strict=True)]
        assert all(ticks > 0 for ticks in worked)  # both took requests

        served.process.send_signal(signal.SIGINT)  # Ctrl-C reaches `serve` alone
        async with asyncio.timeout(WAIT_S):
            assert await served.process.wait() == 0
        output = await served.output()
    assert "Traceback" not in output
    assert not (data / "graph.lbug.wal").exists() or (data / "graph.lbug.wal").stat().st_size == 0
    assert not (data / "graph.lbug.writes").exists()


async def test_a_worker_that_dies_stops_the_other_and_serve_says_so(
    city: tuple[Path, str],
) -> None:
    data, _key = city
    async with serving(data, 2) as served:
        os.kill(served.pids[1], signal.SIGKILL)
        async with asyncio.timeout(WAIT_S):
            assert await served.process.wait() == 1
        output = await served.output()
        with contextlib.suppress(ProcessLookupError):
            os.kill(served.pids[0], 0)
            pytest.fail("worker 0 outlived serve")
    assert f"worker 1 (pid {served.pids[1]}) stopped with exit code -9" in output
    assert "Traceback" not in output
