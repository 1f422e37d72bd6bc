"""The subgraphs and a gateway for the query bench, started by `civicgraph.federation`'s own code.

The same steps as `civicgraph federation up`: each subgraph's SDL composed by Apollo's composer,
the subgraphs served (one process for all of them on the embedded stores, one per subgraph on
Neo4j), health-checked, then the gateway on the supergraph, optionally under `node --cpu-prof`.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.ports import free_block
from civicgraph.federation.compose import compose, subgraph_sources
from civicgraph.federation.files import SUPERGRAPH_FILE, write_supergraph
from civicgraph.federation.gateways import GatewayKind, gateway_command
from civicgraph.federation.node import GATEWAY_DIR, node_executable
from civicgraph.federation.plan import SubgraphAddress, subgraph_addresses
from civicgraph.federation.processes import Child, Supervisor
from civicgraph.federation.up import child_environment, subgraph_commands
from civicgraph.settings import Settings

WAIT_S = 180.0
HIVE_NO_DEDUPE_CONFIG = Path(__file__).with_name("hive-no-dedupe.config.mjs")


@dataclass(frozen=True)
class GatewayVariant:
    """A gateway as the bench runs it: its kind, and for Hive the configuration file to use."""

    kind: GatewayKind
    hive_config: Path | None = None


GATEWAY_VARIANTS = {
    "hive": GatewayVariant(GatewayKind.HIVE, HIVE_NO_DEDUPE_CONFIG),
    "hive-dedupe": GatewayVariant(GatewayKind.HIVE),
    "apollo": GatewayVariant(GatewayKind.APOLLO),
}
"""`hive`: the project's Hive configuration with in-flight deduplication of identical subgraph
requests off (each client request does its own work, as Apollo's gateway does);
`hive-dedupe`: the project's configuration as it is (shares identical in-flight fetches)."""


@dataclass
class Subgraphs:
    """Running subgraphs: their addresses, the supergraph composed over them, their processes."""

    addresses: list[SubgraphAddress]
    supergraph: Path
    processes: list[Child]
    env: dict[str, str]
    log_dir: Path


@contextmanager
def subgraphs_up(
    settings: Settings,
    environ: Mapping[str, str],
    work_dir: Path,
) -> Iterator[Subgraphs]:
    """Compose and serve every subgraph on loopback; all stopped (SIGTERM) on leaving.

    Raises CivicGraphError subclasses as `federation up` does (composition, Node.js missing, a
    process that does not become healthy).
    """
    from resolvers.subgraphs import SUBGRAPHS

    addresses = subgraph_addresses(SUBGRAPHS, first_port=free_block(len(SUBGRAPHS)))
    sources = subgraph_sources(addresses)
    write_supergraph(work_dir, sources, compose(sources))
    env = child_environment(settings, environ)
    log_dir = work_dir / "logs"
    with Supervisor(log_dir) as supervisor:
        started = []
        for name, argv, health in subgraph_commands(settings, addresses):
            child = supervisor.start(name, argv, env=env, health_urls=health)
            supervisor.wait_healthy(child, WAIT_S)
            started.append(child)
        yield Subgraphs(addresses, work_dir / SUPERGRAPH_FILE, started, env, log_dir)


@contextmanager
def gateway_up(
    subgraphs: Subgraphs, variant: GatewayVariant, cpu_profile_dir: Path | None = None
) -> Iterator[tuple[str, Child]]:
    """The gateway on a free loopback port in front of `subgraphs`: (its base URL, process).

    With `cpu_profile_dir`, Node writes a `.cpuprofile` there when the gateway stops.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    kind = variant.kind
    command = gateway_command(kind, subgraphs.supergraph, "127.0.0.1", port)
    if variant.hive_config is not None:
        at = command.argv.index("--config-path") + 1
        command.argv[at] = str(variant.hive_config)
    node = [node_executable()]
    if cpu_profile_dir is not None:
        node += ["--cpu-prof", "--cpu-prof-dir", str(cpu_profile_dir)]
    base = f"http://127.0.0.1:{port}"
    with Supervisor(subgraphs.log_dir) as supervisor:
        child = supervisor.start(
            f"gateway-{kind}",
            [*node, *command.argv],
            env=subgraphs.env | command.env,
            health_urls=[base + command.ready_path],
            cwd=GATEWAY_DIR,
        )
        supervisor.wait_healthy(child, WAIT_S)
        yield base, child


def bench_environment(data_dir: Path | None) -> dict[str, str]:
    """This process's environment with the door's quotas lifted (one load generator on one IP
    would be answered 429), the S-DoT simulator off (no writes during the run, on either side),
    and CIVIC_DATA_DIR set when `data_dir` is given."""
    env = dict(os.environ)
    for tier in ("PUBLIC", "DEVELOPER"):
        env[f"CIVIC_RATE_LIMIT_{tier}"] = "1000000/second"
    env["CIVIC_SIMULATOR"] = "0"
    if data_dir is not None:
        env["CIVIC_DATA_DIR"] = str(data_dir)
    return env
