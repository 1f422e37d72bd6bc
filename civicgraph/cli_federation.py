"""`civicgraph supergraph` and `civicgraph federation up`: compose the subgraphs, run a gateway."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from civicgraph.console import console, settings_from
from civicgraph.federation.compose import compose, subgraph_sources
from civicgraph.federation.files import write_supergraph
from civicgraph.federation.gateways import GatewayKind
from civicgraph.federation.plan import (
    DEFAULT_FIRST_SUBGRAPH_PORT,
    DEFAULT_GATEWAY_PORT,
    DEFAULT_SUBGRAPH_HOST,
    subgraph_addresses,
)
from civicgraph.federation.up import DEFAULT_WAIT_S, UpOptions, federation_up

federation_app = typer.Typer(
    help="Run the subgraphs behind a federation gateway (Hive Gateway or Apollo's).",
    no_args_is_help=True,
)
MAX_SUBGRAPH_PORT = 65535 - 16  # room for every subgraph counted up from the first

SubgraphHost = Annotated[
    str, typer.Option(help="Address the subgraphs listen on (their URLs in the supergraph).")
]
FirstSubgraphPort = Annotated[
    int,
    typer.Option(
        help="Port of the first subgraph; the others count up from it in SUBGRAPHS order.",
        min=1,
        max=MAX_SUBGRAPH_PORT,
    ),
]


def supergraph(
    out: Annotated[
        Path | None,
        typer.Option(
            help="Folder for NAME.graphql per subgraph and supergraph.graphql "
            "(default: <CIVIC_DATA_DIR>/federation).",
            file_okay=False,
            show_default=False,
        ),
    ] = None,
    subgraph_host: SubgraphHost = DEFAULT_SUBGRAPH_HOST,
    first_subgraph_port: FirstSubgraphPort = DEFAULT_FIRST_SUBGRAPH_PORT,
) -> None:
    """Write each subgraph's SDL and compose them with Apollo's composer into a supergraph.

    Prints the composer's hints. Exit code 1, with every composition error in one line, when the
    subgraphs do not compose (nothing is written then).
    """
    from resolvers.subgraphs import SUBGRAPHS

    settings = settings_from()
    addresses = subgraph_addresses(SUBGRAPHS, host=subgraph_host, first_port=first_subgraph_port)
    sources = subgraph_sources(addresses)
    composition = compose(sources)
    for hint in composition.hints:
        console.print(
            f"[yellow]hint[/yellow] {hint.code} ({hint.level}): {escape(hint.message)}",
            soft_wrap=True,
            highlight=False,
        )
    written = write_supergraph(out or settings.data_dir / "federation", sources, composition)
    console.print(
        f"Composed {len(sources)} subgraphs ({', '.join(s.name for s in sources)}) with "
        f"{len(composition.hints)} hint(s): {written[-1]}",
        soft_wrap=True,
        highlight=False,
    )


@federation_app.command("up")
def up(
    gateway: Annotated[
        GatewayKind,
        typer.Option(help="hive: queries, mutations, subscriptions; apollo: no subscriptions."),
    ] = GatewayKind.HIVE,
    host: Annotated[
        str | None,
        typer.Option(
            help="Address the gateway listens on (default: CIVIC_HOST, else 127.0.0.1).",
            show_default=False,
        ),
    ] = None,
    port: Annotated[
        int, typer.Option(help="Port the gateway listens on.", min=1, max=65535)
    ] = DEFAULT_GATEWAY_PORT,
    subgraph_host: SubgraphHost = DEFAULT_SUBGRAPH_HOST,
    first_subgraph_port: FirstSubgraphPort = DEFAULT_FIRST_SUBGRAPH_PORT,
    wait: Annotated[
        float,
        typer.Option(help="Seconds to wait for each process to be healthy.", min=1, max=3600),
    ] = DEFAULT_WAIT_S,
) -> None:
    """Start the subgraphs and a gateway in front of them; Ctrl-C (or SIGTERM) stops them all.

    On Neo4j (CIVIC_GRAPH_URL=neo4j://...) each subgraph runs in its own process; on the
    embedded LadybugDB file, which one process opens, one process serves them all. Each is
    checked at /healthz before the gateway starts; exit code 1 when one does not come up.
    """
    settings = settings_from(host=host)
    options = UpOptions(
        gateway=gateway,
        host=settings.host,
        port=port,
        subgraph_host=subgraph_host,
        first_subgraph_port=first_subgraph_port,
        wait_s=wait,
    )
    federation_up(settings, options)
