"""`civicgraph federation up`: the subgraphs and one gateway, started, checked and stopped together.

Order: Ctrl-C and SIGTERM are taken over first (also when the shell started the command with
SIGINT ignored); then the checks, which write nothing: Node.js and the npm packages present,
every port free (the gateway's and the subgraphs', held together so that a collision between
them is found), the stores openable and seeded, the subgraphs composed. Only then is anything
written: the supergraph into a private folder of this run (removed at exit, read once by the
gateway, never watched: another `civicgraph supergraph` or `federation up` cannot change what a
running gateway serves), and each process's log into a log folder of this run. Then start the
subgraphs (one process per subgraph on Neo4j, else one process serving them all on the embedded
stores), wait for each `/healthz`, start the gateway, wait for it, print the URLs, and wait.
Ctrl-C or SIGTERM stops the gateway, then the subgraphs; a child that exits on its own stops the
rest and fails the command.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from rich.table import Table

from civicgraph.boundary import one_line
from civicgraph.console import console
from civicgraph.federation.compose import compose, subgraph_sources
from civicgraph.federation.errors import PortUnavailable, ProcessFailed, StoresUnavailable
from civicgraph.federation.files import SUPERGRAPH_FILE, write_supergraph
from civicgraph.federation.gateways import GatewayKind, gateway_command
from civicgraph.federation.node import GATEWAY_DIR, node_executable
from civicgraph.federation.plan import (
    DEFAULT_FIRST_SUBGRAPH_PORT,
    DEFAULT_GATEWAY_PORT,
    DEFAULT_SUBGRAPH_HOST,
    SubgraphAddress,
    subgraph_addresses,
)
from civicgraph.federation.processes import Supervisor
from civicgraph.settings import Settings
from civicgraph.stores import open_seeded
from graph.errors import CivicGraphError
from graph.open import NEO4J_SCHEMES

LOOPBACK_PROXIES = ("127.0.0.1", "::1")
DEFAULT_WAIT_S = 180.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
WILDCARD_HOSTS = ("", "0.0.0.0", "::")


@dataclass(frozen=True)
class UpOptions:
    """What `federation up` was asked for (ports, hosts, how long to wait for health)."""

    gateway: GatewayKind = GatewayKind.HIVE
    host: str = "127.0.0.1"
    port: int = DEFAULT_GATEWAY_PORT
    subgraph_host: str = DEFAULT_SUBGRAPH_HOST
    first_subgraph_port: int = DEFAULT_FIRST_SUBGRAPH_PORT
    wait_s: float = DEFAULT_WAIT_S


class Stop(BaseException):
    """Ctrl-C or SIGTERM, raised in the main thread so that the supervisor stops every child."""


def shares_graph(settings: Settings) -> bool:
    """True when several processes may open the graph (Neo4j), False for embedded LadybugDB."""
    scheme = settings.graph_location.split("://", 1)[0] if "://" in settings.graph_location else ""
    return scheme in NEO4J_SCHEMES


def child_environment(settings: Settings, environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` with the gateway's loopback addresses added to CIVIC_TRUSTED_PROXIES.

    The gateways append the client's address to X-Forwarded-For; trusting the gateway's own
    address lets the subgraphs count a client's rate limit by that client, not by the gateway.
    """
    trusted = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    trusted += [address for address in LOOPBACK_PROXIES if address not in trusted]
    return dict(environ) | {"CIVIC_TRUSTED_PROXIES": ",".join(trusted), "NO_COLOR": "1"}


def check_ports_free(listeners: list[tuple[str, str, int]]) -> None:
    """PortUnavailable naming the first (who, host, port) that cannot be bound.

    Every port is held until all are bound, so two listeners that would collide (the gateway on
    a subgraph's port) are refused as well as a port another process holds.
    """
    _check_distinct(listeners)
    with ExitStack() as held:
        for who, host, port in listeners:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            try:
                held.enter_context(socket.create_server((host, port), family=family))
            except OSError as error:
                raise PortUnavailable(
                    f"cannot listen on {host}:{port} for {who}: {error.strerror or error}"
                ) from None


def _check_distinct(listeners: list[tuple[str, str, int]]) -> None:
    """PortUnavailable when two listeners want one port on the same (or a wildcard) host."""
    for at, (who, host, port) in enumerate(listeners):
        for other, other_host, other_port in listeners[:at]:
            same_host = host == other_host or host in WILDCARD_HOSTS
            if port == other_port and (same_host or other_host in WILDCARD_HOSTS):
                raise PortUnavailable(
                    f"port {port} is asked for both {other} and {who}: the subgraphs take "
                    "--first-subgraph-port and the ports counting up from it, so give the "
                    "gateway's --port another"
                )


def check_stores(settings: Settings) -> None:
    """StoresUnavailable unless the stores open and hold a seed (then closed again).

    On the embedded stores this also finds the LadybugDB file held by another process (a
    running `make run`/`civicgraph serve`, or another `federation up` on this data folder).
    """
    try:
        asyncio.run(_open_and_close(settings))
    except CivicGraphError as error:
        reason = one_line(str(error))
        held = not shares_graph(settings) and "lock" in reason.lower()
        advice = (
            ": one process at a time opens the embedded stores, so stop the server using this "
            "CIVIC_DATA_DIR (`make run`, `civicgraph serve`, another `federation up`) or use "
            "another CIVIC_DATA_DIR"
        )
        raise StoresUnavailable(
            f"the stores cannot be opened ({reason}){advice if held else ''}"
        ) from None


async def _open_and_close(settings: Settings) -> None:
    stores = await open_seeded(settings)
    await stores.close()


def run_id() -> str:
    """This run's name: its start time (UTC, to the second) and pid, e.g. 20261125T101500-4242."""
    return f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{os.getpid()}"


def subgraph_commands(
    settings: Settings, addresses: list[SubgraphAddress]
) -> list[tuple[str, list[str], list[str]]]:
    """(name, argv, health URLs) of each subgraph process to start."""
    python = [sys.executable, "-m"]
    if shares_graph(settings):
        return [
            (
                f"subgraph-{a.name}",
                [*python, "civicgraph.cli", "serve", "--subgraph", a.name, *_at(a)],
                [f"{a.base_url}/healthz"],
            )
            for a in addresses
        ]
    pairs = [arg for a in addresses for arg in ("--subgraph", f"{a.name}:{a.port}")]
    argv = [*python, "civicgraph.cli", "serve", "--host", addresses[0].host, *pairs]
    return [("subgraphs", argv, [f"{a.base_url}/healthz" for a in addresses])]


def _at(address: SubgraphAddress) -> list[str]:
    return ["--host", address.host, "--port", str(address.port)]


@contextmanager
def signals_stop() -> Iterator[None]:
    """While inside, SIGINT and SIGTERM raise Stop in the main thread; as before on leaving.

    SIGINT too, and whatever its disposition was: a process started in the background by a
    shell inherits SIGINT ignored, and would otherwise not stop on it.
    """

    def handler(signal_number: int, frame: FrameType | None) -> None:
        raise Stop

    previous = {number: signal.signal(number, handler) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler_before in previous.items():
            signal.signal(number, handler_before)


def federation_up(settings: Settings, options: UpOptions) -> None:
    """Run the subgraphs and a gateway until Ctrl-C or SIGTERM; every child stopped on return.

    Ctrl-C or SIGTERM at any point (during the checks and composition too) stops what was
    started and returns. Raises, having written and started nothing: NodeUnavailable,
    PortUnavailable, StoresUnavailable, CompositionFailed; and ProcessFailed (a child did not
    become healthy in `options.wait_s`, or exited while running) after stopping the others.
    """
    with signals_stop():
        try:
            _up(settings, options)
        except Stop:
            console.print("Stopped.")


def _up(settings: Settings, options: UpOptions) -> None:
    from resolvers.subgraphs import SUBGRAPHS

    node = node_executable()
    addresses = subgraph_addresses(
        SUBGRAPHS, host=options.subgraph_host, first_port=options.first_subgraph_port
    )
    gateway_name = f"the {options.gateway} gateway"
    check_ports_free(
        [(gateway_name, options.host, options.port)]
        + [(f"subgraph {a.name}", a.host, a.port) for a in addresses]
    )
    check_stores(settings)
    sources = subgraph_sources(addresses)
    composition = compose(sources)
    env = child_environment(settings, os.environ)
    gateway_url = f"http://{_url_host(options.host)}:{options.port}"
    log_dir = settings.data_dir / "logs" / "federation" / run_id()
    with (
        tempfile.TemporaryDirectory(prefix="civicgraph-federation-") as private,
        Supervisor(log_dir) as supervisor,
    ):
        supergraph = Path(private) / SUPERGRAPH_FILE
        gateway = gateway_command(options.gateway, supergraph, options.host, options.port)
        write_supergraph(Path(private), sources, composition)
        try:
            for name, argv, health in subgraph_commands(settings, addresses):
                supervisor.wait_healthy(
                    supervisor.start(name, argv, env=env, health_urls=health), options.wait_s
                )
            started = supervisor.start(
                f"gateway-{options.gateway}",
                [node, *gateway.argv],
                env=env | gateway.env,
                health_urls=[gateway_url + gateway.ready_path],
                cwd=GATEWAY_DIR,
            )
            supervisor.wait_healthy(started, options.wait_s)
            table = _urls_table(options, gateway_url, gateway.subscriptions, addresses, log_dir)
            table.add_row("supergraph (this run's)", str(supergraph))
            console.print(table)
            console.print("Ctrl-C stops them all.")
            _watch(supervisor)
        except Stop:
            console.print("Stopping the gateway and the subgraphs ...")
            raise


def _watch(supervisor: Supervisor) -> None:
    """Wait until a child exits (ProcessFailed) or the command is interrupted."""
    while True:
        exited = supervisor.first_exited()
        if exited is not None:
            raise ProcessFailed(
                f"{exited.name} exited: {exited.last_log_line() or 'no output'} "
                f"(log: {exited.log_path}); stopped the others"
            )
        time.sleep(0.5)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _urls_table(
    options: UpOptions,
    gateway_url: str,
    subscriptions: bool,
    addresses: list[SubgraphAddress],
    log_dir: Path,
) -> Table:
    table = Table(title=f"CivicGraph federation ({options.gateway} gateway)")
    table.add_column("serves")
    table.add_column("URL", overflow="fold")  # paths whole, on as many lines as they need
    table.add_row(f"gateway ({options.gateway})", f"{gateway_url}/graphql")
    if subscriptions:
        table.add_row("subscriptions", f"ws://{gateway_url.removeprefix('http://')}/graphql")
    for address in addresses:
        table.add_row(f"subgraph {address.name}", address.url)
    table.add_row("logs", str(log_dir))
    return table
