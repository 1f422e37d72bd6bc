"""The review queue through each door: the merged server, Apollo's gateway and Hive Gateway
list the same pending reviews to an analyst (the caller's key forwarded to the analytics
subgraph), refuse them alike below the analyst tier, and decide a review with the same typed
answers; the review with its gu (city) and its decision's log leaf (trust) reads back the same
through every door."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from ml import review
from ml.review import ReviewKind
from tests.federation.conftest import Doors
from tests.federation.test_same_answers import DOORS, ask, comparable

QUEUE = """query ($district: String) {
  reviewQueue(kind: WATER_ALARM, district: $district, first: 5) {
    totalCount edges { cursor node { id kind model subject districtCode proposal status } }
  }
}"""
APPROVE = """mutation ($id: ID!) {
  approveReview(input: {id: $id, note: "Sampled: confirmed"}) {
    __typename
    ... on DecideReviewSuccess { review { id status decidedBy note leafIndex } }
    ... on AnalyticsError { code field message }
  }
}"""
DECISION_LEAF = """query ($id: ID!, $index: Int!) {
  review(id: $id) { status leafIndex district { code nameEn }
                    decisionEntry { index kind subject leafHash } }
  logEntry(index: $index) { kind subject leafHash }
}"""
NOWON = "11350"
"""This module's gu: no other test of the session proposes reviews there."""


async def test_review_queue_is_the_same_through_each_door_and_refused_alike(
    doors: Doors, stores: Stores, keys: dict[Tier, str]
) -> None:
    # given three pending water alarms in one gu
    for minutes in range(3):
        await review.propose(
            stores.records,
            kind=ReviewKind.WATER_ALARM,
            model="water",
            model_version="20261130T090000Z-0123abcd",
            subject=f"fed-{uuid.uuid4().hex[:12]}",
            proposal={"station": "WQ-07", "score": 0.97},
            district_code=NOWON,
            at=datetime(2099, 6, 1, tzinfo=UTC) + timedelta(minutes=minutes),
        )
    analyst = keys[Tier.ANALYST]
    # when an analyst lists them, and a developer tries, through every door
    listed = [
        comparable(await ask(getattr(doors, d), QUEUE, {"district": NOWON}, analyst)) for d in DOORS
    ]
    refused = [
        comparable(await ask(getattr(doors, d), QUEUE, {"district": NOWON}, keys[Tier.DEVELOPER]))
        for d in DOORS
    ]
    # then every door lists the same page, and refuses the developer with FORBIDDEN
    page = listed[0]["data"]["reviewQueue"]
    assert page["totalCount"] == 3
    assert [e["node"]["status"] for e in page["edges"]] == ["PENDING"] * 3
    assert listed[1:] == [listed[0]] * 2
    assert [e["code"] for e in refused[0]["errors"]] == ["forbidden"]
    assert refused[1:] == [refused[0]] * 2


async def test_a_review_decided_through_each_door_reads_back_the_same(
    doors: Doors, stores: Stores, keys: dict[Tier, str]
) -> None:
    analyst = keys[Tier.ANALYST]
    for door in DOORS:
        # given a pending water alarm
        proposed = await review.propose(
            stores.records,
            kind=ReviewKind.WATER_ALARM,
            model="water",
            model_version="20261130T090000Z-0123abcd",
            subject=f"fed-{door}-{uuid.uuid4().hex[:12]}",
            proposal={"station": "WQ-07", "score": 0.97},
            district_code="11440",
        )
        review_id = proposed.review.review_id
        # when an analyst approves it through this door, and approves it again
        first = await ask(getattr(doors, door), APPROVE, {"id": review_id}, analyst)
        again = await ask(getattr(doors, door), APPROVE, {"id": review_id}, analyst)
        # then the first is approved with its log leaf, the second the typed ALREADY_DECIDED
        decided = first["data"]["approveReview"]
        assert decided["__typename"] == "DecideReviewSuccess", (door, first)
        assert decided["review"]["status"] == "APPROVED"
        assert again["data"]["approveReview"]["code"] == "ALREADY_DECIDED", (door, again)
        # and every door reads back the same decision and its leaf in the log
        variables = {"id": review_id, "index": decided["review"]["leafIndex"]}
        back = [
            comparable(await ask(getattr(doors, d), DECISION_LEAF, variables, analyst))
            for d in DOORS
        ]
        # (the review at analytics, its gu at city, its leaf at trust: one answer)
        shown = back[0]["data"]
        assert shown["logEntry"]["kind"] == "review.approved"
        assert shown["logEntry"]["subject"] == review_id
        assert shown["review"]["district"] == {"code": "11440", "nameEn": "Mapo-gu"}
        entry = shown["review"]["decisionEntry"]
        assert entry == {"index": variables["index"], **shown["logEntry"]}
        assert back[1:] == [back[0]] * 2, door
