"""`civicgraph federation up` refuses in one line, and leaves nothing running, when it cannot."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from civicgraph.cli import app
from tests.civicgraph.runner import BoundaryRunner, assert_refused
from tests.federation.test_federation_up import descendants, free_block

runner = BoundaryRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    return tmp_path


def test_up_with_the_gateway_port_in_use_starts_nothing(data_dir: Path) -> None:
    first = free_block(8)
    with socket.create_server(("127.0.0.1", first)):
        result = runner.invoke(
            app, ["federation", "up", "--port", str(first), "--first-subgraph-port", str(first + 1)]
        )
    assert_refused(result)
    assert f"cannot listen on 127.0.0.1:{first} for the hive gateway" in result.stderr
    assert not (data_dir / "logs" / "federation").exists()


def test_up_with_a_subgraph_port_in_use_starts_nothing(data_dir: Path) -> None:
    first = free_block(8)
    with socket.create_server(("127.0.0.1", first + 2)):
        result = runner.invoke(
            app, ["federation", "up", "--port", str(first), "--first-subgraph-port", str(first + 1)]
        )
    assert_refused(result)
    assert f"127.0.0.1:{first + 2} for sensing" in result.stderr


def test_up_on_an_unseeded_city_says_why_the_subgraphs_stopped(data_dir: Path) -> None:
    # given no seed: the subgraphs' process refuses to start (exit 3)
    first = free_block(8)
    before = descendants(os.getpid())
    ports = ["--port", str(first), "--first-subgraph-port", str(first + 1)]
    result = runner.invoke(
        app, ["federation", "up", "--gateway", "apollo", *ports, "--wait", "120"]
    )

    # then up fails in one line naming it and its reason, and nothing it started is left
    assert_refused(result)
    assert "subgraphs exited with code 3" in result.stderr
    assert "could not start" in result.stderr
    assert not (data_dir / "logs" / "federation" / "gateway-apollo.log").exists()
    assert descendants(os.getpid()) - before == set()
