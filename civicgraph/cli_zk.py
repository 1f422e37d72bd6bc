"""`civicgraph zk`: BBS signatures; `check-vectors` runs the CFRG fixtures on a curve backend."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from civicgraph.console import console, fail, print_checks
from zk.bbs.curves import Backend, curve_for
from zk.bbs.fixtures import FixtureDirectoryError, run_fixtures

zk_app = typer.Typer(help="Zero-knowledge identity: BBS signatures.", no_args_is_help=True)


@zk_app.command("check-vectors")
def check_vectors(
    directory: Annotated[
        Path, typer.Argument(help="A folder laid out like the CFRG fixture_data (suite folders).")
    ],
    backend: Annotated[
        Backend, typer.Option(help="The curve backend to run on.")
    ] = Backend.ARKWORKS,
) -> None:
    """Run every BBS fixture under DIRECTORY: one line per file and a summary.

    Exit code 1 when any fixture fails, or when DIRECTORY holds none.
    """
    curve = curve_for(backend)
    try:
        passed, failed = print_checks(run_fixtures(directory, curve), directory)
    except FixtureDirectoryError as error:
        raise fail(str(error)) from None
    console.print(f"{passed + failed} fixtures on {curve.name}: {passed} passed, {failed} failed")
    if failed:
        raise typer.Exit(code=1)
