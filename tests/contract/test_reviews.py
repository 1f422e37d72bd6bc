"""The review queue's contract on SQLite and PostgreSQL: migration 0014, racing analysts on two
connections, the decision's proof, the queue's order and the plan of its listing.

Each case gets a database of its own (a file, or a throw-away PostgreSQL database like
tests/ledger/test_crash_safety.py's), never the session's seeded city: the migration cases drop
tables, and two connections race on one database. PostgreSQL comes from
`tools/services/services.sh start test`; without it these cases skip (and under
CIVIC_REQUIRE_SERVICES=1 the skip fails the run).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from graph.records import Records, open_records
from graph.records.reviews import pending_query, pending_reviews
from ledger.checkpoint import Signer
from ledger.entries import Entry
from ledger.hashing import hash_leaf
from ledger.log import Log
from ledger.verify import verify_consistency, verify_inclusion
from ml import review
from ml.review import AlreadyDecided, ReviewKind
from resolvers.analytics.queue import queue_key
from tests.contract.databases import empty_database
from tests.helpers import undo_migration_0015

T0 = datetime(2026, 11, 30, 9, 0, 0, 250_000, tzinfo=UTC)
SIGNER = Signer("review.contract.test", Ed25519PrivateKey.generate())
BACKENDS = ("sqlite", "postgres")
INDEXES = {"ml_review_status_at", "ml_review_status_kind_at", "ml_review_status_district_at"}


@pytest.fixture(scope="module", params=BACKENDS)
async def shared_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """One database per backend for the cases that keep to subjects of their own."""
    async for url in empty_database(request.param, tmp_path_factory.mktemp("reviews")):
        yield url


@pytest.fixture(scope="module")
async def log(shared_url: str) -> AsyncIterator[Log]:
    """The shared database, as the first server sees it (opening it ran every migration)."""
    async with opened(shared_url) as first:
        yield first


@pytest.fixture(scope="module")
async def other(shared_url: str, log: Log) -> AsyncIterator[Log]:
    """The shared database through a second connection, as a second server sees it."""
    async with opened(shared_url) as second:
        yield second


@pytest.fixture(params=BACKENDS)
async def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of each backend, for one case."""
    async for url in empty_database(request.param, tmp_path):
        yield url


@contextlib.asynccontextmanager
async def opened(url: str) -> AsyncIterator[Log]:
    records = await open_records(url)
    try:
        yield Log(records, SIGNER)
    finally:
        await records.close()


async def index_names(records: Records) -> set[str]:
    if records.dialect == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ml_review'"
    else:
        sql = "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'ml_review'"
    return {row["name"] for row in await records.query(sql)}


def subject(prefix: str = "case") -> str:
    """A subject no other case uses, so cases sharing a database never meet."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def routing(
    records: Records, about: str, at: datetime | None = None, gu: str = "11680"
) -> review.Review:
    made = await review.propose(
        records,
        kind=ReviewKind.CASE_ROUTING,
        model="routing",
        model_version="v1",
        subject=about,
        proposal={"department": "roads", "confidence": 0.52, "runner_up": "transport"},
        district_code=gu,
        at=at,
    )
    return made.review


async def test_migration_0014_builds_the_queue_in_an_empty_database(log: Log) -> None:
    # (the shared database was empty when `log` opened it)
    assert "0014_ml_review" in log.records.migrations_applied
    assert await index_names(log.records) >= INDEXES


async def test_migration_0014_adds_the_queue_to_a_database_keeping_its_records(
    fresh_url: str,
) -> None:
    # given a database from before 0014 with a leaf and a case event
    async with opened(fresh_url) as log:
        before = await log.append([Entry("test.fact", "before-0014")])
        await undo_migration_0015(log.records)
        await log.records.query("DROP TABLE ml_review")
        await log.records.query("DELETE FROM tortoise_migrations WHERE name = '0014_ml_review'")
        marks = log.records.placeholders(2)
        await log.records.query(
            "INSERT INTO case_event (case_id, district_code, kind, status, note, department, "
            f"actor, at) VALUES ({marks[0]}, '11110', 'received', 'open', '', '', '', {marks[1]})",
            ["case-old", T0],
        )
    # when it is opened again
    async with opened(fresh_url) as log:
        # then 0014 runs (and what came after it), what was there stays, and the queue works
        assert log.records.migrations_applied == [
            "0014_ml_review",
            "0015_ml_predictions_and_feeds",
            "0016_api_key_requests",
            "0017_api_usage",
            "0018_persisted_documents",
            "0019_reading_latest",
        ]
        assert await index_names(log.records) >= INDEXES
        rows = await log.records.query("SELECT case_id FROM case_event")
        assert rows == [{"case_id": "case-old"}]
        assert (await log.head()).size == before.head.size == 1
        made = await routing(log.records, "case-old")
        decided = await review.decide(log, made.review_id, True, "analyst-kim")
        assert decided.leaf_index == 1


async def test_two_analysts_on_two_connections_decide_at_once_and_one_wins(
    log: Log, other: Log
) -> None:
    # given a pending routing, seen by two servers' connections to the same records
    made = await routing(log.records, subject())
    # when two analysts decide it at once
    outcomes = await asyncio.gather(
        review.decide(log, made.review_id, True, "analyst-kim"),
        review.decide(other, made.review_id, False, "analyst-park", "", {"department": "water"}),
        return_exceptions=True,
    )
    # then one decision stands, and the log holds its leaf alone
    won = [o for o in outcomes if isinstance(o, review.Review)]
    assert len(won) == 1, outcomes
    assert [type(o) for o in outcomes if o not in won] == [AlreadyDecided], outcomes
    entries = await log.entries_about(made.review_id)
    assert [e.leaf_index for e in entries] == [won[0].leaf_index]
    assert await review.get(other.records, made.review_id) == won[0]


async def test_many_deciders_at_once_leave_one_leaf_per_review(log: Log, other: Log) -> None:
    made = [await routing(log.records, subject()) for _ in range(6)]
    servers = (log, other)
    outcomes = await asyncio.gather(
        *(
            review.decide(servers[(i + j) % 2], r.review_id, True, f"analyst-{j}")
            for i, r in enumerate(made)
            for j in range(3)
        ),
        return_exceptions=True,
    )
    won = [o for o in outcomes if isinstance(o, review.Review)]
    lost = [o for o in outcomes if isinstance(o, AlreadyDecided)]
    assert sorted(r.review_id for r in won) == sorted(r.review_id for r in made)
    assert len(lost) == 12, outcomes
    for decided in won:
        entries = await log.entries_about(decided.review_id)
        assert [e.leaf_index for e in entries] == [decided.leaf_index]


async def test_a_decision_is_proved_by_the_log_and_the_log_grows_consistently(
    log: Log, other: Log
) -> None:
    made = await routing(log.records, subject())
    earlier = await log.append([Entry("test.fact", subject("fact"))])
    decided = await review.decide(other, made.review_id, True, "analyst-kim", "ok")
    later = await routing(log.records, subject())
    await review.decide(log, later.review_id, False, "analyst-kim", "", {"department": "parks"})
    head = await log.head()
    assert decided.leaf_index is not None
    leaf = await log.entry(decided.leaf_index)
    proof = await log.inclusion_proof(decided.leaf_index, head.size)
    verify_inclusion(decided.leaf_index, head.size, hash_leaf(leaf.leaf_input), proof, head.root)
    step = await log.consistency_proof(earlier.head.size, head.size)
    verify_consistency(earlier.head.size, head.size, step, earlier.head.root, head.root)


async def test_the_queue_is_newest_first_to_the_microsecond_and_pages_by_key(log: Log) -> None:
    # given proposals in a gu of their own, microseconds apart, two in the same microsecond
    gu = "11740"
    times = [T0 + timedelta(microseconds=m) for m in (0, 1, 1, 999_999, 1_000_000)]
    made = [await routing(log.records, subject(), at, gu) for at in times]
    order = sorted(made, key=lambda r: (r.created_at, r.review_id), reverse=True)
    # when it is paged one at a time
    seen: list[str] = []
    after: tuple[datetime, str] | None = None
    for _ in range(len(made) + 1):  # a key that does not move on would loop forever
        rows = await pending_reviews(log.records, district_code=gu, after=after, limit=1)
        if not rows:
            break
        last = review.Review.from_row(rows[0])
        seen.append(last.review_id)
        after = review.queue_key_of(queue_key(last))  # as reviewQueue's cursors go round
    else:
        pytest.fail(f"still paging after {len(made) + 1} pages: {seen}")
    # then every review comes once, by time then id, with its time as stored
    assert seen == [r.review_id for r in order]
    assert [r.created_at for r in order] == sorted(times, reverse=True)
    assert (await review.get(log.records, made[3].review_id)).created_at == times[3]


async def test_the_same_output_proposed_at_once_is_queued_once(log: Log, other: Log) -> None:
    about = subject("2026-11-30/night")
    proposals = await asyncio.gather(
        *(
            review.propose(
                (log, other)[i % 2].records,
                kind="patrol_allocation",
                model="hotspots",
                model_version="v1",
                subject=about,
                proposal={"cells": ["a", "b"], "share": 0.2},
                district_code="11680",
            )
            for i in range(8)
        )
    )
    assert sum(p.created for p in proposals) == 1
    assert len({p.review.review_id for p in proposals}) == 1


async def plan(records: Records, sql: str, params: list[Any]) -> list[str]:
    if records.dialect == "sqlite":
        return [str(r["detail"]) for r in await records.query(f"EXPLAIN QUERY PLAN {sql}", params)]
    return [str(r["QUERY PLAN"]) for r in await records.query(f"EXPLAIN {sql}", params)]


FILLER = (
    "INSERT INTO ml_review (review_id, model, model_version, kind, subject, district_code, "
    "proposal, proposal_sha256, status, created_at) "
    "SELECT 'RV-PLAN-' || i, 'outbreak', 'v1', CASE i % 4 WHEN 0 THEN 'case_routing' "
    "WHEN 1 THEN 'patrol_allocation' WHEN 2 THEN 'outbreak_alarm' ELSE 'water_alarm' END, "
    "'plan-' || i, '11' || (110 + i % 25), '{}', '', "
    "CASE WHEN i % 3 = 0 THEN 'pending' ELSE 'approved' END, "
)
"""Reviews of every kind in 25 districts, a third pending, one a minute from 2026-01-01."""


async def test_the_pending_listing_reads_its_index_in_order(log: Log) -> None:
    # given a queue of 12,000 reviews (with no ANALYZE on SQLite, as the platform runs)
    records = log.records
    if records.dialect == "sqlite":
        rows = (
            "datetime('2026-01-01', '+' || i || ' minutes') FROM (WITH RECURSIVE n(i) AS "
            "(SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 11999) SELECT i FROM n)"
        )
    else:
        rows = "timestamptz '2026-01-01' + i * interval '1 minute' FROM generate_series(0, 11999) i"
    await records.query(FILLER + rows)
    if records.dialect == "postgres":
        await records.query("ANALYZE ml_review")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "outbreak_alarm"}, "ml_review_status_kind_at"),
        ({"district_code": "11110"}, "ml_review_status_district_at"),
        ({}, "ml_review_status_at"),
    ]
    for filters, index in cases:
        # when the queue's first page, and a later one, are planned
        first_page = pending_query(records, **filters, limit=51)
        next_page = pending_query(records, **filters, after=(T0, "RV-9"), limit=51)
        for sql, params in (first_page, next_page):
            steps = await plan(records, sql, params)
            # then each reads the index of its filter in the listing's order: no scan, no sort
            assert any(index in step for step in steps), steps
            assert not any(s.startswith("SCAN ml_review") or "Seq Scan" in s for s in steps), steps
            assert not any("TEMP B-TREE" in s or "Sort" in s for s in steps), steps
