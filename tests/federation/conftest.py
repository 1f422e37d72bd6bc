"""The merged server, every subgraph and both gateways, every one real, over one set of stores.

The merged app and each subgraph's app run under uvicorn on their own loopback ports in the test
session's loop, all over the session's seeded `stores` (LadybugDB lets one process open it), so
the three doors answer from the same data. The subgraphs are composed by Apollo's composer with
their real URLs, and `@apollo/gateway` and Hive Gateway run as Node.js processes in front of
them, started as `civicgraph federation up` starts them (the same commands and supervisor).
Started once per session, and only for the tests that ask for `doors`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.ports import free_port
from civicgraph.app import create_app
from civicgraph.auth import DoorPolicy
from civicgraph.federation.compose import compose, subgraph_sources
from civicgraph.federation.files import SUPERGRAPH_FILE, write_supergraph
from civicgraph.federation.gateways import GatewayKind, gateway_command
from civicgraph.federation.node import GATEWAY_DIR, node_executable
from civicgraph.federation.plan import SubgraphAddress
from civicgraph.federation.processes import Supervisor
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from resolvers.subgraphs import SUBGRAPHS
from subscriptions.live import Live
from tests.e2e.conftest import serving

CHECKER = min(SUBGRAPHS)
"""The subgraph whose /graphql/check answers the gateways' whole-operation checks and seats Hive's
websocket clients: the first graph of the supergraph's join__Graph enum, which composition sorts
by name (gateway/scripts/check.mjs, checkUrls)."""

START_S = 180.0
AUTH_FAILURES_PER_MINUTE = 6
"""The failed-key budget of one client address on every door here: low enough for a test to
reach the 429 in a few requests, each test naming its own client address (X-Forwarded-For,
believed from loopback: CIVIC_TRUSTED_PROXIES)."""


@dataclass(frozen=True)
class Doors:
    """Base URLs (http://host:port) of the merged server, each gateway and each subgraph."""

    merged: str
    apollo: str
    hive: str
    subgraphs: dict[str, str]
    live: dict[str, Live]
    """The live side (bus, ingest) of each subgraph's app, to publish on."""
    policies: dict[str, DoorPolicy]
    """The door limits of each subgraph's app, and of the merged app under "merged" (a test may
    lower a limit for a while)."""

    def gateway(self, kind: str) -> str:
        """The base URL of gateway `kind` ("apollo" or "hive")."""
        return self.apollo if kind == GatewayKind.APOLLO else self.hive


def door_settings(settings: Settings) -> Settings:
    """The session's settings, with loopback a trusted proxy and a small failed-key budget."""
    return settings.model_copy(
        update={
            "trusted_proxies": "127.0.0.1,::1",
            "rate_limit_auth_failures": f"{AUTH_FAILURES_PER_MINUTE}/minute",
        }
    )


@contextlib.asynccontextmanager
async def serving_app(
    settings: Settings, stores: Stores, subgraph: str | None
) -> AsyncIterator[tuple[str, Live, DoorPolicy]]:
    """The merged app (`subgraph` None) or one subgraph's, with its lifespan, on a free port:
    its base URL, its live side and its door limits."""
    application = create_app(settings, stores, subgraph=subgraph)
    async with application.router.lifespan_context(application), serving(application) as url:
        yield url, application.state.live, application.state.door


async def start_gateway(supervisor: Supervisor, kind: GatewayKind, supergraph: Path) -> str:
    """Start gateway `kind` on `supergraph` at a free port; its base URL once it is ready."""
    port = free_port()
    command = gateway_command(kind, supergraph, "127.0.0.1", port)
    url = f"http://127.0.0.1:{port}"
    child = supervisor.start(
        f"gateway-{kind}",
        [node_executable(), *command.argv],
        env=os.environ | {"NO_COLOR": "1"} | command.env,
        health_urls=[url + command.ready_path],
        cwd=GATEWAY_DIR,
    )
    await asyncio.to_thread(supervisor.wait_healthy, child, START_S)
    return url


@pytest.fixture(scope="session")
async def doors(
    settings: Settings, stores: Stores, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Doors]:
    """The merged server and both gateways over every subgraph, all on the session's city."""
    folder = tmp_path_factory.mktemp("federation")
    configured = door_settings(settings)
    async with contextlib.AsyncExitStack() as stack:
        merged, _, merged_door = await stack.enter_async_context(
            serving_app(configured, stores, None)
        )
        served = {
            name: await stack.enter_async_context(serving_app(configured, stores, name))
            for name in SUBGRAPHS
        }
        subgraphs = {name: url for name, (url, *_) in served.items()}
        addresses = [
            SubgraphAddress(name, "127.0.0.1", int(url.rsplit(":", 1)[1]))
            for name, url in subgraphs.items()
        ]
        sources = await asyncio.to_thread(subgraph_sources, addresses)
        composition = await asyncio.to_thread(compose, sources)
        write_supergraph(folder, sources, composition)
        supervisor = stack.enter_context(Supervisor(folder / "logs"))
        apollo, hive = [
            await start_gateway(supervisor, kind, folder / SUPERGRAPH_FILE)
            for kind in (GatewayKind.APOLLO, GatewayKind.HIVE)
        ]
        yield Doors(
            merged,
            apollo,
            hive,
            subgraphs,
            live={name: live for name, (_, live, _) in served.items()},
            policies={"merged": merged_door} | {name: door for name, (*_, door) in served.items()},
        )
