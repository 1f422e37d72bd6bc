"""`approveReview` and `rejectReview`: analyst tier, one log entry per decision, every refusal a
typed AnalyticsError (never a masked error), one winner when two analysts decide at once."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from ledger.entries import Entry
from ml.review import ReviewKind
from resolvers.subgraphs import subgraph_schema
from tests.helpers import graphql
from tests.resolvers.analytics.conftest import Propose, context, key_id

APPROVE = """
mutation ($input: ApproveReviewInput!) {
  approveReview(input: $input) {
    __typename
    ... on DecideReviewSuccess {
      review { id status decidedAt decidedBy note correctedDepartment leafIndex }
    }
    ... on Error { code field message }
  }
}
"""
REJECT = """
mutation ($input: RejectReviewInput!) {
  rejectReview(input: $input) {
    __typename
    ... on DecideReviewSuccess {
      review { id status decidedBy note correctedDepartment leafIndex }
    }
    ... on AnalyticsError { code field message }
  }
}
"""
LOG_ENTRY = """
query ($index: Int!) { logEntry(index: $index) { kind subject leafInput } }
"""
REVIEW_STATUS = "query ($id: ID!) { review(id: $id) { status leafIndex } }"
DECIDED = """query ($id: ID!) { review(id: $id) {
  status district { code nameEn } decisionEntry { index kind subject } } }"""


async def log_entry(client: httpx.AsyncClient, index: int) -> dict[str, object]:
    body = await graphql(client, LOG_ENTRY, {"index": index})
    entry: dict[str, object] = body["data"]["logEntry"]  # type: ignore[index]
    return entry


async def test_decisions_are_refused_below_the_analyst_tier(
    client: httpx.AsyncClient, keys: dict[Tier, str], propose: Propose
) -> None:
    # given a pending water alarm
    proposed = await propose()
    for key in (None, keys[Tier.DEVELOPER]):
        # when a public or developer caller approves or rejects it
        approved = await graphql(client, APPROVE, {"input": {"id": proposed.review_id}}, key=key)
        rejected = await graphql(client, REJECT, {"input": {"id": proposed.review_id}}, key=key)
        # then both are FORBIDDEN, as typed union members
        for body, name in ((approved, "approveReview"), (rejected, "rejectReview")):
            assert "errors" not in body
            result = body["data"][name]  # type: ignore[index]
            assert (result["__typename"], result["code"]) == ("AnalyticsError", "FORBIDDEN")
    # and the review is still pending
    shown = await graphql(client, REVIEW_STATUS, {"id": proposed.review_id}, key=keys[Tier.ANALYST])
    assert shown["data"]["review"] == {"status": "PENDING", "leafIndex": None}  # type: ignore[index]


async def test_approve_review_logs_the_decision_under_the_callers_key(
    client: httpx.AsyncClient, keys: dict[Tier, str], propose: Propose
) -> None:
    # given a pending water alarm
    proposed = await propose()
    analyst = keys[Tier.ANALYST]
    # when an analyst approves it with a note
    body = await graphql(
        client,
        APPROVE,
        {"input": {"id": proposed.review_id, "note": "Sample taken, confirmed."}},
        key=analyst,
    )
    # then it is approved under the analyst's key id, with the log leaf of the decision
    result = body["data"]["approveReview"]  # type: ignore[index]
    assert result["__typename"] == "DecideReviewSuccess", result
    decided = result["review"]
    assert decided["status"] == "APPROVED"
    assert decided["decidedBy"] == key_id(analyst)
    assert decided["note"] == "Sample taken, confirmed."
    assert decided["correctedDepartment"] is None
    entry = await log_entry(client, decided["leafIndex"])
    assert entry["kind"] == "review.approved"
    assert entry["subject"] == proposed.review_id
    # the leaf names the proposal and the note by their hashes, and the analyst by key id
    body_of_leaf = Entry.decode(base64.b64decode(str(entry["leafInput"]))).body
    assert body_of_leaf["by"] == key_id(analyst)
    assert body_of_leaf["proposal_sha256"] == proposed.proposal_sha256
    assert body_of_leaf["note_sha256"] == hashlib.sha256(b"Sample taken, confirmed.").hexdigest()
    # and the review reads back decided, with its gu and its leaf (the city's and the log's)
    shown = await graphql(client, DECIDED, {"id": proposed.review_id}, key=analyst)
    assert shown["data"]["review"] == {  # type: ignore[index]
        "status": "APPROVED",
        "district": {"code": "11440", "nameEn": "Mapo-gu"},
        "decisionEntry": {
            "index": decided["leafIndex"],
            "kind": "review.approved",
            "subject": proposed.review_id,
        },
    }


async def test_reject_review_of_a_routing_records_the_department_chosen(
    client: httpx.AsyncClient, keys: dict[Tier, str], propose: Propose
) -> None:
    proposed = await propose(ReviewKind.CASE_ROUTING)  # proposes "roads"
    operator = keys[Tier.OPERATOR]
    body = await graphql(
        client,
        REJECT,
        {"input": {"id": proposed.review_id, "note": "A fallen tree", "department": "parks"}},
        key=operator,
    )
    result = body["data"]["rejectReview"]  # type: ignore[index]
    assert result["__typename"] == "DecideReviewSuccess", result
    assert result["review"]["status"] == "REJECTED"
    assert result["review"]["correctedDepartment"] == "parks"
    assert result["review"]["decidedBy"] == key_id(operator)
    entry = await log_entry(client, result["review"]["leafIndex"])
    assert (entry["kind"], entry["subject"]) == ("review.rejected", proposed.review_id)


@pytest.mark.parametrize(
    ("kind", "extra", "code", "field"),
    [
        pytest.param(
            ReviewKind.CASE_ROUTING,
            {},
            "INVALID_CORRECTION",
            "department",
            id="routing-without-department",
        ),
        pytest.param(
            ReviewKind.CASE_ROUTING,
            {"department": "nope"},
            "INVALID_CORRECTION",
            "department",
            id="unknown-department",
        ),
        pytest.param(
            ReviewKind.CASE_ROUTING,
            {"department": "roads"},
            "INVALID_CORRECTION",
            "department",
            id="the-proposed-department",
        ),
        pytest.param(
            ReviewKind.WATER_ALARM,
            {"department": "water"},
            "INVALID_CORRECTION",
            "department",
            id="department-on-an-alarm",
        ),
        pytest.param(
            ReviewKind.WATER_ALARM, {"note": "x" * 2001}, "NOTE_TOO_LONG", "note", id="long-note"
        ),
    ],
)
async def test_reject_review_mistakes_are_typed_errors(
    client: httpx.AsyncClient,
    keys: dict[Tier, str],
    propose: Propose,
    kind: ReviewKind,
    extra: dict[str, str],
    code: str,
    field: str,
) -> None:
    proposed = await propose(kind)
    body = await graphql(
        client, REJECT, {"input": {"id": proposed.review_id, **extra}}, key=keys[Tier.ANALYST]
    )
    assert "errors" not in body
    result = body["data"]["rejectReview"]  # type: ignore[index]
    assert (result["__typename"], result["code"], result["field"]) == (
        "AnalyticsError",
        code,
        field,
    )


async def test_decisions_on_unknown_or_decided_reviews_are_typed_errors(
    client: httpx.AsyncClient, keys: dict[Tier, str], propose: Propose
) -> None:
    analyst = keys[Tier.ANALYST]
    for review_id in ("RV-000000000000", "", "x" * 5000):
        body = await graphql(client, APPROVE, {"input": {"id": review_id}}, key=analyst)
        result = body["data"]["approveReview"]  # type: ignore[index]
        assert (result["code"], result["field"]) == ("NOT_FOUND", "id")
    proposed = await propose()
    first = await graphql(client, APPROVE, {"input": {"id": proposed.review_id}}, key=analyst)
    assert first["data"]["approveReview"]["__typename"] == "DecideReviewSuccess"  # type: ignore[index]
    again = await graphql(client, REJECT, {"input": {"id": proposed.review_id}}, key=analyst)
    assert again["data"]["rejectReview"]["code"] == "ALREADY_DECIDED"  # type: ignore[index]


async def test_two_analysts_deciding_at_once_give_one_decision_and_one_typed_refusal(
    client: httpx.AsyncClient, keys: dict[Tier, str], propose: Propose
) -> None:
    # given a pending patrol allocation
    proposed = await propose(ReviewKind.PATROL_ALLOCATION)
    review_input: dict[str, object] = {"input": {"id": proposed.review_id}}
    # when an analyst approves it while an operator rejects it
    approved, rejected = await asyncio.gather(
        graphql(client, APPROVE, review_input, key=keys[Tier.ANALYST]),
        graphql(client, REJECT, review_input, key=keys[Tier.OPERATOR]),
    )
    # then exactly one decision stands and the other is ALREADY_DECIDED, never a masked error
    results = [approved["data"]["approveReview"], rejected["data"]["rejectReview"]]  # type: ignore[index]
    kinds = sorted(r["__typename"] for r in results)
    assert kinds == ["AnalyticsError", "DecideReviewSuccess"], results
    (refusal,) = [r for r in results if r["__typename"] == "AnalyticsError"]
    (success,) = [r for r in results if r["__typename"] == "DecideReviewSuccess"]
    assert refusal["code"] == "ALREADY_DECIDED"
    shown = await graphql(client, REVIEW_STATUS, {"id": proposed.review_id}, key=keys[Tier.ANALYST])
    assert shown["data"]["review"] == {  # type: ignore[index]
        "status": success["review"]["status"],
        "leafIndex": success["review"]["leafIndex"],
    }
    entry = await log_entry(client, success["review"]["leafIndex"])
    assert entry["subject"] == proposed.review_id
    assert entry["kind"] == f"review.{success['review']['status'].lower()}"


async def test_a_decision_without_the_callers_key_id_is_invalid_decider(
    app: Starlette, stores: Stores, propose: Propose, tmp_path: Path
) -> None:
    # given an analyst-tier context that names no key (no door put a caller in it)
    made = await propose()
    approve = """mutation ($id: ID!) { approveReview(input: {id: $id}) {
      ... on AnalyticsError { code field } } }"""
    # when it approves a review
    result = await subgraph_schema("analytics").execute(
        approve,
        variable_values={"id": made.review_id},
        context_value=context(app, stores, Tier.ANALYST, tmp_path),
    )
    # then nothing is decided: the refusal is typed, on no input field of the caller's
    assert result.errors is None
    assert result.data == {"approveReview": {"code": "INVALID_DECIDER", "field": None}}
