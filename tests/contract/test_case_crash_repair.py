"""A desk filing and closing cases is SIGKILLed mid-write; start-up repair makes every case whole.

The graph and the records commit separately, so a kill between them leaves half a write. After
several kills, the repair a starting worker runs must leave no case without its "received"
event, keep every case whose filing was acknowledged, carry every stored status change into the
graph, and end every write intent; and it must not touch a write younger than its grace period
(another worker's filing under way). On LadybugDB + SQLite and on Neo4j + PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores, open_stores
from graph.query import NodeQuery
from graph.records import write_intents
from graph.records.case_events import events_by_case
from resolvers.services.filing import CASE_FILED
from resolvers.services.repair import GRACE, repair_case_writes
from tests.conftest import TEST_HISTORY_DAYS, TEST_SCALE, seed_for_tests
from tests.contract.conftest import NEO4J_URL, POSTGRES_URL, Backend, unique

KILLS = 4
REPO = Path(__file__).resolve().parents[2]


@dataclass
class CrashCity:
    """A seeded city a desk process can open while this process has it closed."""

    graph_url: str
    records_url: str
    open: Callable[[], Awaitable[Stores]]
    owned: bool
    """Whether the test closes what `open` returns (the session owns the scale-out stores)."""


@pytest.fixture(params=["embedded", "scale_out"])
def crash_city(request: pytest.FixtureRequest) -> CrashCity:
    if request.param == "embedded":
        city: CrashCity = request.getfixturevalue("own_city")
        return city
    backend: Backend = request.getfixturevalue("scale_out")

    async def shared() -> Stores:
        return backend.stores

    return CrashCity(NEO4J_URL, POSTGRES_URL, shared, owned=False)


@pytest.fixture
async def own_city(tmp_path: Path) -> CrashCity:
    """One process holds a LadybugDB file and the session's city stays open: a city of our own."""
    settings = city_settings(tmp_path)
    stores = await open_stores(settings, migrate=True)
    try:
        await seed_for_tests(stores)
    finally:
        await stores.close()

    async def reopen() -> Stores:
        return await open_stores(settings)

    return CrashCity(settings.graph_location, settings.records_location, reopen, owned=True)


def city_settings(data: Path) -> Settings:
    return Settings(
        data_dir=data, scale=TEST_SCALE, history_days=TEST_HISTORY_DAYS, simulator=False
    )


def run_desk_until_killed(city: CrashCity, seed: int) -> tuple[set[str], set[str]]:
    """Start a desk, SIGKILL it mid-flight; the case ids it said were filed and closed."""
    desk = subprocess.Popen(
        [sys.executable, "-m", "tests.contract.crash_filer", city.graph_url, city.records_url],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert desk.stdout is not None
    assert desk.stdout.readline().strip() == "ready"
    assert desk.stdout.readline().startswith(("filed", "closed"))  # writing by now
    time.sleep(random.Random(seed).uniform(0.1, 0.5))
    os.kill(desk.pid, signal.SIGKILL)
    desk.wait()
    said = [line.split() for line in desk.stdout.read().splitlines()]
    filed = {words[1] for words in said if len(words) == 2 and words[0] == "filed"}
    closed = {words[1] for words in said if len(words) == 2 and words[0] == "closed"}
    return filed, closed


async def desk_cases(stores: Stores) -> dict[str, dict[str, object]]:
    nodes = await stores.graph.find_nodes(NodeQuery("Case"))
    return {str(n["id"]): n for n in nodes if str(n["description"]).startswith("crash desk")}


async def test_killed_case_writes_are_made_whole_by_start_up_repair(
    crash_city: CrashCity,
) -> None:
    # given a desk killed several times in the middle of its writes
    filed: set[str] = set()
    closed: set[str] = set()
    for kill in range(KILLS):
        more_filed, more_closed = run_desk_until_killed(crash_city, kill)
        filed |= more_filed
        closed |= more_closed
    assert filed, "the desk never acknowledged a filing"
    stores = await crash_city.open()
    try:
        assert await write_intents.pending(stores.records), "no kill landed inside a write"

        # when a worker starts once the grace period has passed
        later = write_intents.now_ms() + int(GRACE.total_seconds() * 1000) + 1000
        await repair_case_writes(stores.graph, stores.records, now_ms=later)

        # then every case has its first event, every acknowledged case is there, every status
        # change stored is in the graph, and no write is left half done
        cases = await desk_cases(stores)
        events = await events_by_case(stores.records, list(cases))
        assert [c for c in cases if "received" not in {e.kind for e in events[c]}] == []
        assert filed <= set(cases)
        assert all(cases[c]["status"] == "closed" for c in closed)
        assert all(cases[c]["status"] == events[c][-1].status for c in cases)
        assert await write_intents.pending(stores.records) == []
    finally:
        if crash_city.owned:
            await stores.close()


async def test_start_up_repairs_only_writes_older_than_the_grace_period(tmp_path: Path) -> None:
    # given a city with a filing a killed worker left long ago, and one under way right now
    settings = city_settings(tmp_path)
    stores = await open_stores(settings, migrate=True)
    await seed_for_tests(stores)
    old, fresh = unique("case"), unique("case")
    long_ago = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1000)
    for case_id, started in ((old, long_ago), (fresh, write_intents.now_ms())):
        await write_intents.begin(stores.records, CASE_FILED, case_id, started_at=started)
        node = {"id": case_id, "description": "half filed", "status": "open"}
        assert await stores.graph.create_node("Case", node)
    await stores.close()

    # when the server starts
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        opened: Stores = app.state.stores
        # then the old half filing is gone and the one under way is untouched
        old_node, fresh_node = await opened.graph.get_nodes("Case", [old, fresh])
        assert old_node is None
        assert fresh_node is not None
        pending = await write_intents.pending(opened.records)
        assert [(i.subject, i.state) for i in pending] == [(fresh, write_intents.OPEN)]


async def test_two_desk_processes_on_neo4j_and_postgresql_file_at_once(
    scale_out: Backend,
) -> None:
    # given two worker processes sharing Neo4j and PostgreSQL (LadybugDB has one writer process)
    per_desk = 40
    desks = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.contract.crash_filer",
            NEO4J_URL,
            POSTGRES_URL,
            str(per_desk),
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    # when each files and closes its cases, many at once, at the same time as the other
    outputs = await asyncio.wait_for(
        asyncio.gather(*(desk.communicate() for desk in desks)), timeout=300
    )

    # then both finish, and every case each acknowledged is whole and closed
    assert [desk.returncode for desk in desks] == [0, 0]
    said = [line.split() for out, _ in outputs for line in out.decode().splitlines()]
    filed = {words[1] for words in said if words[0] == "filed"}
    closed = {words[1] for words in said if words[0] == "closed"}
    assert len(filed) == len(closed) == 2 * per_desk
    nodes = await scale_out.stores.graph.get_nodes("Case", sorted(filed))
    assert all(node is not None and node["status"] == "closed" for node in nodes)
    events = await events_by_case(scale_out.stores.records, sorted(filed))
    assert all(
        [e.kind for e in events[c]] == ["received", "assigned", "status_changed"] for c in filed
    )
