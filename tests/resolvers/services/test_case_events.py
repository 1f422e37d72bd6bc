"""`Case.events` is cut at `first` (default 20), so its cost bound holds however many status
changes a case gets (issue 13: a case reached 28 events, its bound in the cost model was 20)."""

from __future__ import annotations

import httpx

from graph.records.api_keys import Tier
from resolvers.core.pagination import DEFAULT_PAGE_SIZE
from tests.helpers import graphql
from tests.resolvers.services.test_case_file import FILE_CASE, GANGNAM_STATION, UPDATE

EVENTS = "query ($id: ID!, $first: Int) { case(id: $id) { events(first: $first) { kind } } }"


async def test_case_events_are_cut_at_first_and_default_to_one_page(
    client: httpx.AsyncClient, keys: dict[Tier, str]
) -> None:
    # given a case with more events than one page: received, assigned, 22 status changes
    filed = await graphql(
        client,
        FILE_CASE,
        {"input": {"serviceCode": "noise", "description": "Long case", **GANGNAM_STATION}},
    )
    case_id = filed["data"]["fileCase"]["case"]["id"]  # type: ignore[index]
    for n in range(DEFAULT_PAGE_SIZE + 2):
        change: dict[str, object] = {"input": {"id": case_id, "status": "OPEN", "note": f"{n}"}}
        done = await graphql(client, UPDATE, change, key=keys[Tier.OPERATOR])
        assert "errors" not in done, done
    # when
    default = await graphql(client, EVENTS, {"id": case_id})
    more = await graphql(client, EVENTS, {"id": case_id, "first": 100})
    refused = await graphql(client, EVENTS, {"id": case_id, "first": 101})
    # then
    kinds = [e["kind"] for e in default["data"]["case"]["events"]]  # type: ignore[index]
    assert len(kinds) == DEFAULT_PAGE_SIZE
    assert kinds[:2] == ["received", "assigned"]
    assert len(more["data"]["case"]["events"]) == DEFAULT_PAGE_SIZE + 4  # type: ignore[index]
    assert refused["errors"][0]["extensions"] == {"code": "out_of_range", "field": "first"}  # type: ignore[index]
