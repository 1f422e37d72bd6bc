"""The two gateways `federation up` can put in front of the subgraphs, as Node.js commands.

- `apollo`: `@apollo/gateway` under `@apollo/server` (`gateway/scripts/apollo-gateway.mjs`):
  queries and mutations; healthy when GET /healthz answers (it loads the supergraph first).
- `hive`: Hive Gateway (`@graphql-hive/gateway`'s CLI with `gateway/hive/gateway.config.mjs`):
  queries, mutations and subscriptions over graphql-transport-ws; ready when GET /readiness
  answers (its /healthz answers as soon as it listens). The supergraph file is named in the
  environment (`CIVIC_SUPERGRAPH_FILE`), not on the command line: Hive Gateway watches a file
  named there and reloads whatever is later written to it.

Each gateway reads its supergraph once, at start-up: a gateway's supergraph changes by restarting
it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from civicgraph.federation.node import (
    APOLLO_GATEWAY_SCRIPT,
    HIVE_GATEWAY_BIN,
    HIVE_GATEWAY_CONFIG,
    script_path,
)

SUPERGRAPH_VARIABLE = "CIVIC_SUPERGRAPH_FILE"
"""The variable naming Hive Gateway's supergraph file to `gateway/hive/gateway.config.mjs`."""


class GatewayKind(StrEnum):
    """Which gateway: Hive Gateway (subscriptions too) or Apollo's (queries and mutations)."""

    HIVE = "hive"
    APOLLO = "apollo"


@dataclass(frozen=True)
class GatewayCommand:
    """How to start a gateway (`argv` after `node`, with `env` added to the environment) and the
    path that says it is ready."""

    argv: list[str]
    ready_path: str
    subscriptions: bool
    env: dict[str, str] = field(default_factory=dict)


def gateway_command(kind: GatewayKind, supergraph: Path, host: str, port: int) -> GatewayCommand:
    """The command serving `supergraph` at http://host:port/graphql through gateway `kind`;
    `supergraph` is read once when the gateway starts.

    Raises NodeUnavailable when the gateway's script or package is missing.
    """
    where = ["--host", host, "--port", str(port)]
    if kind is GatewayKind.APOLLO:
        script = str(script_path(APOLLO_GATEWAY_SCRIPT))
        return GatewayCommand([script, "--supergraph", str(supergraph), *where], "/healthz", False)
    argv = [
        str(script_path(HIVE_GATEWAY_BIN)),
        "supergraph",
        "--config-path",
        str(script_path(HIVE_GATEWAY_CONFIG)),
        *where,
    ]
    return GatewayCommand(argv, "/readiness", True, {SUPERGRAPH_VARIABLE: str(supergraph)})
