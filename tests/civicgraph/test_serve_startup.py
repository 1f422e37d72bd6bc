"""`civicgraph serve` start-up failures: one line and exit code 3, never a traceback.

The real executable on a small seeded city of this module (a missing log key, a port in use,
a graph file another process holds, an unreachable database), and `serve_app` in-process.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from starlette.applications import Starlette

from bench.ports import free_port
from civicgraph import serving
from civicgraph.boundary import ExitCode
from civicgraph.cli import app
from civicgraph.serving import StartupFailed, listen, serve_app
from civicgraph.settings import Settings
from graph.ladybug_store import LadybugStore
from ledger.errors import LogError
from tests.civicgraph.runner import BoundaryRunner

runner = BoundaryRunner()
CIVICGRAPH = Path(sys.executable).with_name("civicgraph")


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded data folder whose log has a signed head (so its key must not go missing)."""
    data = tmp_path_factory.mktemp("serve-city")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIVIC_DATA_DIR", str(data))
        seeded = runner.invoke(app, ["seed", "--scale", "0.001", "--history-days", "1"])
        assert seeded.exit_code == 0, seeded.output
        assert runner.invoke(app, ["log", "head"]).exit_code == 0
    return data


def serve(data: Path, *flags: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CIVIC_")}
    return subprocess.run(
        [str(CIVICGRAPH), "serve", "--port", env.pop("port", str(free_port())), *flags],
        env={**clean, "CIVIC_DATA_DIR": str(data), "CIVIC_SIMULATOR": "0", "COLUMNS": "300", **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def assert_one_line_exit_3(done: subprocess.CompletedProcess[str], says: str) -> None:
    assert done.returncode == ExitCode.STARTUP_FAILED, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, done.stderr
    assert says in errors[0]
    assert "CivicGraph on http" not in done.stdout  # never announced as serving


def test_a_missing_log_key_at_start_up_is_one_line_and_exit_3(city: Path) -> None:
    # given
    key = city / "keys" / "log-ed25519.pem"
    saved = key.read_bytes()
    key.unlink()
    try:
        # when
        done = serve(city)
    finally:
        key.write_bytes(saved)
    # then
    assert_one_line_exit_3(done, f"no log signing key at {key}, but the log has signed heads")


def test_a_workers_start_up_failure_is_serves_one_line_and_exit_3(city: Path) -> None:
    """Worker 0 cannot open the log (its key is missing): `serve --workers 2` says why in its
    one line, and never starts the other worker."""
    key = city / "keys" / "log-ed25519.pem"
    saved = key.read_bytes()
    key.unlink()
    try:
        done = serve(city, "--workers", "2", CIVIC_BUS_URL="redis://127.0.0.1:9/0")
    finally:
        key.write_bytes(saved)
    assert_one_line_exit_3(
        done, f"worker 0: the server could not start: no log signing key at {key}"
    )
    assert done.stderr.count("Started server process") == 1


def test_workers_without_a_shared_bus_are_one_line_and_exit_3(city: Path) -> None:
    done = serve(city, "--workers", "2")
    assert_one_line_exit_3(done, "--workers 2 needs CIVIC_BUS_URL=redis://HOST:PORT/DB")
    done = serve(city, CIVIC_WORKERS="3", CIVIC_BUS_URL="memory://")
    assert_one_line_exit_3(done, "--workers 3 needs CIVIC_BUS_URL=redis://HOST:PORT/DB")


def test_workers_with_a_data_dir_too_long_for_their_socket_are_one_line_and_exit_3(
    tmp_path: Path,
) -> None:
    """The workers hand their graph writes over a Unix socket in the data dir: with a path
    too long for one, `serve --workers` refuses to start (a review's followers answered every
    filing 503 for as long as they ran)."""
    data = tmp_path / ("d" * (110 - len(str(tmp_path))))
    done = serve(data, "--workers", "2", CIVIC_BUS_URL="redis://127.0.0.1:9/0")
    assert_one_line_exit_3(done, "--workers 2 needs a shorter CIVIC_DATA_DIR")


def test_workers_serve_the_merged_api_only(city: Path) -> None:
    done = serve(city, "--workers", "2", "--subgraph", "city")
    assert done.returncode == ExitCode.USAGE, done.stderr
    assert "(or CIVIC_WORKERS) serves the merged API" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_port_in_use_is_one_line_and_exit_3(city: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = serve(city, port=str(port))
    assert_one_line_exit_3(done, f"cannot listen on 127.0.0.1:{port}: Address already in use")


async def test_a_graph_file_another_process_holds_is_one_line_and_exit_3(city: Path) -> None:
    store = LadybugStore(city / "graph.lbug")  # this process now holds the write lock
    try:
        done = await asyncio.to_thread(serve, city)
    finally:
        await store.close()
    assert_one_line_exit_3(done, "cannot open the graph")
    assert "another process holds it, such as a running `civicgraph serve`" in done.stderr


def test_an_unreachable_database_is_one_line_and_exit_3(tmp_path: Path) -> None:
    done = serve(tmp_path, CIVIC_DB_URL="postgres://civic:secret@127.0.0.1:9/civic")
    assert_one_line_exit_3(done, "cannot open records at postgres://civic:***@127.0.0.1:9/civic")
    assert "secret" not in done.stderr


def failing_app(error: BaseException) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        raise error
        yield

    return Starlette(lifespan=lifespan)


def test_a_handled_start_up_error_is_kept_and_its_traceback_not_logged(
    capfd: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(StartupFailed) as failed:
        serve_app(failing_app(LogError("no log signing key at k.pem")), listen("127.0.0.1", 0))
    assert failed.value.exit_code == ExitCode.STARTUP_FAILED
    assert str(failed.value) == "the server could not start: no log signing key at k.pem"
    logged = capfd.readouterr().err
    assert "Application startup failed" in logged
    assert "Traceback" not in logged


def test_an_unexpected_start_up_error_is_one_line_with_its_traceback_in_the_log_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    with pytest.raises(StartupFailed) as failed:
        serve_app(failing_app(AttributeError("planted")), listen("127.0.0.1", 0))
    log = tmp_path / "logs" / "civicgraph.log"
    assert "unexpected AttributeError at start-up: planted" in str(failed.value)
    assert str(log) in str(failed.value)
    assert "Traceback" not in capfd.readouterr().err
    assert "AttributeError: planted" in log.read_text()


def test_listen_refuses_a_host_it_cannot_resolve() -> None:
    with pytest.raises(StartupFailed, match=r"cannot listen on no-such-host\.invalid:8000"):
        listen("no-such-host.invalid", 8000)


def test_an_unknown_subgraph_is_one_line_and_exit_3(city: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CIVIC_")}
    done = subprocess.run(
        [str(CIVICGRAPH), "serve", "--subgraph", "weather", "--port", str(free_port())],
        env={**clean, "CIVIC_DATA_DIR": str(city), "COLUMNS": "300"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert_one_line_exit_3(done, "no subgraph 'weather' (one of: city, sensing, services,")


@pytest.mark.parametrize(
    ("values", "says"),
    [
        (["city:0", "data:4002"], "'city:0': the port of NAME:PORT must be in 1..65535"),
        (["city:0"], "'city:0': the port of NAME:PORT must be in 1..65535"),
        (["city:"], "'city:': the port of NAME:PORT must be in 1..65535"),
        (["city:4001", "data"], "'data': several subgraphs need NAME:PORT each"),
        (["city:4001", "city:4002"], "'city:4002': name or port given twice"),
        (["city:4001", "data:4001"], "'data:4001': name or port given twice"),
    ],
)
def test_several_subgraphs_need_distinct_names_and_ports(values: list[str], says: str) -> None:
    arguments = [part for value in values for part in ("--subgraph", value)]
    result = runner.invoke(app, ["serve", *arguments], env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert says in result.output
    if len(values) == 1:
        assert "several" not in result.output


@pytest.mark.parametrize("values", [["city:4170"], ["city:4170", "data:4172"]])
def test_port_with_name_port_values_is_a_usage_error(values: list[str]) -> None:
    # --port would be ignored: each NAME:PORT names its own
    arguments = [part for value in values for part in ("--subgraph", value)]
    result = runner.invoke(app, ["serve", *arguments, "--port", "4171"], env={"COLUMNS": "300"})
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "--port 4171 cannot be given with NAME:PORT values" in result.output


def test_serve_subgraphs_closes_the_sockets_it_opened_when_a_later_port_is_taken(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # given the second subgraph's port taken
    opened: list[socket.socket] = []

    def listening(host: str, port: int) -> socket.socket:
        sock = listen(host, port)
        opened.append(sock)
        return sock

    monkeypatch.setattr(serving, "listen", listening)
    first, taken = free_port(), free_port()
    settings = Settings(data_dir=tmp_path)
    # when both are to be served from one process
    with (
        socket.create_server(("127.0.0.1", taken)),
        pytest.raises(StartupFailed, match=f"cannot listen on 127.0.0.1:{taken}"),
    ):
        serving.serve_subgraphs(settings, {"city": first, "sensing": taken})

    # then the first one's socket, opened before the refusal, is closed
    assert len(opened) == 1
    assert opened[0].fileno() == -1
