"""Every argument and option of every `civicgraph` command has bounds: a huge, negative, empty,
overlong or control-character value is a usage error (exit 2) before the command runs, never
an `unexpected …` line. The commands are found by walking the Typer app, so new ones are
covered; the reviewer's examples (`readings roll-up --keep-days 99999999999`, `keys create ""`)
are rows of the table."""

from __future__ import annotations

import enum
import os
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command

from civicgraph.cli import app
from civicgraph.cli_bounds import MAX_TEXT, checked_text
from graph.records.api_keys import MAX_NAME, KeyRefusal, Tier, create_key
from tests.civicgraph.runner import BoundaryRunner

runner = BoundaryRunner()
HUGE_INTS = ("99999999999", str(2**64), "-99999999999", str(-(2**64)))
"""With each number's maximum + 1 and minimum - 1 (those in its range are left out)."""
BAD_FLOATS = ("1e309", "-1e309", "nan", "99999999999", "-99999999999")
BAD_TEXT = ("", "   ", "x" * (MAX_TEXT + 1), "a\x00b", "line\nbreak", "\x1b[31mred")


@dataclass(frozen=True)
class Parameter:
    """One parameter of one command: how to pass it, and its plain annotation."""

    path: tuple[str, ...]
    name: str
    flag: str | None
    kind: Any
    required: bool
    minimum: Any
    maximum: Any


def _plain(annotation: Any) -> Any:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    return args[0] if len(args) == 1 else annotation


def _walk(command: Any, path: tuple[str, ...]) -> list[list[Parameter]]:
    if hasattr(command, "commands"):
        found: list[list[Parameter]] = []
        for name, sub in command.commands.items():
            found.extend(_walk(sub, (*path, name)))
        return found
    params = [
        Parameter(
            path,
            str(p.name),
            p.opts[0] if p.opts[0].startswith("--") else None,
            _plain(p.type_descriptor.annotation),
            bool(p.required),
            p.min,
            p.max,
        )
        for p in command.params
    ]
    return [params]


COMMANDS = _walk(get_command(app), ())
ALL = [p for params in COMMANDS for p in params]


def _filler(param: Parameter) -> list[str]:
    """A plausible value for a required parameter (the command must not get to run)."""
    if isinstance(param.kind, type) and issubclass(param.kind, enum.Enum):
        value = str(next(iter(param.kind)).value)
    elif param.kind in (int, float):
        value = "1"
    elif param.kind is Path:
        value = "/nonexistent/civicgraph-bounds"
    else:
        value = "x"
    return [param.flag, value] if param.flag else [value]


def _bad_values(param: Parameter) -> tuple[str, ...]:
    if param.kind is int:
        beyond = () if param.maximum is None else (str(param.maximum + 1),)
        below = () if param.minimum is None else (str(param.minimum - 1),)
        return (
            (*HUGE_INTS, *beyond, *below)
            if param.maximum is None
            else (
                *[v for v in HUGE_INTS if not param.minimum <= int(v) <= param.maximum],
                *beyond,
                *below,
            )
        )
    if param.kind is float:
        return BAD_FLOATS
    if param.kind is str:
        return BAD_TEXT
    if param.kind is Path:
        return ("x" * 5_000, "a\x00b")
    return ()


CASES = [
    pytest.param(param, bad, id=f"{' '.join(param.path)} {param.name}={bad[:12]!r}")
    for param in ALL
    for bad in _bad_values(param)
]


def test_every_command_is_walked() -> None:
    names = {" ".join(p.path) for p in ALL}
    assert {"readings roll-up", "keys create", "serve", "wallet vote", "poll simulate"} <= names


@pytest.mark.parametrize("param", [p for p in ALL if p.kind in (int, float)], ids=str)
def test_every_number_has_a_minimum_and_a_maximum(param: Parameter) -> None:
    assert param.minimum is not None, param
    assert param.maximum is not None, param


@pytest.mark.parametrize(("param", "bad"), CASES)
def test_a_value_out_of_bounds_is_a_usage_error(
    param: Parameter, bad: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a scratch data folder and every other required parameter filled in
    for name in list(os.environ):
        if name.startswith("CIVIC_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    [params] = [ps for ps in COMMANDS if ps and ps[0].path == param.path]
    options: list[str] = []
    positionals: list[str] = []
    for other in params:
        given = ([other.flag, bad] if other.flag else [bad]) if other == param else None
        if given is None and other.required:
            given = _filler(other)
        if given is not None:
            (options if other.flag else positionals).extend(given)
    argv = [*param.path, *options, "--", *positionals]  # "--": a negative number is a value
    # when
    result = runner.invoke(app, argv)
    # then Click refuses it, naming the parameter; nothing ran
    assert result.exit_code == 2, (argv[:6], result.output[-400:])
    assert isinstance(result.exception, SystemExit)
    assert "unexpected" not in result.output
    assert "Invalid value" in result.output, result.output[-400:]


@pytest.mark.parametrize(
    "argv",
    [
        ["readings", "roll-up", "--keep-days", "99999999999"],
        ["keys", "create", "", "--tier", "developer"],
    ],
    ids=["keep-days-huge", "empty-key-name"],
)
def test_reviewer_examples_are_usage_errors(argv: list[str]) -> None:
    result = runner.invoke(app, argv)
    assert result.exit_code == 2
    assert "unexpected" not in result.output


@pytest.mark.parametrize("value", ["x", "소음 측정 앱", "x" * MAX_TEXT])
def test_checked_text_keeps_plain_text(value: str) -> None:
    assert checked_text(value) == value


@pytest.mark.parametrize("name", ["", "  ", "x" * (MAX_NAME + 1)])
async def test_create_key_refuses_a_blank_or_overlong_name(name: str) -> None:
    with pytest.raises(KeyRefusal):
        await create_key(typing.cast(Any, None), name, Tier.DEVELOPER)  # refused before a query
