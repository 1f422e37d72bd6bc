"""Where each subgraph listens: one port each, counted up from the first, in SUBGRAPHS order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_GATEWAY_PORT = 4000
DEFAULT_FIRST_SUBGRAPH_PORT = 4001
DEFAULT_SUBGRAPH_HOST = "127.0.0.1"


@dataclass(frozen=True)
class SubgraphAddress:
    """A subgraph `name` served at http://`host`:`port`/graphql (HTTP and websockets)."""

    name: str
    host: str
    port: int

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The GraphQL endpoint the gateway calls (and subscribes to, as ws://)."""
        return f"{self.base_url}/graphql"


def subgraph_addresses(
    names: Iterable[str],
    *,
    host: str = DEFAULT_SUBGRAPH_HOST,
    first_port: int = DEFAULT_FIRST_SUBGRAPH_PORT,
) -> list[SubgraphAddress]:
    """Each name at `host`, on `first_port`, `first_port + 1`, ... in the order given.

    Requires the last port to be at most 65535 (ValueError otherwise).
    """
    listed = list(names)
    if first_port < 1 or first_port + len(listed) - 1 > 65535:
        raise ValueError(f"{len(listed)} subgraphs do not fit in ports {first_port}..65535")
    return [SubgraphAddress(name, host, first_port + i) for i, name in enumerate(listed)]
