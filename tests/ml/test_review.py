"""The review queue's rules on SQLite: what is queued once, who decides, what the log says.

The same store under PostgreSQL, racing deciders and the migration: tests/contract/test_reviews.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from tortoise.backends.base.client import BaseDBAsyncClient

from graph.records import Records, open_records, sqlite_url
from graph.records import reviews as store
from ledger.checkpoint import Signer
from ledger.entries import Entry
from ledger.hashing import hash_leaf
from ledger.log import Log
from ledger.verify import verify_inclusion
from ml import review
from ml.review import (
    AlreadyDecided,
    InvalidCorrection,
    InvalidCursor,
    InvalidDecider,
    InvalidProposal,
    NoteTooLong,
    ReviewErrorCode,
    ReviewKind,
    ReviewNotFound,
    ReviewStatus,
)
from tests.ml.reviews import queued

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ROUTING = {"department": "roads", "confidence": 0.41, "runner_up": "transport"}


@pytest.fixture(scope="module")
async def log(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Log]:
    path = Path(tmp_path_factory.mktemp("review")) / "records.sqlite3"
    records = await open_records(sqlite_url(path))
    try:
        yield Log(records, Signer("review.test", Ed25519PrivateKey.generate()))
    finally:
        await records.close()


@pytest.fixture
def records(log: Log) -> Records:
    return log.records


def case() -> str:
    return f"case-{uuid.uuid4().hex[:10]}"


async def routing(records: Records, subject: str | None = None, **changes: Any) -> review.Review:
    """A pending case_routing in 11110, with `changes` to propose()'s arguments."""
    arguments: dict[str, Any] = {
        "kind": ReviewKind.CASE_ROUTING,
        "model": "routing",
        "model_version": "20261130T000000Z-0123abcd",
        "subject": case() if subject is None else subject,
        "proposal": ROUTING,
        "district_code": "11110",
    }
    made = await review.propose(records, **(arguments | changes))
    return made.review


async def test_propose_a_routing_stores_it_pending_with_the_hash_of_its_canonical_json(
    records: Records,
) -> None:
    # when a low-confidence routing is proposed
    made = await routing(records)
    # then it is pending, its floats are decimal strings, and the hash is of the stored bytes
    found = await review.get(records, made.review_id)
    assert found == made
    assert found.status is ReviewStatus.PENDING
    assert found.review_id.startswith("RV-")
    assert found.proposal == {"confidence": "0.41", "department": "roads", "runner_up": "transport"}
    stored = await records.query(
        "SELECT proposal, pending_key FROM ml_review WHERE review_id = ?", [made.review_id]
    )
    assert (
        stored[0]["proposal"]
        == '{"confidence":"0.41","department":"roads","runner_up":"transport"}'
    )
    assert found.proposal_sha256 == hashlib.sha256(stored[0]["proposal"].encode()).hexdigest()
    assert stored[0]["pending_key"] is not None


async def test_propose_the_same_output_twice_while_pending_queues_it_once(records: Records) -> None:
    subject = case()
    first = await review.propose(
        records,
        kind="outbreak_alarm",
        model="outbreak",
        model_version="v1",
        subject=f"11110/respiratory/{subject}",
        proposal={"excess": 3.5},
        district_code="11110",
    )
    again = await review.propose(
        records,
        kind="outbreak_alarm",
        model="outbreak",
        model_version="v1",
        subject=f"11110/respiratory/{subject}",
        proposal={"excess": 9.0},
        district_code="11110",
    )
    newer = await review.propose(
        records,
        kind="outbreak_alarm",
        model="outbreak",
        model_version="v2",
        subject=f"11110/respiratory/{subject}",
        proposal={"excess": 9.0},
        district_code="11110",
    )
    assert first.created
    assert not again.created
    assert newer.created
    assert again.review == first.review  # the first proposal stands, unchanged
    assert newer.review.review_id != first.review.review_id


async def test_propose_again_once_decided_returns_the_decision_and_queues_nothing(
    log: Log,
) -> None:
    # given a proposal an analyst has decided
    subject = case()
    first = await routing(log.records, subject)
    await review.decide(log, first.review_id, True, "analyst-kim")
    # when the same model version proposes the same output about the same subject again
    again = await review.propose(
        log.records,
        kind=ReviewKind.CASE_ROUTING,
        model="routing",
        model_version="20261130T000000Z-0123abcd",
        subject=subject,
        proposal=ROUTING,
        district_code="11110",
    )
    assert again.created is False
    assert again.review.review_id == first.review_id
    assert again.review.status is ReviewStatus.APPROVED


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"kind": "weather_alarm"}, "kind", id="unknown-kind"),
        pytest.param({"model": "hotspots"}, "model", id="another-kind-s-model"),
        pytest.param({"district_code": "99999"}, "districtCode", id="not-a-gu"),
        pytest.param({"subject": ""}, "subject", id="empty-subject"),
        pytest.param({"subject": "x" * 129}, "subject", id="long-subject"),
        pytest.param({"model_version": " "}, "modelVersion", id="blank-version"),
        pytest.param(
            {"proposal": {"department": "roads", "c": float("nan")}}, "proposal", id="nan"
        ),
        pytest.param({"proposal": {"department": "moon-base"}}, "proposal", id="no-department"),
        pytest.param(
            {"proposal": {"department": "roads", "x": "y" * 20_000}}, "proposal", id="huge"
        ),
        pytest.param({"proposal": {"department": "roads", 1: "a"}}, "proposal", id="int-key"),
    ],
)
async def test_propose_refuses_what_the_queue_cannot_hold(
    records: Records, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidProposal) as refused:
        await routing(records, **changes)
    assert (refused.value.code, refused.value.field) == (ReviewErrorCode.INVALID_PROPOSAL, field)


async def test_pending_lists_newest_first_by_pages_and_filters(log: Log) -> None:
    # given reviews of two kinds in two gu, one a minute apart, in a model version of their own
    version = f"v-{uuid.uuid4().hex[:8]}"
    made = []
    for i in range(7):
        kind, gu = ("water_alarm", "11140") if i % 3 == 0 else ("outbreak_alarm", "11110")
        proposed = await review.propose(
            log.records,
            kind=kind,
            model="water" if kind == "water_alarm" else "outbreak",
            model_version=version,
            subject=f"{gu}/{i}",
            proposal={"i": i},
            district_code=gu,
            at=T0 + timedelta(minutes=i),
        )
        made.append(proposed.review)
    outbreak = [r.review_id for r in reversed(made) if r.kind is ReviewKind.OUTBREAK_ALARM]
    # when the outbreak alarms of 11110 are paged two at a time
    seen: list[str] = []
    after: tuple[datetime, str] | None = None
    for pages in range(1, 50):  # a key that does not move on would loop forever
        page = await queued(
            log.records, kind=ReviewKind.OUTBREAK_ALARM, district="11110", after=after, limit=2
        )
        seen += [r.review_id for r in page if r.model_version == version]
        if len(page) < 2:
            break
        after = (page[-1].created_at, page[-1].review_id)
        if pages == 1:  # one decided between pages leaves the later pages as they were
            await review.decide(log, outbreak[3], True, "analyst-kim")
    else:
        pytest.fail(f"still paging after {pages} pages: {seen}")
    # then each comes once, newest first, and the decided one only on the page before it went
    assert seen == outbreak[:3]
    assert all(r.kind is ReviewKind.OUTBREAK_ALARM for r in page)
    water = await queued(log.records, model="water", limit=200)
    assert [r.review_id for r in water if r.model_version == version] == [
        r.review_id for r in reversed(made) if r.kind is ReviewKind.WATER_ALARM
    ]


async def test_count_pending_by_kind_in_one_gu(log: Log) -> None:
    # given, in a gu no other case uses, two pending routings, an alarm, and a decided routing
    # (and a routing next door)
    gu = "11500"
    routings = [await routing(log.records, district_code=gu) for _ in range(3)]
    await routing(log.records, district_code="11470")
    await review.propose(
        log.records,
        kind="water_alarm",
        model="water",
        model_version="v1",
        subject=f"{gu}/station-1",
        proposal={"turbidity": 41.5},
        district_code=gu,
    )
    await review.decide(log, routings[0].review_id, True, "analyst-kim")
    # then the count holds what is pending there, by kind, and by model
    assert await store.count_pending(log.records, district_code=gu) == {
        "case_routing": 2,
        "water_alarm": 1,
    }
    assert await store.count_pending(log.records, district_code=gu, model="water") == {
        "water_alarm": 1
    }


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("not a key !", id="garbage"),
        pytest.param("2026-11-30T09:00:00|RV-1", id="naive-time"),
        pytest.param("0001-01-01T00:00:00+05:00|RV-1", id="before-year-1-in-utc"),
        pytest.param("2026-11-30T09:00:00Z|CASE-1", id="not-a-review"),
        pytest.param("x", id="no-separator"),
    ],
)
def test_a_queue_key_it_did_not_make_is_refused(key: str) -> None:
    with pytest.raises(InvalidCursor):
        review.queue_key_of(key)


async def test_decide_approve_logs_a_verifiable_entry_naming_the_proposal_by_hash(
    log: Log,
) -> None:
    # given a pending routing
    made = await routing(log.records)
    # when an analyst approves it with a note naming a resident
    decided = await review.decide(
        log, made.review_id, True, "analyst-kim", note="called Ms Lee at 010-1234-5678", at=T0
    )
    # then the row is approved at that leaf, and the leaf proves it under the signed head
    assert decided == await review.get(log.records, made.review_id)
    assert (decided.status, decided.decided_by, decided.decided_at) == (
        ReviewStatus.APPROVED,
        "analyst-kim",
        T0,
    )
    assert decided.leaf_index is not None
    row = await log.entry(decided.leaf_index)
    entry = Entry.decode(row.leaf_input)
    assert (entry.kind, entry.subject) == ("review.approved", made.review_id)
    assert entry.body["proposal_sha256"] == made.proposal_sha256
    assert entry.body["confidence"] == "0.41"
    assert entry.body["correction"] is None
    assert (
        entry.body["note_sha256"] == hashlib.sha256(b"called Ms Lee at 010-1234-5678").hexdigest()
    )
    assert b"010-1234" not in row.leaf_input
    assert b"runner_up" not in row.leaf_input
    head = await log.head()
    proof = await log.inclusion_proof(decided.leaf_index, head.size)
    verify_inclusion(decided.leaf_index, head.size, hash_leaf(row.leaf_input), proof, head.root)


async def test_decide_reject_a_routing_names_the_department_chosen(log: Log) -> None:
    made = await routing(log.records)
    decided = await review.decide(
        log, made.review_id, False, "analyst-park", "pothole", {"department": "transport"}
    )
    assert decided.status is ReviewStatus.REJECTED
    assert decided.decision == {"note": "pothole", "correction": {"department": "transport"}}
    assert decided.leaf_index is not None
    entry = Entry.decode((await log.entry(decided.leaf_index)).leaf_input)
    assert entry.kind == "review.rejected"
    assert entry.body["correction"] == {"department": "transport"}
    stored = await log.records.query(
        "SELECT decision, pending_key FROM ml_review WHERE review_id = ?", [made.review_id]
    )
    assert orjson.loads(stored[0]["decision"]) == decided.decision
    assert stored[0]["pending_key"] is not None  # kept: the same output is proposed once, ever


@pytest.mark.parametrize(
    ("approve", "correction", "kind"),
    [
        pytest.param(False, None, "case_routing", id="rejected-routing-without-department"),
        pytest.param(False, {"department": "moon-base"}, "case_routing", id="unknown-department"),
        pytest.param(False, {"department": "roads"}, "case_routing", id="the-proposed-department"),
        pytest.param(False, {"department": "transport", "x": "1"}, "case_routing", id="extra-key"),
        pytest.param(True, {"department": "transport"}, "case_routing", id="approved-with-one"),
        pytest.param(False, {"department": "transport"}, "outbreak_alarm", id="not-a-routing"),
    ],
)
async def test_decide_refuses_a_correction_where_none_belongs(
    log: Log, approve: bool, correction: dict[str, str] | None, kind: str
) -> None:
    model = "routing" if kind == "case_routing" else "outbreak"
    made = await review.propose(
        log.records,
        kind=kind,
        model=model,
        model_version="v1",
        subject=case(),
        proposal=ROUTING,
    )
    size = (await log.head()).size
    with pytest.raises(InvalidCorrection) as refused:
        await review.decide(log, made.review.review_id, approve, "analyst-kim", "", correction)
    assert refused.value.code is ReviewErrorCode.INVALID_CORRECTION
    assert (await log.head()).size == size
    assert (await review.get(log.records, made.review.review_id)).status is ReviewStatus.PENDING


async def test_decide_refuses_a_long_note_an_unnamed_analyst_and_an_unknown_review(
    log: Log,
) -> None:
    made = await routing(log.records)
    with pytest.raises(NoteTooLong):
        await review.decide(log, made.review_id, True, "analyst-kim", "n" * 2001)
    with pytest.raises(InvalidDecider):
        await review.decide(log, made.review_id, True, "  ")
    with pytest.raises(ReviewNotFound) as missing:
        await review.decide(log, "RV-NOSUCH", True, "analyst-kim")
    assert missing.value.code is ReviewErrorCode.NOT_FOUND
    await review.decide(log, made.review_id, True, "analyst-kim", "n" * 2000)


async def test_decide_twice_is_refused_and_logs_once(log: Log) -> None:
    made = await routing(log.records)
    await review.decide(log, made.review_id, True, "analyst-kim")
    with pytest.raises(AlreadyDecided) as again:
        await review.decide(log, made.review_id, False, "analyst-park", "", {"department": "roads"})
    assert again.value.code is ReviewErrorCode.ALREADY_DECIDED
    assert [e.kind for e in await log.entries_about(made.review_id)] == ["review.approved"]


async def test_decide_at_once_one_analyst_wins_and_one_leaf_is_logged(log: Log) -> None:
    made = await routing(log.records)
    outcomes = await asyncio.gather(
        review.decide(log, made.review_id, True, "analyst-kim"),
        review.decide(log, made.review_id, False, "analyst-park", "", {"department": "transport"}),
        return_exceptions=True,
    )
    won = [o for o in outcomes if isinstance(o, review.Review)]
    lost = [o for o in outcomes if isinstance(o, AlreadyDecided)]
    assert len(won) == 1, outcomes
    assert len(lost) == 1, outcomes
    entries = await log.entries_about(made.review_id)
    assert [e.leaf_index for e in entries] == [won[0].leaf_index]


async def test_decide_commits_the_caller_s_write_with_the_leaf_or_nothing(log: Log) -> None:
    # given a rejected routing whose case the caller reassigns in the same transaction
    made = await routing(log.records)

    async def reassign(client: BaseDBAsyncClient, leaf_index: int) -> None:
        await client.execute_query(
            "INSERT INTO case_event (case_id, district_code, kind, status, note, department, "
            "actor, at) VALUES (?, '11110', 'assigned', 'open', '', 'transport', 'review', ?)",
            [made.subject, T0],
        )

    async def fail(client: BaseDBAsyncClient, leaf_index: int) -> None:
        await reassign(client, leaf_index)
        raise RuntimeError("the graph is down")

    size = (await log.head()).size
    # when the caller's write fails, nothing happens
    with pytest.raises(RuntimeError):
        await review.decide(
            log, made.review_id, False, "analyst-kim", "", {"department": "transport"}, fail
        )
    assert (await log.head()).size == size
    assert (await review.get(log.records, made.review_id)).status is ReviewStatus.PENDING
    events = "SELECT count(*) AS n FROM case_event WHERE case_id = ?"
    assert await log.records.query(events, [made.subject]) == [{"n": 0}]
    # and when it succeeds, the leaf, the review and the case event land together
    decided = await review.decide(
        log, made.review_id, False, "analyst-kim", "", {"department": "transport"}, reassign
    )
    assert decided.leaf_index == size
    assert await log.records.query(events, [made.subject]) == [{"n": 1}]
