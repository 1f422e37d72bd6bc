"""Backends for the contract suite: the same cases on the embedded and the scale-out stores.

`embedded` is the session's LadybugDB + SQLite city; `scale_out` seeds the same city (same scale,
same end of history) into Neo4j + PostgreSQL, started by `tools/services/services.sh start test`.
Their URLs come from CIVIC_TEST_NEO4J_URL and CIVIC_TEST_POSTGRES_URL. A backend that does not
answer skips its tests, and under CIVIC_REQUIRE_SERVICES=1 any skip fails the run.

Cases isolate themselves by data, not by wiping: they create nodes and rows under keys of their
own (see `unique`), so they can run on a seeded city without disturbing its answers.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.errors import StoreUnavailable
from graph.open import open_graph
from graph.records import Records, open_records
from graph.records.api_keys import Tier
from tests.conftest import keys_for, seed_for_tests

NEO4J_URL = os.environ.get("CIVIC_TEST_NEO4J_URL", "neo4j://127.0.0.1:7688")
POSTGRES_URL = os.environ.get(
    "CIVIC_TEST_POSTGRES_URL", "postgres://civic:civic@127.0.0.1:5432/civic_test"
)
BACKENDS = ("embedded", "scale_out")


@dataclass
class Backend:
    name: str
    stores: Stores
    app: Starlette
    keys: dict[Tier, str]

    def client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test")


def unique(prefix: str = "t") -> str:
    """A key no seed uses, so a case's own nodes and rows never meet another's."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def _empty_postgres(url: str) -> None:
    """A clean public schema: the migrations then run from nothing, as on a new server."""
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await connection.close()


@pytest.fixture(scope="session")
async def embedded(stores: Stores, app: Starlette, keys: dict[Tier, str]) -> Backend:
    return Backend("embedded", stores, app, keys)


@pytest.fixture(scope="session")
async def scale_out(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Backend]:
    try:
        await _empty_postgres(POSTGRES_URL)
        graph = await open_graph(NEO4J_URL)
    except (OSError, asyncpg.PostgresError, StoreUnavailable) as error:
        pytest.skip(f"Neo4j or PostgreSQL is not running (tools/services/services.sh): {error}")
    try:
        records = await open_records(POSTGRES_URL, migrate=True)
    except StoreUnavailable as error:
        await graph.close()
        pytest.skip(f"PostgreSQL is not running (tools/services/services.sh): {error}")
    stores = Stores(graph, records)
    try:
        await seed_for_tests(stores)
        data = Path(tmp_path_factory.mktemp("scale-out"))
        # one deployment's rounding key, so both backends publish the same resident cells
        shared = {"data_dir": data, "rounding_key_file": settings.rounding_key_path}
        application = create_app(settings.model_copy(update=shared), stores)
        async with application.router.lifespan_context(application):
            yield Backend("scale_out", stores, application, await keys_for(stores))
    finally:
        await stores.close()


@pytest.fixture(params=("sqlite", "postgres"))
async def empty_records(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Records]:
    """Migrated, empty records of each backend for one case: a SQLite file, or a PostgreSQL
    database of the case's own, dropped afterwards (tests/contract/databases.py)."""
    from tests.contract.databases import empty_database  # it reads POSTGRES_URL from here

    async for url in empty_database(request.param, tmp_path):
        opened = await open_records(url)
        try:
            yield opened
        finally:
            await opened.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each contract case runs once per backend."""
    chosen: Backend = request.getfixturevalue(request.param)
    return chosen


@pytest.fixture
async def client(backend: Backend) -> AsyncIterator[httpx.AsyncClient]:
    async with backend.client() as http:
        yield http
