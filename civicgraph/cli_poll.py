"""`civicgraph poll`: re-tally a poll from the verifiable log alone."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import TaskID
from rich.table import Table

from civicgraph.cli_bounds import MAX_INT64
from civicgraph.cli_log import verifier_from
from civicgraph.console import console, fail, progress_bar, run
from civicgraph.settings import Settings
from civicgraph.stores import open_stores
from graph.records import open_records
from zk.bbs.curves import Backend, curve_for
from zk.bbs.suites import sha256_suite
from zk.polls.audit import Audit, audit_poll
from zk.polls.errors import PollRefusal
from zk.polls.simulate import Simulation, simulate

poll_app = typer.Typer(
    help="Neighbourhood polls: anonymous ballots in the log.", no_args_is_help=True
)


@poll_app.command("verify")
def verify(
    poll_id: Annotated[str, typer.Argument(help="The poll's id (poll-…).")],
    key: Annotated[
        str | None,
        typer.Option(help="The log's verifier key NAME+KEYID+KEY, or @FILE (default: this log's)."),
    ] = None,
    workers: Annotated[int, typer.Option(help="Processes checking proofs.", min=1, max=64)] = 2,
    backend: Annotated[Backend, typer.Option(help="The curve backend.")] = Backend.ARKWORKS,
) -> None:
    """Re-tally POLL_ID from the log's leaves and the published keys, against the signed head.

    Every ballot's proof is checked (batched, on WORKERS processes), every pseudonym must be
    new, every leaf must hash to the signed tree head. Exit 1 names what is wrong.
    """
    settings = Settings()
    log_verifier = verifier_from(key, settings)

    async def work() -> Audit:
        records = await open_records(settings.records_location, migrate=False)
        try:
            with progress_bar() as bar:
                tasks: dict[str, TaskID] = {}

                def progress(stage: str, done: int, total: int) -> None:
                    if stage not in tasks:
                        tasks[stage] = bar.add_task(stage, total=total)
                    bar.update(tasks[stage], completed=done, total=total)

                return await audit_poll(
                    records,
                    log_verifier,
                    poll_id,
                    backend=backend,
                    workers=workers,
                    progress=progress,
                )
        finally:
            await records.close()

    audit = run(work)
    for finding in audit.findings:
        where = f"leaf {finding.leaf_index}" if finding.leaf_index is not None else "log"
        console.print(f"[red]{where}:[/red] {finding.problem}", highlight=False)
    if audit.poll is None:
        raise fail(f"cannot re-tally {poll_id}")
    table = Table(title=f"{audit.poll.question} ({poll_id}, log of {audit.tree_size:,} leaves)")
    table.add_column("option")
    table.add_column("ballots", justify="right")
    for option, count in zip(audit.poll.options, audit.counts, strict=True):
        table.add_row(option, f"{count:,}")
    console.print(table)
    console.print(
        f"{audit.counted:,} ballots counted of {audit.ballots_seen:,} in the log; "
        f"{len(audit.findings)} problems"
    )
    if not audit.ok:
        raise typer.Exit(code=1)


@poll_app.command("simulate")
def simulate_command(
    district: Annotated[str, typer.Option(help="The gu whose residents vote (code).")] = "11680",
    turnout: Annotated[
        float, typer.Option(help="Share of the gu's residents who vote.", min=0.0001, max=1.0)
    ] = 0.18,
    keep: Annotated[
        Path | None,
        typer.Option(help="Keep the simulation's records, log and keys in this folder."),
    ] = None,
    seed: Annotated[
        int, typer.Option(help="Seed of who votes for what.", min=0, max=MAX_INT64)
    ] = 2026,
) -> None:
    """A poll of a gu's residents at the seed's scale, through the real code: each enrols,
    gets this month's credential and votes; then the poll is re-tallied from its log.

    The city's side runs in a scratch folder (deleted unless --keep), never in the live
    records: the real month's credentials are not spent. The graph is only read."""
    settings = Settings()

    async def work(folder: Path) -> Simulation:
        stores = await open_stores(settings, read_only=True)
        try:
            with progress_bar() as bar:
                task = bar.add_task(f"residents of {district} voting", total=None)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                suite = sha256_suite(curve_for(settings.bbs_backend))
                return await simulate(
                    stores.graph, suite, folder, district, turnout, seed=seed, progress=progress
                )
        except PollRefusal as error:
            raise fail(str(error)) from None
        finally:
            await stores.close()

    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        result = run(lambda: work(keep))
    else:
        with tempfile.TemporaryDirectory(prefix="civicgraph-poll-") as scratch:
            result = run(lambda: work(Path(scratch)))
    counted = result.tally
    table = Table(title=f"{counted.poll.question} ({district}, turnout {turnout:.0%})")
    table.add_column("option")
    table.add_column("ballots", justify="right")
    for option, count in zip(counted.poll.options, counted.counts, strict=True):
        table.add_row(option, f"{count:,}")
    console.print(table)
    refused = ", ".join(f"{n:,} {code}" for code, n in result.refused.items()) or "none"
    console.print(
        f"{result.residents:,} residents of {district} in the graph; {result.voters:,} voted; "
        f"{counted.total:,} ballots counted; refused: {refused}"
    )
    console.print(
        f"{result.per_ballot_ms:.0f} ms per voter (enrol, credential, ballot, cast); "
        f"re-tally from the log: {'ok' if result.audit.ok else 'FAILED'} "
        f"({result.audit.counted:,} ballots)"
    )
    if not result.audit.ok or list(counted.counts) != result.audit.counts:
        raise typer.Exit(code=1)
