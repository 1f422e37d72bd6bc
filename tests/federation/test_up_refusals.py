"""`civicgraph federation up` refuses in one line, having written and started nothing, when it
cannot; and Ctrl-C during its checks stops it even when its shell started it with SIGINT ignored."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.ports import free_block
from bench.process_cpu import descendants
from civicgraph.cli import app
from tests.civicgraph.runner import BoundaryRunner, assert_refused
from tests.federation.test_federation_up import seeded

runner = BoundaryRunner()
WAIT_S = 120


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    return tmp_path


def assert_nothing_written(data_dir: Path) -> None:
    """No log folder and no supergraph under `data_dir`."""
    assert not (data_dir / "logs" / "federation").exists()
    assert not (data_dir / "federation").exists()


def test_up_with_the_gateway_port_in_use_starts_nothing(data_dir: Path) -> None:
    first = free_block(8)
    with socket.create_server(("127.0.0.1", first)):
        result = runner.invoke(
            app, ["federation", "up", "--port", str(first), "--first-subgraph-port", str(first + 1)]
        )
    assert_refused(result)
    assert f"cannot listen on 127.0.0.1:{first} for the hive gateway" in result.stderr
    assert_nothing_written(data_dir)


def test_up_with_a_subgraph_port_in_use_starts_nothing(data_dir: Path) -> None:
    first = free_block(8)
    with socket.create_server(("127.0.0.1", first + 2)):
        result = runner.invoke(
            app, ["federation", "up", "--port", str(first), "--first-subgraph-port", str(first + 1)]
        )
    assert_refused(result)
    assert f"127.0.0.1:{first + 2} for subgraph sensing" in result.stderr
    assert_nothing_written(data_dir)


@pytest.mark.parametrize(
    ("gateway_host", "offset"),
    [("127.0.0.1", 0), ("127.0.0.1", 3), ("0.0.0.0", 5)],
)
def test_up_with_the_gateway_on_a_subgraphs_port_starts_nothing(
    data_dir: Path, gateway_host: str, offset: int
) -> None:
    # given free ports, but the gateway's --port is one the subgraphs count up to
    first = free_block(8)
    ports = ["--port", str(first + offset), "--first-subgraph-port", str(first)]
    result = runner.invoke(app, ["federation", "up", "--host", gateway_host, *ports])

    assert_refused(result)
    assert f"port {first + offset} is asked for both the hive gateway and subgraph" in (
        result.stderr
    )
    assert_nothing_written(data_dir)


def test_up_on_an_unseeded_city_says_why_and_starts_nothing(data_dir: Path) -> None:
    first = free_block(8)
    before = descendants(os.getpid())
    ports = ["--port", str(first), "--first-subgraph-port", str(first + 1)]
    result = runner.invoke(app, ["federation", "up", "--gateway", "apollo", *ports])

    assert_refused(result)
    assert "the stores cannot be opened (" in result.stderr
    assert "civicgraph seed" in result.stderr
    assert_nothing_written(data_dir)
    assert descendants(os.getpid()) - before == set()


def composing(pid: int) -> bool:
    """True while a process below `pid` runs the composer (gateway/scripts/compose.mjs)."""
    for child in descendants(pid):
        try:
            if b"compose.mjs" in Path(f"/proc/{child}/cmdline").read_bytes():
                return True
        except OSError:
            continue
    return False


def test_ctrl_c_during_composition_stops_up_started_with_sigint_ignored(tmp_path: Path) -> None:
    # given `federation up` started as a shell starts a background job: SIGINT ignored
    city = seeded(tmp_path / "city")
    first = free_block(8)
    argv = [sys.executable, "-m", "civicgraph.cli", "federation", "up"]
    argv += ["--port", str(first), "--first-subgraph-port", str(first + 1)]
    process = subprocess.Popen(
        argv,
        env=os.environ | {"CIVIC_DATA_DIR": str(city), "CIVIC_SIMULATOR": "0"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        deadline = time.monotonic() + WAIT_S
        while not composing(process.pid):
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "the composer never ran"
            time.sleep(0.01)

        # when Ctrl-C reaches it while the subgraphs are being composed
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=WAIT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    # then it stops there: exit 0, nothing written, nothing left running
    assert process.returncode == 0, output.decode()
    assert "Stopped." in output.decode()
    assert "Ctrl-C stops them all" not in output.decode()
    assert_nothing_written(city)
    assert descendants(process.pid) == set()
