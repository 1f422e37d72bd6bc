"""The supervisor of `federation up`: every child, and every process of its group, is stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from civicgraph.federation.errors import ProcessFailed
from civicgraph.federation.processes import Supervisor

WAIT_S = 20
SPAWNS_A_GRANDCHILD = """
import subprocess, sys, time
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
print("grandchild", grandchild.pid, flush=True)
time.sleep(300)
"""
IGNORES_SIGTERM = """
import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(300)
"""
PARENT_THAT_DIES = """
import os, sys, time
from pathlib import Path
from civicgraph.federation.processes import Supervisor
supervisor = Supervisor(Path(sys.argv[1]))
child = supervisor.start(
    "orphan", [sys.executable, "-c", "import time; time.sleep(300)"], env=os.environ,
    health_urls=[],
)
print(child.process.pid, flush=True)
time.sleep(300)
"""


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie, exited but not reaped by its parent, counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def wait_for_line(path: Path, prefix: str) -> str:
    """The first whole line of `path` that starts with `prefix`. A line counts once its newline
    is written: with PYTHONUNBUFFERED (set on CI's machine) `print("a", 1)` is four writes, and
    a read between them sees "a" alone."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        text = path.read_text() if path.exists() else ""
        for line in text[: text.rfind("\n") + 1].splitlines():
            if line.startswith(prefix):
                return line
        time.sleep(0.05)
    raise AssertionError(f"no line starting {prefix!r} in {path}")


def wait_gone(pid: int) -> bool:
    deadline = time.monotonic() + WAIT_S
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


def test_stop_all_stops_a_child_and_its_grandchild(tmp_path: Path) -> None:
    # given a child that started a process of its own
    supervisor = Supervisor(tmp_path)
    child = supervisor.start(
        "parent", [sys.executable, "-c", SPAWNS_A_GRANDCHILD], env=os.environ, health_urls=[]
    )
    grandchild = int(wait_for_line(child.log_path, "grandchild").split()[1])
    assert alive(grandchild)

    # when the supervisor stops its children
    supervisor.stop_all()

    # then both are gone
    assert child.process.returncode is not None
    gone = wait_gone(grandchild)
    if not gone:
        os.kill(grandchild, signal.SIGKILL)
    assert gone


def test_stop_all_kills_a_child_that_ignores_sigterm(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path)
    child = supervisor.start(
        "stubborn", [sys.executable, "-c", IGNORES_SIGTERM], env=os.environ, health_urls=[]
    )
    wait_for_line(child.log_path, "ready")
    supervisor.stop_all(grace_s=0.5)
    assert child.process.returncode == -signal.SIGKILL


def test_leaving_the_supervisor_by_an_error_stops_its_children(tmp_path: Path) -> None:
    started: list[subprocess.Popen[bytes]] = []

    def fail_while_running() -> None:
        with Supervisor(tmp_path) as supervisor:
            child = supervisor.start(
                "sleeper",
                [sys.executable, "-c", "import time; time.sleep(300)"],
                env=os.environ,
                health_urls=[],
            )
            started.append(child.process)
            raise RuntimeError("something failed while they ran")

    with pytest.raises(RuntimeError):
        fail_while_running()
    assert started[0].returncode is not None


def test_a_child_dies_when_its_supervising_process_is_killed(tmp_path: Path) -> None:
    # given a process supervising a child
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT_THAT_DIES, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None
        orphan = int(parent.stdout.readline())
        assert alive(orphan)

        # when the supervising process is killed, with no chance to stop its child
        parent.kill()
    finally:
        parent.wait()

    # then the kernel ends the child too
    gone = wait_gone(orphan)
    if not gone:
        os.kill(orphan, signal.SIGKILL)
    assert gone


def test_wait_healthy_names_a_child_that_exits_first(tmp_path: Path) -> None:
    with Supervisor(tmp_path) as supervisor:
        child = supervisor.start(
            "broken",
            [sys.executable, "-c", "import sys; print('no seed here'); sys.exit(3)"],
            env=os.environ,
            health_urls=["http://127.0.0.1:9/healthz"],
        )
        with pytest.raises(
            ProcessFailed, match=r"broken exited with code 3 before .*: no seed here"
        ):
            supervisor.wait_healthy(child, timeout_s=WAIT_S)


def test_wait_healthy_gives_up_after_the_timeout(tmp_path: Path) -> None:
    with Supervisor(tmp_path) as supervisor:
        child = supervisor.start(
            "silent",
            [sys.executable, "-c", "import time; time.sleep(300)"],
            env=os.environ,
            health_urls=["http://127.0.0.1:9/healthz"],
        )
        with pytest.raises(ProcessFailed, match="was not healthy"):
            supervisor.wait_healthy(child, timeout_s=0.5)
    assert child.process.returncode is not None


def test_start_appends_to_a_log_another_run_writes(tmp_path: Path) -> None:
    # given a log that a running child of another run still writes
    log = tmp_path / "subgraphs.log"
    log.write_text("the running stack's line\n")

    # when a child of the same name starts with the same log folder
    with Supervisor(tmp_path) as supervisor:
        child = supervisor.start(
            "subgraphs",
            [sys.executable, "-c", "print('the new run')"],
            env=os.environ,
            health_urls=[],
        )
        child.process.wait()

    # then the earlier lines are kept, the new ones after them
    assert log.read_text().splitlines() == ["the running stack's line", "the new run"]


def test_start_names_a_log_folder_it_cannot_make(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with (
        Supervisor(tmp_path / "file" / "logs") as supervisor,
        pytest.raises(ProcessFailed, match=r"cannot open .*subgraphs\.log"),
    ):
        supervisor.start("subgraphs", [sys.executable, "-c", ""], env=os.environ, health_urls=[])
