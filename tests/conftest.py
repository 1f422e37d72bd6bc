"""Shared fixtures: one small seeded city per test session (per xdist worker), the app over it,
HTTP clients; the xdist groups of tests that share a service or a costly fixture."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores, open_stores
from graph.records import api_keys
from graph.records.api_keys import Tier
from seeds.seed import seed

TEST_SCALE = 0.001
TEST_HISTORY_DAYS = 2
EXIT_STATUS = pytest.StashKey[int]()
SEED_UNTIL = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
"""A fixed end of history, so readings windows in tests are stable."""
UNLIMITED: dict[str, Any] = {
    **{f"rate_limit_{tier.value}": "1000000/second" for tier in Tier},
    "rate_limit_auth_failures": "1000000/second",
    "key_cache_seconds": 0,
    "ws_connections_public": 100_000,
    "ws_connections_per_key": 100_000,
    "subscriptions_public": 100_000,
    "subscriptions_per_key": 100_000,
    "graphql_timeout_seconds": 600,
}
"""Door limits no test run reaches: many tests call as one public client from one IP, and a
loaded CI machine must not turn a slow answer into a `timeout`. tests/civicgraph/test_door*.py
and graphql_door/test_limits.py test the limits on apps of their own."""
UNLIMITED_ENV = {f"CIVIC_{name.upper()}": str(value) for name, value in UNLIMITED.items()}
"""The same for `civicgraph serve` processes started by tests."""
SERVICES_GROUP = "services"
"""The xdist group of every test that uses a service other tests share: the scale-out stores
(civic_test's public schema is dropped and Neo4j Community's one database seeded), Redis (its
pub/sub channels span its databases) and Mosquitto's topics. A group runs on one worker."""
DOORS_GROUP = "doors"
"""The tests of tests/federation's `doors`, so that only one worker starts its servers and
gateways (a cost, not a collision: each worker's doors would be its own)."""
SHARED_SCOPES = frozenset({"module", "package"})


@pytest.hookimpl(tryfirst=True)  # before xdist's hook, which reads the groups
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Put each test that shares a service, or a costly fixture, in its xdist group.

    A test shares a service when it is marked `services` or reaches `scale_out`. A test that
    reaches one of its module's module-scoped fixtures (a trained model, a city of its own)
    joins its module's group, so that only one worker builds it. A test reaches the fixtures it
    asks for and those its parameters name (`backend`, `federation`: a fixture that
    `getfixturevalue`s its parameter). Under `-n 0` the groups do nothing.
    """
    grouping = bool(getattr(config.option, "loadgroup", False))  # an xdist worker's, loadgroup
    for item in items:
        reached = _reached_fixtures(session, item)
        if "scale_out" in reached or item.get_closest_marker("services"):
            group = SERVICES_GROUP
        elif "doors" in reached:
            group = DOORS_GROUP
        elif any(d.scope in SHARED_SCOPES for d in reached.values()):
            group = item.nodeid.split("::", 1)[0]
        else:
            continue
        item.add_marker(pytest.mark.xdist_group(group))
        if grouping:
            _name_group(item, group)


def _name_group(item: pytest.Item, group: str) -> None:
    """End `item`'s node id with `@group`, which is how xdist's loadgroup scheduler groups.

    xdist 3.8 writes the suffix to `_nodeid`, which pytest 9.2's structured node ids no longer
    read, so its groups silently do nothing (pytest-dev/pytest-xdist#1386). Write it where pytest
    reads it, and stop the run if it does not take: ungrouped, these tests collide.
    """
    grouped = f"{item.nodeid}@{group}"
    if not item.nodeid.endswith(f"@{group}"):
        item._id = type(item._id).parse(grouped)
    if not item.nodeid.endswith(f"@{group}"):
        raise pytest.UsageError(f"cannot put {item.nodeid} in xdist group {group}: use -n 0")


def _reached_fixtures(
    session: pytest.Session, item: pytest.Item
) -> dict[str, pytest.FixtureDef[Any]]:
    """The fixtures `item` asks for, and those its parameters name, by name: their definitions."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return {}
    reached = {name: chain[-1] for name, chain in info.name2fixturedefs.items() if chain}
    params = getattr(getattr(item, "callspec", None), "params", {})
    for value in params.values():
        if isinstance(value, str) and value not in reached:
            chain = session._fixturemanager.getfixturedefs(value, item) or ()
            if chain:
                reached[value] = chain[-1]
    return reached


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CIVIC_REQUIRE_SERVICES=1 a skipped test fails the run."""
    session.config.stash[EXIT_STATUS] = int(session.exitstatus)
    if os.environ.get("CIVIC_REQUIRE_SERVICES") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        if reporter:
            reporter.write_line(
                f"CIVIC_REQUIRE_SERVICES=1: {len(skipped)} skipped test(s) fail the run", red=True
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        session.config.stash[EXIT_STATUS] = int(session.exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Exit even if a failed test left a records connection open.

    aiosqlite's worker thread is not a daemon: a test that fails before closing its connection
    would make the interpreter wait for that thread forever, turning a failure into a hang.
    """
    stray = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if stray and EXIT_STATUS in config.stash:
        sys.stdout.flush()
        sys.stderr.write(f"{len(stray)} thread(s) left running by the tests; exiting anyway\n")
        sys.stderr.flush()
        os._exit(config.stash[EXIT_STATUS])


async def seed_for_tests(stores: Stores) -> None:
    """The same small city on every backend."""
    await seed(
        stores.graph,
        stores.records,
        scale=TEST_SCALE,
        history_days=TEST_HISTORY_DAYS,
        until=SEED_UNTIL,
    )


REDIS_URL = os.environ.get("CIVIC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
"""The tests' Redis (`tools/services/services.sh start`)."""


@pytest.fixture
async def redis_url() -> str:
    """REDIS_URL once a Redis answers there; else the test is skipped (under
    CIVIC_REQUIRE_SERVICES=1 the skip fails the run)."""
    try:
        async with Redis.from_url(REDIS_URL) as redis:
            await redis.ping()
    except (OSError, RedisError) as error:
        pytest.skip(f"Redis is not running (tools/services/services.sh): {error}")
    return REDIS_URL


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("city")
    return Settings(
        data_dir=data,
        scale=TEST_SCALE,
        history_days=TEST_HISTORY_DAYS,
        simulator=False,
        # the city is seeded up to the fixed SEED_UNTIL and tests ingest readings from before
        # it: keep those ingestible however far the calendar moves (the window's own tests
        # use Ingest's default 30 days)
        readings_retention_days=36_500,
        # usage counts reach the records when a test flushes them or the app stops: a timed
        # flush would be a records call at random inside tests that count the stores' calls
        usage_flush_seconds=3600,
        **UNLIMITED,
    )


@pytest.fixture(scope="session")
async def stores(settings: Settings) -> AsyncIterator[Stores]:
    opened = await open_stores(settings, migrate=True)
    await seed_for_tests(opened)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture(scope="session")
async def app(settings: Settings, stores: Stores) -> AsyncIterator[object]:
    application = create_app(settings, stores)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test") as http:
        yield http


@pytest.fixture
def subgraph_client(
    settings: Settings, stores: Stores
) -> Callable[[str], contextlib.AbstractAsyncContextManager[httpx.AsyncClient]]:
    """`async with subgraph_client("city") as http:` a client of one subgraph's app."""

    @contextlib.asynccontextmanager
    async def open_client(name: str) -> AsyncIterator[httpx.AsyncClient]:
        application = create_app(settings, stores, subgraph=name)
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://sub.test") as http:
                yield http

    return open_client


@pytest.fixture(scope="session")
async def keys(stores: Stores) -> dict[Tier, str]:
    """One live key per tier above public."""
    return await keys_for(stores)


async def keys_for(stores: Stores) -> dict[Tier, str]:
    return {
        tier: (await api_keys.create_key(stores.records, f"test {tier.value}", tier)).secret
        for tier in (Tier.DEVELOPER, Tier.ANALYST, Tier.OPERATOR)
    }
