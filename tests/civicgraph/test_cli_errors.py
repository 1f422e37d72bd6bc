"""The CLI's one error boundary: every bad setting, a handled error and a bug, each one line.

Through typer's CliRunner (asserting on `result.exception`: the runner never prints a
traceback) and through the real `civicgraph` executable (its stderr has no traceback).
"""

from __future__ import annotations

import enum
import os
import signal
import subprocess
import sys
import time
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from pydantic.fields import FieldInfo
from typer.testing import CliRunner

from civicgraph.cli import app
from civicgraph.settings import Settings
from tests.civicgraph.runner import BoundaryRunner, assert_refused

runner = BoundaryRunner()
CIVICGRAPH = Path(sys.executable).with_name("civicgraph")
FREE_TEXT = (str, Path, SecretStr)
"""Field types for which every string is a valid value: no bad value to try."""
GARBAGE = ("abc", "-1", "0", "", "a b", "nope!", "1e999")


def _plain(annotation: Any) -> Any:
    """`int` of `int | None`."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _candidates(field: FieldInfo) -> list[str]:
    kind = _plain(field.annotation)
    bounds: list[str] = []
    for rule in field.metadata:
        for name, step in (("ge", -1), ("gt", 0), ("le", 1), ("lt", 0)):
            limit = getattr(rule, name, None)
            if limit is not None:
                bounds.append(str(limit + step))
    if kind is bool:
        return ["maybe"]
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return ["no-such-choice"]
    if kind in (int, float):
        return ["abc", *bounds]
    return list(GARBAGE)


def _refused(name: str, value: str) -> bool:
    try:
        Settings(**{name: value})
    except ValueError:  # pydantic's ValidationError is a ValueError
        return True
    return False


def bad_settings() -> list[tuple[str, str]]:
    """(field, value) for every value of every setting that Settings refuses (per its type,
    range, pattern or validator). A field of another type than free text must have one."""
    rows: list[tuple[str, str]] = []
    for name, field in Settings.model_fields.items():
        refused = [value for value in _candidates(field) if _refused(name, value)]
        kind = _plain(field.annotation)
        assert refused or kind in FREE_TEXT, f"no bad value known for setting {name} ({kind})"
        rows += [(name, value) for value in dict.fromkeys(refused)]
    return rows


BAD = bad_settings()


def variable(name: str) -> str:
    return f"CIVIC_{name.upper()}"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("CIVIC_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    return tmp_path


def test_every_kind_of_setting_has_bad_values_to_try() -> None:
    tried = {name for name, _ in BAD}
    for name in ("port", "scale", "simulator", "bbs_backend", "log_origin", "max_page_size"):
        assert name in tried
    assert ("port", "abc") in BAD
    assert ("port", "65536") in BAD


@pytest.mark.parametrize(("name", "value"), BAD, ids=[f"{n}={v!r}" for n, v in BAD])
def test_a_bad_setting_is_one_line_naming_its_variable_and_exit_1(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    # given
    monkeypatch.setenv(variable(name), value)
    # when
    result = runner.invoke(app, ["log", "key"])
    # then
    assert_refused(result, 1)
    assert result.stderr.startswith(f"error: {variable(name)}: "), result.stderr
    assert result.stdout == ""


def test_the_issue_example_port_abc_names_civic_port(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIVIC_PORT", "abc")
    result = runner.invoke(app, ["serve"])
    assert_refused(result, 1)
    assert result.stderr.strip() == (
        "error: CIVIC_PORT: Input should be a valid integer, unable to parse string as an integer"
    )


def test_a_flag_out_of_range_is_a_usage_error_exit_2(data_dir: Path) -> None:
    result = runner.invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert "--port" in result.output


def _run(arguments: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CIVIC_")}
    return subprocess.run(
        [str(CIVICGRAPH), *arguments],
        env={**clean, "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def is_json(name: str) -> bool:
    """A setting pydantic-settings reads as JSON (a list, a dict): its parse error comes first,
    alone, before the other settings are validated."""
    kind = typing.get_origin(_plain(Settings.model_fields[name].annotation))
    return kind in (list, dict, set, frozenset, tuple)


def test_every_bad_setting_at_once_through_the_real_cli(tmp_path: Path) -> None:
    # given: the first refused value of each (plain) setting, all at once
    first = {name: value for name, value in reversed(BAD) if not is_json(name)}
    env = {variable(name): value for name, value in first.items()}
    # when
    done = _run(["log", "key"], {**env, "CIVIC_DATA_DIR": str(tmp_path)})
    # then: one line naming each variable, and no traceback
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for name in first:
        assert f"{variable(name)}: " in lines[0]


@pytest.mark.parametrize("name", sorted({name for name, _ in BAD if is_json(name)}))
def test_a_setting_that_is_not_json_through_the_real_cli(tmp_path: Path, name: str) -> None:
    done = _run(["log", "key"], {variable(name): "[", "CIVIC_DATA_DIR": str(tmp_path)})
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"error: {variable(name)}: cannot parse the value: Expecting value: line 1 column 2 "
        "(char 1)"
    ]


@pytest.mark.parametrize(
    ("arguments", "env", "says"),
    [
        (["serve"], {"CIVIC_PORT": "abc"}, "error: CIVIC_PORT: Input should be a valid integer"),
        (["seed"], {"CIVIC_SCALE": "2"}, "error: CIVIC_SCALE: Input should be less than or equal"),
    ],
    ids=["serve", "seed"],
)
def test_a_bad_setting_through_the_real_cli_is_one_line(
    tmp_path: Path, arguments: list[str], env: dict[str, str], says: str
) -> None:
    done = _run(arguments, {**env, "CIVIC_DATA_DIR": str(tmp_path)})
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert says in done.stderr


def _boom(*args: object, **kwargs: object) -> None:
    raise KeyError("a bug")


def test_an_unexpected_error_is_one_line_and_its_traceback_goes_to_the_log(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setattr("civicgraph.cli_log.load_signer", _boom)
    # when
    result = runner.invoke(app, ["log", "key"])
    # then
    assert_refused(result, 1)
    log = data_dir / "logs" / "civicgraph.log"
    assert "unexpected KeyError: 'a bug'" in result.stderr
    assert str(log) in result.stderr
    assert "CIVIC_DEBUG=1" in result.stderr
    logged = log.read_text()
    assert "Traceback (most recent call last)" in logged
    assert "KeyError: 'a bug'" in logged


def test_civic_debug_lets_an_unexpected_error_out_with_its_traceback(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("civicgraph.cli_log.load_signer", _boom)
    monkeypatch.setenv("CIVIC_DEBUG", "1")
    result = CliRunner().invoke(app, ["log", "key"])
    assert isinstance(result.exception, KeyError)


def test_a_handled_error_stays_one_line_under_civic_debug(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIVIC_DEBUG", "1")
    result = runner.invoke(app, ["log", "key"])
    assert_refused(result, 1)
    assert "no log signing key" in result.stderr


def test_an_unexpected_error_through_the_real_cli_prints_no_traceback(tmp_path: Path) -> None:
    # given: the real entry point (typer's except hook included), with a bug planted
    program = (
        "import civicgraph.cli_log as m\n"
        "def boom(*a, **k):\n    raise ZeroDivisionError('planted')\n"
        "m.load_signer = boom\n"
        "from civicgraph.cli import app\n"
        "app(['log', 'key'], prog_name='civicgraph')\n"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CIVIC_")}
    env = {**clean, "CIVIC_DATA_DIR": str(tmp_path), "COLUMNS": "300"}
    # when
    done = subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=120
    )
    # then
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "╭" not in done.stderr  # no rich traceback box either
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "unexpected ZeroDivisionError: planted" in done.stderr
    assert "ZeroDivisionError: planted" in (tmp_path / "logs" / "civicgraph.log").read_text()


def test_rich_markup_in_an_error_message_is_printed_as_text(tmp_path: Path) -> None:
    missing = tmp_path / "[bold]x[/bold]"
    result = runner.invoke(app, ["log", "check-vectors", str(missing)])
    assert_refused(result, 1)
    assert "[bold]x[/bold]" in result.stderr


def test_ctrl_c_while_the_cli_loads_is_exit_130_without_a_traceback() -> None:
    # given: the real command, interrupted while it imports its modules (about 2 s), started as
    # a terminal starts it: SIGINT at its default, whatever this test process inherited (a suite
    # started as a background job inherits SIGINT ignored, and the command then ran to exit 0)
    process = subprocess.Popen(
        [str(CIVICGRAPH), "--help"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(0.5)
    # when
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    # then: as Ctrl-C during a command (Typer: 130, nothing printed)
    assert process.returncode == 130, err
    assert "Traceback" not in err
