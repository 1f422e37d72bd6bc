"""`civicgraph poll`: re-tally a poll from the verifiable log alone."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import TaskID
from rich.table import Table

from civicgraph.cli_log import verifier_from
from civicgraph.console import console, fail, progress_bar, run
from civicgraph.settings import Settings
from graph.records import open_records
from zk.bbs.curves import Backend
from zk.polls.audit import Audit, audit_poll

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
