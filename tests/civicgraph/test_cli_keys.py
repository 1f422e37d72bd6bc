"""`civicgraph keys requests|approve|reject|tier|purge` through Typer's runner, on a data dir of
its own: decisions, one-line refusals with exit 1, usage errors with exit 2."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from civicgraph.cli import app
from civicgraph.settings import Settings
from graph.records import api_key_requests as requests
from graph.records import open_records
from graph.records.api_key_requests import PendingBounds
from graph.records.api_keys import Tier
from tests.civicgraph.runner import BoundaryRunner, assert_refused

runner = BoundaryRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    return tmp_path


def made(name: str, at: datetime | None = None) -> requests.MadeRequest:
    """A request recorded as requestApiKey records it."""

    async def work() -> requests.MadeRequest:
        records = await open_records(Settings().records_location)
        try:
            new = requests.checked_request(name, "kim@example.com", "bus app", Tier.DEVELOPER)
            when = at or datetime.now(UTC)
            return await requests.create_request(records, new, "10.0.0.1", when, PendingBounds())
        finally:
            await records.close()

    return asyncio.run(work())


def test_keys_requests_approve_and_reject(data_dir: Path) -> None:
    # given two pending requests
    first, second = made("first app"), made("second app")
    # when an operator lists them, approves one as analyst and rejects the other
    listed = runner.invoke(app, ["keys", "requests"])
    approved = runner.invoke(
        app, ["keys", "approve", first.request.request_id, "--tier", "analyst"]
    )
    rejected = runner.invoke(
        app, ["keys", "reject", second.request.request_id, "--reason", "which app?"]
    )
    # then the list showed both with their contact, and each decision is recorded
    assert listed.exit_code == 0, listed.output
    assert first.request.request_id in listed.output
    assert "kim@example.com" in listed.output
    assert approved.exit_code == 0, approved.output
    assert "analyst" in approved.output
    assert rejected.exit_code == 0, rejected.output
    everything = runner.invoke(app, ["keys", "requests", "--status", "all"])
    assert "approved" in everything.output
    assert "rejected" in everything.output
    assert runner.invoke(app, ["keys", "requests"]).output.count("kr-") == 0


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["keys", "approve", "kr-unknown"], "no key request"),
        (["keys", "reject", "kr-unknown", "--reason", "x"], "no key request"),
        (["keys", "tier", "ffffffff", "analyst"], "no key"),
        (["keys", "tier", "PREFIX", "public"], "public tier"),
    ],
    ids=["approve-unknown", "reject-unknown", "tier-unknown", "tier-public"],
)
def test_refusals_are_one_line_and_exit_1(data_dir: Path, arguments: list[str], says: str) -> None:
    created = runner.invoke(app, ["keys", "create", "tiered"])
    prefix = next(w for w in created.output.split() if w.startswith("cg_")).split("_")[1]
    result = runner.invoke(app, [a.replace("PREFIX", prefix) for a in arguments])
    assert_refused(result)
    assert says in result.stderr


def test_a_second_decision_is_refused(data_dir: Path) -> None:
    one = made("decided app")
    assert runner.invoke(app, ["keys", "approve", one.request.request_id]).exit_code == 0
    again = runner.invoke(app, ["keys", "reject", one.request.request_id, "--reason", "no"])
    assert_refused(again)
    assert "already" in again.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        ["keys", "approve", "kr-1", "--tier", "operator"],
        ["keys", "reject", "kr-1"],
        ["keys", "tier", "abcd1234", "emperor"],
        ["keys", "requests", "--status", "lost"],
        ["keys", "requests", "--limit", "0"],
    ],
    ids=["grant-operator", "no-reason", "unknown-tier", "unknown-status", "zero-limit"],
)
def test_usage_errors_exit_2(data_dir: Path, arguments: list[str]) -> None:
    assert runner.invoke(app, arguments).exit_code == 2


def test_keys_tier_changes_a_key(data_dir: Path) -> None:
    created = runner.invoke(app, ["keys", "create", "promoted"])
    prefix = next(w for w in created.output.split() if w.startswith("cg_")).split("_")[1]
    changed = runner.invoke(app, ["keys", "tier", prefix, "operator"])
    assert changed.exit_code == 0, changed.output
    assert "operator" in runner.invoke(app, ["keys", "list"]).output


def test_keys_purge_deletes_requests_past_the_retention(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIVIC_KEY_CONTACT_RETENTION_DAYS", "30")
    made("stale app", datetime.now(UTC) - timedelta(days=31))
    made("fresh app", datetime.now(UTC) - timedelta(days=29))
    purged = runner.invoke(app, ["keys", "purge"])
    assert purged.exit_code == 0, purged.output
    assert "Purged 1 key requests past 30 days" in purged.output
    listed = runner.invoke(app, ["keys", "requests"]).output
    assert "fresh app" in listed
    assert "stale app" not in listed
