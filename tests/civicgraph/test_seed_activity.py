"""`civicgraph seed` seeds civic activity once: polls with ballots, certificates, procurement.

The seed runs through the CLI on a tiny city of its own; the merged API, in process, then
answers every figure the Polls and Trust dashboards draw with data. A second seed adds
nothing (the log's size stays), and `--no-activity` seeds none.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

import httpx
import pytest

from civicgraph.app import create_app
from civicgraph.cli import app
from civicgraph.seed_activity import SEED as ACTIVITY_SEED
from civicgraph.seed_activity import gu_codes, seed_activity
from civicgraph.seed_activity.polls import (
    PollSeeder,
    pick_voters,
    poll_epoch,
    turnout_plan,
    voters_at,
)
from civicgraph.settings import Settings
from civicgraph.stores import open_issuer_keys, open_log, open_stores
from graph.city_day import city_day
from graph.records import open_records, seed_state
from graph.records.api_keys import Tier, create_key
from graph.records.polls import PollRow, newest_polls
from tests.civicgraph.runner import BoundaryRunner
from zk.credentials.epochs import Epoch

runner = BoundaryRunner()
SEED = ["seed", "--scale", "0.001", "--history-days", "1"]
FIGURES = """{
  open: polls(state: OPEN) { id totalBallots turnout { district ballots suppressed } }
  closed: polls(state: CLOSED) { id totalBallots tally { option ballots } }
  certificateStatistics { issued issuedToday revoked verified verifiedToday }
  procurementStatistics { inFlight completed medianCycleDays byState { key count } }
  contracts(first: 100) { state cycleDays createdAt }
  logCheckpoints(first: 100) { treeSize signedAt }
  logHead { treeSize }
}"""


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CIVIC_SERVER_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CIVIC_SIMULATOR", "0")
    return tmp_path


async def ask(tier: Tier | None) -> dict[str, Any]:
    """The figures, from the merged API in process, as a caller of `tier` (None: public)."""
    settings = Settings()
    headers = {}
    if tier is not None:
        records = await open_records(settings.records_location, migrate=False)
        try:
            headers["X-API-Key"] = (await create_key(records, "mayor", tier)).secret
        finally:
            await records.close()
    served = create_app(settings)
    async with served.router.lifespan_context(served):
        transport = httpx.ASGITransport(app=served)
        async with httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test") as c:
            response = await c.post("/graphql", json={"query": FIGURES}, headers=headers)
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def test_seed_fills_the_polls_and_trust_figures_once(data_dir: Path) -> None:
    # when
    first = runner.invoke(app, SEED)
    # then
    assert first.exception is None, first.output
    assert "Seeded civic activity" in first.output
    analyst = asyncio.run(ask(Tier.ANALYST))
    [poll] = analyst["open"]
    assert poll["totalBallots"] >= 18
    counts = [cell["ballots"] for cell in poll["turnout"]]
    assert any(n >= 5 for n in counts), counts
    assert any(n < 5 for n in counts), counts
    assert sum(counts) == poll["totalBallots"]
    [closed] = analyst["closed"]
    assert sum(o["ballots"] for o in closed["tally"]) == closed["totalBallots"] > 0
    certs = analyst["certificateStatistics"]
    assert certs["issued"] > certs["issuedToday"] >= 0  # over several days
    assert certs["issued"] > 0
    assert certs["revoked"] > 0
    assert certs["verified"] > 0
    procurement = analyst["procurementStatistics"]
    assert procurement["completed"] > 0
    assert procurement["inFlight"] > 0
    assert 0 < procurement["medianCycleDays"] < 23
    states = {cell["key"] for cell in procurement["byState"] if cell["count"]}
    assert {"DRAFT", "PUBLISHED", "BIDDING", "AWARDED", "PAID"} <= states
    days = {city_day(datetime.fromisoformat(c["createdAt"])) for c in analyst["contracts"]}
    assert len(days) > 3
    assert len(analyst["logCheckpoints"]) > 50  # one per append
    public = asyncio.run(ask(None))
    assert any(cell["suppressed"] for cell in public["open"][0]["turnout"])
    assert any(not cell["suppressed"] for cell in public["open"][0]["turnout"])
    size = analyst["logHead"]["treeSize"]

    # when
    again = runner.invoke(app, SEED)
    # then
    assert again.exception is None, again.output
    assert "already seeded" in again.output
    assert "Seeded civic activity" not in again.output
    assert asyncio.run(ask(Tier.ANALYST))["logHead"]["treeSize"] == size


def test_seed_without_activity_leaves_the_log_empty(data_dir: Path) -> None:
    seeded = runner.invoke(app, [*SEED, "--no-activity"])
    assert seeded.exception is None, seeded.output
    data = asyncio.run(ask(Tier.ANALYST))
    assert data["open"] == []
    assert data["certificateStatistics"]["issued"] == 0
    assert data["logHead"]["treeSize"] == 0


def test_a_seed_after_an_activity_seed_that_stopped_half_way_says_so(data_dir: Path) -> None:
    # given a city whose activity seed began and never finished (the process was killed)
    assert runner.invoke(app, [*SEED, "--no-activity"]).exception is None

    async def began() -> None:
        records = await open_records(Settings().records_location, migrate=False)
        try:
            await seed_state.begin_activity(records)
        finally:
            await records.close()

    asyncio.run(began())
    # when the seed runs again, then it says so and seeds the kinds that have none
    again = runner.invoke(app, SEED)
    assert again.exception is None, again.output
    assert "stopped half-way" in again.output
    assert "Seeded civic activity" in again.output

    async def state() -> bool | None:
        records = await open_records(Settings().records_location, migrate=False)
        try:
            return await seed_state.activity_begun(records)
        finally:
            await records.close()

    assert asyncio.run(state()) is True
    # and a third run has nothing to say about it
    third = runner.invoke(app, SEED)
    assert "stopped half-way" not in third.output


@pytest.mark.parametrize("voters", [18, 40, 180])
def test_the_turnout_plan_has_shown_and_withheld_gu(voters: int) -> None:
    gu = [f"11{n:03d}" for n in range(110, 135)]
    plan = turnout_plan(gu, voters, Random(voters))
    assert any(n >= 5 for n in plan.values())
    assert any(1 <= n < 5 for n in plan.values())
    assert voters - 25 <= sum(plan.values()) <= voters


def test_a_voter_who_already_holds_the_months_credential_is_passed_over(data_dir: Path) -> None:
    # given: a city without activity, and the first voter the seed will pick already enrolled
    assert runner.invoke(app, [*SEED, "--no-activity"]).exception is None

    async def enrol_first_voter() -> None:
        settings = Settings()
        stores = await open_stores(settings)
        try:
            log = await open_log(settings, stores.records)
            keyring = await open_issuer_keys(settings, stores.records)
            now = datetime.now(UTC)
            plan = turnout_plan(
                await gu_codes(stores.graph), voters_at(0.001), Random(ACTIVITY_SEED)
            )
            epoch = poll_epoch(now)
            [first, *_] = await pick_voters(stores.graph, plan, epoch)
            seeder = PollSeeder(log, stores.graph, keyring, Random(0), lambda done, total: None)
            await seeder.credential(first, min(now, epoch.ends - timedelta(minutes=1)))
        finally:
            await stores.close()

    asyncio.run(enrol_first_voter())
    # when
    seeded = runner.invoke(app, SEED)
    # then
    assert seeded.exception is None, seeded.output
    data = asyncio.run(ask(Tier.ANALYST))
    assert data["open"][0]["totalBallots"] >= 17


@pytest.mark.parametrize("minutes", [0.5, 59, 61])
def test_a_seed_early_in_a_month_seeds_polls_that_take_a_month_s_credentials(
    data_dir: Path, minutes: float
) -> None:
    # given a city without activity, and a seed in the first minutes of this month (Seoul)
    assert runner.invoke(app, [*SEED, "--no-activity"]).exception is None
    now = Epoch.at(datetime.now(UTC)).starts + timedelta(minutes=minutes)

    async def seed_then_list() -> tuple[dict[str, int], list[PollRow]]:
        settings = Settings()
        stores = await open_stores(settings)
        try:
            log = await open_log(settings, stores.records)
            keyring = await open_issuer_keys(settings, stores.records)
            added = await seed_activity(stores.graph, log, keyring, scale=0.001, now=now)
            return added, await newest_polls(stores.records, "all", now, 10)
        finally:
            await stores.close()

    # when
    added, polls = asyncio.run(seed_then_list())
    # then both polls are seeded, with ballots, in the month whose credentials they take
    month = poll_epoch(now)
    assert month == (Epoch.at(now) if minutes > 60 else Epoch.at(now).previous())
    assert added["Poll"] == 2
    assert added["Ballot"] >= 17
    assert {poll.epoch for poll in polls} == {str(month)}
    assert all(month.starts < poll.opens_at < min(now, month.ends) for poll in polls)
    [closed] = [poll for poll in polls if poll.closes_at < now]
    assert closed.closes_at <= month.ends
