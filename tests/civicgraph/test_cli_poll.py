"""`civicgraph poll verify` from the operator's shell: the tally; exit 1 naming a changed leaf."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from civicgraph.cli import app
from civicgraph.settings import Settings
from graph.records import open_records
from ledger.entries import Entry
from tests.civicgraph.runner import BoundaryRunner
from tests.zk.city import own_city
from tests.zk.residents import SUITE, mid
from zk.credentials.epochs import Epoch
from zk.polls.ballots import make_ballot
from zk.polls.model import BALLOT, Eligibility
from zk.polls.service import cast_ballot, create_poll

runner = BoundaryRunner()
MONTH = mid(2035, 7)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path


def run_poll(data_dir: Path, choices: list[str]) -> tuple[str, list[int]]:
    """A poll in the data dir's records, with one ballot per choice; (poll id, ballot leaves)."""

    async def work() -> tuple[str, list[int]]:
        settings = Settings()
        async with own_city(
            settings.records_location, data_dir, settings.log_key_path, settings.log_origin
        ) as city:
            poll = await create_poll(
                city.log,
                "A new crossing at Gangnam station?",
                ["yes", "no"],
                Eligibility(),
                "2035-07",
                MONTH - timedelta(hours=1),
                MONTH + timedelta(hours=1),
            )
            leaves = []
            for choice in choices:
                voter = await city.credential(Epoch.at(MONTH))
                ballot = make_ballot(SUITE, voter, poll, choice).to_json()
                leaves.append((await cast_ballot(city.log, SUITE, ballot, MONTH)).leaf_index)
            return poll.poll_id, leaves

    return asyncio.run(work())


def test_poll_verify_prints_the_tally_and_exits_0(data_dir: Path) -> None:
    poll_id, _ = run_poll(data_dir, ["yes", "no", "no"])
    result = runner.invoke(app, ["poll", "verify", poll_id, "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "3 ballots counted of 3 in the log; 0 problems" in result.output
    assert "│ no     │       2 │" in result.output


def test_poll_verify_names_a_changed_leaf_and_exits_1(data_dir: Path) -> None:
    poll_id, leaves = run_poll(data_dir, ["yes", "no"])

    async def tamper() -> None:
        records = await open_records(Settings().records_location, migrate=False)
        try:
            rows = await records.query(
                "SELECT leaf_input FROM log_entry WHERE leaf_index = ?", [leaves[0]]
            )
            body = dict(Entry.decode(bytes(rows[0]["leaf_input"])).body)
            changed = Entry(BALLOT, poll_id, {**body, "option": "no"}).encode()
            await records.query(
                "UPDATE log_entry SET leaf_input = ? WHERE leaf_index = ?", [changed, leaves[0]]
            )
        finally:
            await records.close()

    asyncio.run(tamper())
    result = runner.invoke(app, ["poll", "verify", poll_id, "--workers", "1"])
    assert result.exit_code == 1
    assert f"leaf {leaves[0]}: the leaf's bytes were changed" in result.output
    assert "log: the leaves do not hash to the signed tree head" in result.output


def test_poll_verify_of_an_unknown_poll_exits_1(data_dir: Path) -> None:
    run_poll(data_dir, [])
    result = runner.invoke(app, ["poll", "verify", "poll-none", "--workers", "1"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # handled, not escaped
    assert "no poll.created leaf for poll-none" in result.output


def test_poll_simulate_votes_a_gu_through_the_real_code_and_re_tallies(data_dir: Path) -> None:
    seeded = runner.invoke(app, ["seed", "--scale", "0.001", "--history-days", "1"])
    assert seeded.exit_code == 0, seeded.output
    kept = data_dir / "simulation"

    async def live_counts() -> tuple[int, int]:
        records = await open_records(Settings().records_location, migrate=False)
        try:
            polls = await records.query("SELECT COUNT(*) AS n FROM poll")
            issued = await records.query("SELECT COUNT(*) AS n FROM credential_issued")
            return int(polls[0]["n"]), int(issued[0]["n"])
        finally:
            await records.close()

    before = asyncio.run(live_counts())  # the seed's own polls and voters' credentials
    result = runner.invoke(
        app, ["poll", "simulate", "--district", "11680", "--turnout", "0.03", "--keep", str(kept)]
    )
    assert result.exit_code == 0, result.output
    assert "re-tally from the log: ok" in result.output
    counted = int(result.output.split(" ballots counted")[0].rsplit(" ", 1)[-1].replace(",", ""))
    assert counted > 0
    assert (kept / "records.sqlite3").is_file()

    # the live records were not touched: no poll, no credential issued there
    assert asyncio.run(live_counts()) == before
    bad = runner.invoke(app, ["poll", "simulate", "--district", "99999", "--turnout", "0.5"])
    assert bad.exit_code == 1
    assert "no residents of 99999" in bad.output
