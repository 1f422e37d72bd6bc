"""`civicgraph procurement simulate`: a year of purchases through the state machine."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from civicgraph.cli_bounds import MAX_INT64
from civicgraph.console import console, progress_bar, run
from graph.records import open_records, sqlite_url
from ledger.keys import load_signer
from ledger.log import Log
from ledger.procurement.simulate import AUTOMATED_DAYS, MANUAL_DAYS, Report, simulate_year

procurement_app = typer.Typer(
    help="Standardised purchases under 100,000,000 KRW (smart contracts).", no_args_is_help=True
)


@procurement_app.command("simulate")
def simulate(
    purchases: Annotated[
        int, typer.Option(help="Purchases in the year.", min=1, max=100_000)
    ] = 1200,
    year: Annotated[int, typer.Option(help="The simulated year.", min=2000, max=2100)] = 2026,
    seed: Annotated[
        int, typer.Option(help="Random seed (same seed, same year).", min=0, max=MAX_INT64)
    ] = 1,
) -> None:
    """Run a year of purchases (create, publish, sealed bids, reveal, evaluate, award, deliver,
    pay) on a simulated clock, in a scratch log, and compare cycle times with Seoul's figures.
    """

    async def work(directory: Path) -> Report:
        records = await open_records(sqlite_url(directory / "records.sqlite3"))
        try:
            log = Log(records, load_signer(directory / "log.pem", "simulation.civicgraph/log"))
            with progress_bar() as progress:
                task = progress.add_task(f"Purchases of {year}", total=purchases)
                return await simulate_year(
                    log,
                    purchases=purchases,
                    year=year,
                    seed=seed,
                    advance=lambda done: progress.advance(task, done),
                )
        finally:
            await records.close()

    with tempfile.TemporaryDirectory(prefix="civic-procurement-") as scratch:
        report = run(lambda: work(Path(scratch)))
    table = Table(
        title=f"{report.purchases:,} purchases in {year} ({report.log_entries:,} log entries)"
    )
    for column in ("span", "mean", "median", "p90", "Seoul manual", "Seoul automated"):
        table.add_column(column, justify="right" if column != "span" else "left")
    mean, median, p90 = report.summary(report.to_award_days)
    table.add_row(
        "draft to award (days)",
        f"{mean:.1f}",
        f"{median:.1f}",
        f"{p90:.1f}",
        str(MANUAL_DAYS),
        str(AUTOMATED_DAYS),
    )
    mean, median, p90 = report.summary(report.to_payment_days)
    table.add_row("draft to payment (days)", f"{mean:.1f}", f"{median:.1f}", f"{p90:.1f}", "", "")
    console.print(table)
    console.print(
        f"Awarded {report.awarded:,}, paid {report.paid:,}, "
        f"{report.without_bids:,} without a revealed bid."
    )
