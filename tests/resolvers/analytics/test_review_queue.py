"""`reviewQueue` and `review(id:)`: analyst tier, newest first, Relay pages, typed errors."""

from __future__ import annotations

import httpx
import pytest

from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from graph.records.reviews import count_pending
from ml.review import ReviewKind
from resolvers.core.pagination import encode_cursor
from tests.helpers import error_codes, graphql
from tests.resolvers.analytics.conftest import Propose

QUEUE = """
query ($kind: ReviewKind, $district: String, $model: String, $first: Int, $after: String) {
  reviewQueue(kind: $kind, district: $district, model: $model, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id kind model status districtCode proposal createdAt } }
  }
}
"""
REVIEW = """
query ($id: ID!) {
  review(id: $id) { id kind model modelVersion subject districtCode proposal proposalSha256
                    status decidedAt decidedBy note correctedDepartment leafIndex
                    district { code } decisionEntry { index } }
}
"""
GANGDONG = "11740"  # this module's gu: no other test proposes there


async def test_review_queue_and_review_are_refused_below_the_analyst_tier(
    client: httpx.AsyncClient, keys: dict[Tier, str], propose: Propose
) -> None:
    proposed = await propose()
    for key in (None, keys[Tier.DEVELOPER]):
        queue = await graphql(client, QUEUE, {}, key=key)
        assert error_codes(queue) == ["forbidden"]
        assert queue["data"] is None
        one = await graphql(client, REVIEW, {"id": proposed.review_id}, key=key)
        assert error_codes(one) == ["forbidden"]
    for tier in (Tier.ANALYST, Tier.OPERATOR):
        shown = await graphql(client, REVIEW, {"id": proposed.review_id}, key=keys[tier])
        assert shown["data"]["review"]["id"] == proposed.review_id  # type: ignore[index]


async def test_review_shows_a_pending_review_with_its_proposal(
    client: httpx.AsyncClient, keys: dict[Tier, str], propose: Propose
) -> None:
    proposed = await propose(ReviewKind.CASE_ROUTING, "11440", runner_up="street")
    body = await graphql(client, REVIEW, {"id": proposed.review_id}, key=keys[Tier.ANALYST])
    assert body["data"] == {
        "review": {
            "id": proposed.review_id,
            "kind": "CASE_ROUTING",
            "model": "routing",
            "modelVersion": "20261130T090000Z-0123abcd",
            "subject": proposed.subject,
            "districtCode": "11440",
            # floats become 6-significant-digit strings when proposed (ml.review)
            "proposal": {"department": "roads", "confidence": "0.41", "runner_up": "street"},
            "proposalSha256": proposed.proposal_sha256,
            "status": "PENDING",
            "decidedAt": None,
            "decidedBy": None,
            "note": None,
            "correctedDepartment": None,
            "leafIndex": None,
            "district": {"code": "11440"},
            "decisionEntry": None,
        }
    }


async def test_review_queue_pages_newest_first_with_filters(
    client: httpx.AsyncClient, keys: dict[Tier, str], propose: Propose
) -> None:
    # given three outbreak alarms in Gangdong-gu, after every other review of this module,
    # and a water alarm there that the kind filter leaves out
    analyst = keys[Tier.ANALYST]
    where = {"kind": "OUTBREAK_ALARM", "district": GANGDONG}
    before = await graphql(client, QUEUE, {**where, "first": 1}, key=analyst)
    counted = before["data"]["reviewQueue"]["totalCount"]  # type: ignore[index]
    made = [
        await propose(ReviewKind.OUTBREAK_ALARM, GANGDONG, minutes=10_000 + i) for i in range(3)
    ]
    await propose(ReviewKind.WATER_ALARM, GANGDONG, minutes=20_000)
    newest_first = [r.review_id for r in reversed(made)]
    # when an analyst asks for two, then the page after them
    first = (await graphql(client, QUEUE, {**where, "first": 2}, key=analyst))["data"]
    page = first["reviewQueue"]  # type: ignore[index]
    after = page["pageInfo"]["endCursor"]
    second = (await graphql(client, QUEUE, {**where, "first": 2, "after": after}, key=analyst))[
        "data"
    ]["reviewQueue"]  # type: ignore[index]
    # then the newest two come first, the third heads the next page, each page knows the rest
    assert [e["node"]["id"] for e in page["edges"]] == newest_first[:2]
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["pageInfo"]["hasPreviousPage"] is False
    assert page["totalCount"] == counted + 3
    assert second["edges"][0]["node"]["id"] == newest_first[2]
    assert second["pageInfo"]["hasPreviousPage"] is True
    assert {e["node"]["kind"] for e in page["edges"] + second["edges"]} == {"OUTBREAK_ALARM"}
    assert {e["node"]["districtCode"] for e in page["edges"] + second["edges"]} == {GANGDONG}
    # and the count is of every match: the whole filter on one page holds as many
    whole = (await graphql(client, QUEUE, {**where, "first": 100}, key=analyst))["data"]
    everything = whole["reviewQueue"]  # type: ignore[index]
    assert everything["pageInfo"]["hasNextPage"] is False
    assert everything["totalCount"] == len(everything["edges"]) == counted + 3
    # and the model filter means the same as the kind it proposes; the city-wide count too
    by_model = await graphql(
        client, QUEUE, {"model": "outbreak", "district": GANGDONG, "first": 2}, key=analyst
    )
    assert by_model["data"]["reviewQueue"]["edges"] == page["edges"]  # type: ignore[index]
    city = await graphql(client, QUEUE, {"model": "outbreak", "first": 100}, key=analyst)
    city_page = city["data"]["reviewQueue"]  # type: ignore[index]
    assert {r.review_id for r in made} <= {e["node"]["id"] for e in city_page["edges"]}
    assert city_page["totalCount"] >= counted + 3


async def test_review_queue_after_a_middle_edge_continues_from_it(
    client: httpx.AsyncClient, keys: dict[Tier, str], propose: Propose
) -> None:
    analyst = keys[Tier.ANALYST]
    made = [
        await propose(ReviewKind.PATROL_ALLOCATION, GANGDONG, minutes=30_000 + i) for i in range(3)
    ]
    where = {"kind": "PATROL_ALLOCATION", "district": GANGDONG, "first": 3}
    edges = (await graphql(client, QUEUE, where, key=analyst))["data"]["reviewQueue"]["edges"]  # type: ignore[index]
    assert [e["node"]["id"] for e in edges] == [r.review_id for r in reversed(made)]
    rest = await graphql(client, QUEUE, {**where, "after": edges[0]["cursor"]}, key=analyst)
    ids = [e["node"]["id"] for e in rest["data"]["reviewQueue"]["edges"]]  # type: ignore[index]
    assert ids[:2] == [made[1].review_id, made[0].review_id]


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        pytest.param({"after": "not a cursor"}, "bad_cursor", "after", id="garbage-cursor"),
        pytest.param({"after": encode_cursor("11110")}, "bad_cursor", "after", id="other-key"),
        pytest.param(
            {"after": encode_cursor("2026-11-30T09:00:00|RV-000000000000")},
            "bad_cursor",
            "after",
            id="no-timezone",
        ),
        pytest.param(
            {"after": encode_cursor("2026-11-30T09:00:00+00:00|CASE-1")},
            "bad_cursor",
            "after",
            id="not-a-review-id",
        ),
        pytest.param(
            {"after": encode_cursor("0001-01-01T00:00:00+05:00|RV-000000000001")},
            "bad_cursor",
            "after",
            id="before-year-1-in-utc",
        ),
        pytest.param(
            {"after": encode_cursor("9999-12-31T23:59:59-05:00|RV-000000000001")},
            "bad_cursor",
            "after",
            id="after-year-9999-in-utc",
        ),
        pytest.param({"first": 0}, "out_of_range", "first", id="first-zero"),
        pytest.param({"first": 101}, "out_of_range", "first", id="first-over-page"),
        pytest.param({"district": "99999"}, "not_found", "district", id="no-gu"),
        pytest.param({"district": "1144010100"}, "not_found", "district", id="a-dong"),
        pytest.param({"model": "weather"}, "not_found", "model", id="no-model"),
    ],
)
async def test_review_queue_mistakes_are_typed_errors(
    client: httpx.AsyncClient,
    keys: dict[Tier, str],
    variables: dict[str, object],
    code: str,
    field: str,
) -> None:
    body = await graphql(client, QUEUE, variables, key=keys[Tier.ANALYST])
    assert error_codes(body) == [code]
    assert body["errors"][0]["extensions"]["field"] == field  # type: ignore[index]


async def test_review_of_an_unknown_id_is_not_found(
    client: httpx.AsyncClient, keys: dict[Tier, str]
) -> None:
    for review_id in ("RV-000000000000", "", "x" * 5000):
        body = await graphql(client, REVIEW, {"id": review_id}, key=keys[Tier.ANALYST])
        assert error_codes(body) == ["not_found"]


COUNT = """query ($kind: ReviewKind, $model: String) {
  reviewQueue(kind: $kind, model: $model, first: 1) { totalCount edges { node { id } } }
}"""


async def test_review_queue_counts_the_whole_city_by_kind_and_model(
    client: httpx.AsyncClient, keys: dict[Tier, str], stores: Stores, propose: Propose
) -> None:
    # given pending reviews of two kinds somewhere in the city
    await propose(ReviewKind.OUTBREAK_ALARM, None)
    await propose(ReviewKind.WATER_ALARM)
    by_kind = await count_pending(stores.records)

    async def total(**variables: object) -> int:
        body = await graphql(client, COUNT, variables, key=keys[Tier.ANALYST])
        return int(body["data"]["reviewQueue"]["totalCount"])  # type: ignore[index]

    # then the count of each filter is the records' count of its kind
    assert await total() == sum(by_kind.values())
    assert await total(kind="OUTBREAK_ALARM") == by_kind["outbreak_alarm"]
    assert await total(model="outbreak") == by_kind["outbreak_alarm"]
    assert await total(model="water") == by_kind["water_alarm"]
    assert await total(kind="WATER_ALARM", model="water") == by_kind["water_alarm"]
    # and a kind with another model's name matches nothing
    assert await total(kind="OUTBREAK_ALARM", model="water") == 0


PAGE_WITH_GU = """query ($first: Int) {
  reviewQueue(kind: PATROL_ALLOCATION, district: "11710", first: $first) {
    edges { node { id district { code nameEn } decisionEntry { index } } }
  }
}"""


async def test_review_queue_pages_cost_the_same_store_calls_at_any_size(
    client: httpx.AsyncClient, keys: dict[Tier, str], stores: Stores, propose: Propose
) -> None:
    # given ten pending patrol allocations in Songpa-gu
    for minutes in range(10):
        await propose(ReviewKind.PATROL_ALLOCATION, "11710", minutes=minutes)

    async def calls(first: int) -> dict[str, int]:
        before = stores.calls()
        body = await graphql(client, PAGE_WITH_GU, {"first": first}, key=keys[Tier.ANALYST])
        edges = body["data"]["reviewQueue"]["edges"]  # type: ignore[index]
        assert len(edges) == first
        assert {e["node"]["district"]["nameEn"] for e in edges} == {"Songpa-gu"}
        after = stores.calls()
        return {name: after[name] - before[name] for name in after}

    # when a page of two and a page of ten are read with each review's gu
    small, large = await calls(2), await calls(10)
    # then both cost the same: one records query for the page, one graph read for the gu
    assert small == large, (small, large)
    assert large["graph"] <= 1
