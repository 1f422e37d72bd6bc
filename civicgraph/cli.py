"""`civicgraph`: seed the city, serve the API, count what is stored, manage API keys."""

from __future__ import annotations

import logging
import shlex
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TypeVar

import httpx
import typer
from rich.table import Table

from civicgraph.boundary import BoundaryGroup, CliError
from civicgraph.cli_bounds import MAX_DAYS
from civicgraph.cli_cert import cert_app
from civicgraph.cli_documents import documents_app
from civicgraph.cli_federation import federation_app, supergraph
from civicgraph.cli_keys import keys_approve, keys_purge, keys_reject, keys_requests, keys_tier
from civicgraph.cli_log import log_app
from civicgraph.cli_ml import ml_app
from civicgraph.cli_poll import poll_app
from civicgraph.cli_procurement import procurement_app
from civicgraph.cli_wallet import wallet_app
from civicgraph.cli_zk import zk_app
from civicgraph.console import console, progress_bar, run, settings_from
from civicgraph.settings import Settings
from civicgraph.stores import Stores, open_issuer_keys, open_log, open_stores
from graph.open import NEO4J_SCHEMES
from graph.records import Records, api_keys, open_records, seed_state
from graph.records.api_keys import Tier
from graph.records.db import redact
from graph.records.identity import IssuerKeyRow, issuer_keys
from graph.records.readings import RollUp, reading_count, roll_up
from zk.credentials import codes
from zk.credentials.epochs import Epoch

app = typer.Typer(
    help="CivicGraph: the open data layer of a city, modelled on Seoul.",
    no_args_is_help=True,
    cls=BoundaryGroup,  # the one error boundary: one line and an exit code, never a traceback
    pretty_exceptions_show_locals=False,  # CIVIC_DEBUG=1 tracebacks must not print secrets
)
keys_app = typer.Typer(
    help="API keys; residents' enrolment codes; credential issuer keys.", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")
keys_app.command("requests")(keys_requests)
keys_app.command("approve")(keys_approve)
keys_app.command("reject")(keys_reject)
keys_app.command("tier")(keys_tier)
keys_app.command("purge")(keys_purge)
readings_app = typer.Typer(help="Sensor readings: retention.", no_args_is_help=True)
app.add_typer(readings_app, name="readings")
app.add_typer(log_app, name="log")
app.add_typer(cert_app, name="cert")
app.add_typer(procurement_app, name="procurement")
app.add_typer(zk_app, name="zk")
app.add_typer(wallet_app, name="wallet")
app.add_typer(poll_app, name="poll")
app.add_typer(federation_app, name="federation")
app.add_typer(ml_app, name="ml")
app.add_typer(documents_app, name="documents")
app.command("supergraph")(supergraph)
# The Neo4j driver logs a warning for every failed routing attempt; our one error line says it.
logging.getLogger("neo4j").setLevel(logging.CRITICAL)
T = TypeVar("T")


async def _with_stores(
    settings: Settings,
    work: Callable[[Stores], Awaitable[T]],
    *,
    read_only: bool = False,
    migrate: bool = False,
    loading: bool = False,
) -> T:
    stores = await open_stores(settings, read_only=read_only, migrate=migrate, loading=loading)
    try:
        return await work(stores)
    finally:
        await stores.close()


async def _with_records(settings: Settings, work: Callable[[Records], Awaitable[T]]) -> T:
    """The records alone: key management works while `serve` holds the embedded graph."""
    records = await open_records(settings.records_location, migrate=False)
    try:
        return await work(records)
    finally:
        await records.close()


def _export_neo4j(folder: Path, scale: float, history_days: int) -> None:
    from seeds.neo4j_import import export, import_arguments

    with progress_bar() as progress:
        manifest = export(folder, scale=scale, history_days=history_days, progress=progress)
    nodes, relationships = sum(manifest.nodes.values()), sum(manifest.relationships.values())
    where = shlex.quote(str(folder))
    console.print(
        f"Wrote Seoul at scale {scale} ({nodes:,} nodes, {relationships:,} relationships) to "
        f"{folder}. Next, with Neo4j stopped (its database `neo4j` is replaced), as the user "
        "who owns the folder:\n"
        f"  cd {shlex.quote(str(import_arguments(folder).parent))} && neo4j-admin database "
        "import full neo4j --overwrite-destination @import.args\n"
        f"(this project's Neo4j: tools/services/services.sh neo4j-import {where}); then start "
        f"Neo4j and run: civicgraph seed --imported {where}",
        soft_wrap=True,
        markup=False,
    )


@app.command()
def seed(
    scale: Annotated[
        float | None,
        typer.Option(
            help="Scale factor: 1.0 is Seoul's figures (default: CIVIC_SCALE, else 0.01).",
            min=1e-6,
            max=1.0,
            show_default=False,
        ),
    ] = None,
    history_days: Annotated[
        int | None,
        typer.Option(
            help="Days of 2-minute readings to write (default: CIVIC_HISTORY_DAYS, else 7).",
            min=1,
            max=31,
            show_default=False,
        ),
    ] = None,
    reset: Annotated[
        bool,
        typer.Option(
            "--reset", help="Reseed even if a complete seed is there (API keys are kept)."
        ),
    ] = False,
    activity: Annotated[
        bool,
        typer.Option(
            help="Also seed civic activity (polls and ballots, certificates, procurement) of "
            "each kind the records hold none of; it goes into the append-only log for good."
        ),
    ] = True,
    feeds: Annotated[
        bool,
        typer.Option(
            help="Also write the models' feeds up to now (the Han River stations' hourly "
            "readings, syndromic counts per gu, recorded incidents), each only where it has "
            "none (docs/analytics.md)."
        ),
    ] = True,
    export_neo4j: Annotated[
        Path | None,
        typer.Option(
            help="Only write the city as files for Neo4j's offline importer into this folder "
            "(empty or absent), touching no store: the fast first load at scale "
            "(docs/operations.md).",
            file_okay=False,
        ),
    ] = None,
    imported: Annotated[
        Path | None,
        typer.Option(
            help="The graph was loaded by `neo4j-admin database import` from the files of "
            "--export-neo4j in this folder: check it, create its constraints and indexes, "
            "and seed the records (scale and history from the folder).",
            exists=True,
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Seed Seoul into the graph and the records, unless a complete seed at this scale is there;
    then civic activity, unless the records hold some, and the models' feeds up to now
    (docs/operations.md)."""
    from civicgraph.seed_activity import seed_activity, stopped_half_way
    from ml.feeds import FEEDS, seed_feeds
    from seeds.neo4j_import import Manifest, seed_imported
    from seeds.seed import is_seeded
    from seeds.seed import seed as run_seed

    if export_neo4j is not None and imported is not None:
        raise typer.BadParameter("give --export-neo4j or --imported, not both")
    settings = settings_from(scale=scale, history_days=history_days)
    scale, history_days = settings.scale, settings.history_days
    if export_neo4j is not None:
        _export_neo4j(export_neo4j, scale, history_days)
        return
    if imported is not None:
        scale = Manifest.read(imported).scale
        if settings.graph_location.split("://", 1)[0] not in NEO4J_SCHEMES:
            raise CliError(
                f"the graph is {redact(settings.graph_location)}, not Neo4j: point "
                f"CIVIC_GRAPH_URL at the Neo4j the files in {imported} were imported into"
            )

    async def city(stores: Stores) -> None:
        # after an import the graph is new, whatever the records say: always seed them
        if imported is None and not reset and await is_seeded(stores.graph, stores.records, scale):
            console.print(f"Seoul is already seeded at scale {scale} (use --reset to reseed).")
            return
        if imported is not None:
            with progress_bar() as progress:
                counts = await seed_imported(
                    stores.graph, stores.records, imported, progress=progress
                )
            console.print(_counts_table(counts, f"Seeded Seoul at scale {scale} (imported)"))
            return
        state = await seed_state.current(stores.records)
        if state is not None and not state.complete:
            console.print("[yellow]A previous seed stopped half-way: seeding again.[/yellow]")
        elif state is not None and not reset:
            console.print(f"The city there is seeded at scale {state.scale}: reseeding at {scale}.")
        with progress_bar() as progress:
            counts = await run_seed(
                stores.graph,
                stores.records,
                scale=scale,
                history_days=history_days,
                progress=progress,
            )
        console.print(_counts_table(counts, f"Seeded Seoul at scale {scale}"))

    async def civic_activity(stores: Stores) -> None:
        log = await open_log(settings, stores.records)
        keyring = await open_issuer_keys(settings, stores.records)
        if await stopped_half_way(stores.records):
            console.print(
                "[yellow]A previous activity seed stopped half-way: what it wrote stays (the "
                "log is append-only); only kinds with none yet are seeded now. For complete "
                "activity, seed into a new CIVIC_DATA_DIR.[/yellow]",
                soft_wrap=True,
            )
        with progress_bar() as progress:
            added = await seed_activity(stores.graph, log, keyring, scale=scale, progress=progress)
        if added:
            console.print(_counts_table(added, "Seeded civic activity"))

    async def model_feeds(stores: Stores) -> None:
        with progress_bar() as progress:
            task = progress.add_task("Model feeds", total=len(FEEDS))

            def step(name: str) -> None:
                done = list(FEEDS).index(name)
                progress.update(task, description=f"Model feed: {name}", completed=done)

            written = await seed_feeds(
                stores.records, stores.graph, now=datetime.now(UTC), step=step
            )
            progress.update(task, completed=len(FEEDS))
        console.print(_counts_table(written, "Model feeds: rows written by this seed"))

    async def work(stores: Stores) -> None:
        await city(stores)
        if activity:
            await civic_activity(stores)
        if feeds:
            await model_feeds(stores)

    run(lambda: _with_stores(settings, work, migrate=True, loading=True))


@app.command()
def migrate() -> None:
    """Bring the stores' schemas up to date: records migrations and graph constraints/indexes."""

    async def work(stores: Stores) -> list[str]:
        await stores.graph.create_schema()
        return stores.records.migrations_applied

    applied = run(lambda: _with_stores(Settings(), work, migrate=True))
    names = ", ".join(applied) if applied else "none pending"
    console.print(
        f"Records migrations applied: {names}. Graph constraints and indexes in place.",
        soft_wrap=True,
    )


@app.command()
def serve(
    host: Annotated[
        str | None,
        typer.Option(
            help="Address to bind (default: CIVIC_HOST, else 127.0.0.1).", show_default=False
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            help="Port to bind (default: CIVIC_PORT, else 8000).",
            min=1,
            max=65535,
            show_default=False,
        ),
    ] = None,
    subgraph: Annotated[
        list[str] | None,
        typer.Option(
            help="Serve one subgraph (city, sensing, services, data, identity, trust, "
            "analytics) instead of the merged API; repeat as NAME:PORT to serve several from "
            "one process.",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Serve the merged API from N processes on one port (default: CIVIC_WORKERS, "
            "else 1; more than one needs a redis:// CIVIC_BUS_URL).",
            min=1,
            max=64,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the API: GraphQL and its explorer at /graphql, Open311, /healthz and /metrics.

    Exit code 3, with the reason in one line, when the server cannot start.
    """
    from civicgraph.serving import serve as serve_settings
    from civicgraph.serving import serve_subgraphs, subgraph_ports

    settings = settings_from(host=host, port=port, workers=workers)
    if subgraph and settings.workers > 1:
        raise typer.BadParameter(
            f"--workers {settings.workers} (or CIVIC_WORKERS) serves the merged API; serve "
            "subgraphs from one process each",
            param_hint="--workers",
        )
    if not subgraph:
        serve_settings(settings)
    elif len(subgraph) == 1 and ":" not in subgraph[0]:
        serve_settings(settings, subgraph[0])
    else:
        serve_subgraphs(settings, subgraph_ports(subgraph, port=port))


@app.command()
def stats(
    url: Annotated[
        str, typer.Option(help="A running server to ask first.", envvar="CIVIC_SERVER_URL")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Count what the stores hold, per type: from the running server, else read-only from disk."""
    try:
        response = httpx.get(f"{url}/healthz", timeout=2.0)
        response.raise_for_status()
        counts = response.json()["nodes"]
        console.print(_counts_table(counts, f"CivicGraph at {url}"))
        return
    except (httpx.HTTPError, KeyError, ValueError):
        pass
    settings = Settings()

    async def work(stores: Stores) -> dict[str, int]:
        counts = await stores.graph.count_by_label()
        counts["Reading"] = await reading_count(stores.records)
        return counts

    counts = run(lambda: _with_stores(settings, work, read_only=True))
    console.print(_counts_table(counts, f"CivicGraph stores in {settings.data_dir}"))


def _counts_table(counts: dict[str, int], title: str) -> Table:
    table = Table(title=title)
    table.add_column("type")
    table.add_column("count", justify="right")
    for name, value in counts.items():
        table.add_row(name, f"{value:,}")
    return table


@readings_app.command("roll-up")
def readings_roll_up(
    keep_days: Annotated[
        int | None,
        typer.Option(
            help="Days of raw readings to keep (default: CIVIC_READINGS_RETENTION_DAYS).",
            min=1,
            max=MAX_DAYS,
        ),
    ] = None,
) -> None:
    """Fold raw readings older than the retention period into hourly rows, then delete them.

    Run it from one place (cron, a scheduler): it is one transaction, safe to repeat, and
    readings that arrive late for an hour already folded are merged into it the next time.
    """
    settings = Settings()
    days = keep_days or settings.readings_retention_days

    async def work(records: Records) -> RollUp:
        return await roll_up(records, days, datetime.now(UTC))

    # the records alone: cron runs it while `serve` holds the embedded graph's lock
    result = run(lambda: _with_records(settings, work))
    console.print(
        f"Rolled {result.readings:,} raw readings before {result.cutoff:%Y-%m-%d %H:%M} UTC "
        f"into {result.hours:,} hourly rows (raw readings kept {days} days)."
    )


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Argument(help="Who or what the key is for.")],
    tier: Annotated[Tier, typer.Option(help="developer, analyst or operator.")] = Tier.DEVELOPER,
) -> None:
    """Create a key. The secret is shown once: store it now."""

    async def work(records: Records) -> api_keys.IssuedKey:
        return await api_keys.create_key(records, name, tier)

    issued = run(lambda: _with_records(Settings(), work))
    console.print(
        f"Created {issued.tier.value} key {issued.prefix} for {issued.name!r}. "
        "It is shown only once:"
    )
    console.print(issued.secret, soft_wrap=True, highlight=False)
    console.print("Send it as the header  X-API-Key: <key>")


@keys_app.command("list")
def keys_list() -> None:
    """List keys (prefix, tier, name, state); secrets are never shown again."""

    async def work(records: Records) -> list[api_keys.StoredKey]:
        return await api_keys.list_keys(records)

    table = Table(title="API keys")
    for column in ("prefix", "tier", "name", "created", "state"):
        table.add_column(column)
    for key in run(lambda: _with_records(Settings(), work)):
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        table.add_row(
            key.prefix, key.tier.value, key.name, f"{key.created_at:%Y-%m-%d %H:%M}", state
        )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(
    prefix: Annotated[str, typer.Argument(help="The key's prefix, as `keys list` shows it.")],
) -> None:
    """Revoke a key at once: its requests get 401 from then on."""

    async def work(records: Records) -> api_keys.StoredKey:
        return await api_keys.revoke_key(records, prefix)

    key = run(lambda: _with_records(Settings(), work))
    console.print(f"Revoked key {key.prefix} ({key.name}).")


@keys_app.command("enrol")
def keys_enrol(
    resident_id: Annotated[str, typer.Argument(help="The resident's id in the graph (cz-…).")],
    days: Annotated[int, typer.Option(help="Days the code stays valid.", min=1, max=365)] = 30,
) -> None:
    """A one-time enrolment code for a resident's wallet. Shown once: hand it to the resident."""

    async def work(stores: Stores) -> codes.EnrolmentCode:
        return await codes.create_code(stores.records, stores.graph, resident_id, days)

    made = run(lambda: _with_stores(Settings(), work, read_only=True))
    console.print(f"Enrolment code for {made.resident_id}, valid until {made.expires_at:%Y-%m-%d}:")
    console.print(made.code, highlight=False)
    console.print("The resident runs: civicgraph wallet request --code <code>")


@keys_app.command("issuer")
def keys_issuer(
    epoch: Annotated[
        str | None, typer.Option(help="The month (YYYY-MM); default the current one.")
    ] = None,
) -> None:
    """Make and publish a month's credential issuer key (idempotent), and list the published."""
    settings = Settings()

    async def work(records: Records) -> list[IssuerKeyRow]:
        month = Epoch.parse(epoch) if epoch else Epoch.at(datetime.now(UTC))
        keyring = await open_issuer_keys(settings, records)
        await keyring.key(await open_log(settings, records), month)
        return await issuer_keys(records)

    table = Table(title=f"Credential issuer keys (secrets in {settings.issuer_key_path})")
    for column in ("key id", "ciphersuite", "log leaf", "public key"):
        table.add_column(column)
    for row in run(lambda: _with_records(settings, work)):
        table.add_row(
            row.key_id, row.ciphersuite, str(row.leaf_index), row.public_key.hex()[:24] + "…"
        )
    console.print(table)


if __name__ == "__main__":
    app()
