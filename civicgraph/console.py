"""What every CLI command shares: the consoles and running async work with one-line errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Protocol, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from graph.errors import GraphError
from ledger.errors import LedgerError

console = Console()
err = Console(stderr=True)
T = TypeVar("T")


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one error line; the caller raises what this returns."""
    err.print(f"[red]error:[/red] {message}", soft_wrap=True, highlight=False)
    return typer.Exit(code=code)


def run(work: Callable[[], Awaitable[T]]) -> T:
    """Run async work; a handled error (graph, records, log) prints one line and exits 1."""
    try:
        return asyncio.run(work())  # type: ignore[arg-type]
    except (GraphError, LedgerError) as error:
        raise fail(str(error)) from None


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
