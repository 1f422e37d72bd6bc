"""What every CLI command shares: the consoles, one-line errors, running async work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from civicgraph.settings import Settings

console = Console()
err = Console(stderr=True)
T = TypeVar("T")


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one error line (`message` is text, not rich markup); the caller raises the Exit."""
    err.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True, highlight=False)
    return typer.Exit(code=code)


def settings_from(**flags: Any) -> Settings:
    """The settings from `CIVIC_*` variables, under the command-line flags given (not None).

    Flags carry their own ranges (Click's usage errors); a bad variable raises pydantic's
    ValidationError, which the CLI boundary prints as one line naming the variable.
    """
    return Settings(**{name: value for name, value in flags.items() if value is not None})


def run(work: Callable[[], Awaitable[T]]) -> T:
    """Run async work to its end. Its errors are the CLI boundary's (`civicgraph.boundary`)."""
    return asyncio.run(work())  # type: ignore[arg-type]


def progress_bar() -> Progress:
    """The progress bar of long work (seeding, simulating): label, bar, n/total, time."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    return Progress(*columns, console=console)


class CheckResult(Protocol):
    """One checked vector file: `ledger.vectors.ProbeResult`, `zk.bbs.fixtures.FixtureResult`."""

    @property
    def path(self) -> Path: ...

    @property
    def passed(self) -> bool: ...

    @property
    def detail(self) -> str: ...


def print_checks(results: Iterable[CheckResult], root: Path) -> tuple[int, int]:
    """One PASS/FAIL line per file (relative to `root`); returns (passed, failed)."""
    passed = failed = 0
    for result in results:
        mark = "[green]PASS[/green]" if result.passed else "[red]FAIL[/red]"
        name = result.path.relative_to(root)
        console.print(f"{mark} {name}: {result.detail}", soft_wrap=True, highlight=False)
        passed += result.passed
        failed += not result.passed
    return passed, failed
