"""Every DateTime argument and input field refuses, at the door, times outside 1970-01-01Z ..
9999-01-01Z (among them times with no UTC time at all: year 1 at +14:00, year 9999 at -14:00)
and times without an offset: coded `out_of_range` / `invalid` naming the argument, as a literal
and as a variable, never `Internal error.`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from graph.records.api_keys import Tier
from resolvers.core.errors import ApiError
from resolvers.core.moments import EARLIEST, LATEST, checked_moment, parse_moment

READINGS = """query($from: DateTime!, $to: DateTime!) { sensors(first: 1) { edges { node {
  readings(dataType: PM25, from: $from, to: $to) { avg } } } } }"""
READINGS_LITERAL = """{ sensors(first: 1) { edges { node {
  readings(dataType: PM25, from: "%s", to: "%s") { avg } } } } }"""
CREATE_POLL = """mutation($input: CreatePollInput!) { createPoll(input: $input) { __typename } }"""
PUBLISH = """mutation($input: PublishContractInput!) {
  publishContract(input: $input) { __typename } }"""
GOOD = "2026-11-20T00:00:00+09:00"

EDGES = [
    pytest.param("0001-01-01T00:00:00+14:00", "out_of_range", id="year-1-at-plus-14"),
    pytest.param("9999-12-31T00:00:00-14:00", "out_of_range", id="year-9999-at-minus-14"),
    pytest.param("9999-12-31T23:59:59Z", "out_of_range", id="after-latest"),
    pytest.param("1969-12-31T23:59:59Z", "out_of_range", id="before-epoch"),
    pytest.param("2026-11-20T00:00:00", "invalid", id="naive"),
    pytest.param("2016-12-31T23:59:60Z", "invalid", id="leap-second"),
]


async def post(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None, key: str | None = None
) -> dict[str, Any]:
    headers = {"X-API-Key": key} if key else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code < 500, response.text
    body: dict[str, Any] = response.json()
    return body


def refusal(body: dict[str, Any]) -> tuple[str, str]:
    assert body.get("data") is None, body
    [error] = body["errors"]
    assert error["message"] != "Internal error."
    return error["extensions"]["code"], error["extensions"].get("field")


@pytest.mark.parametrize(("moment", "code"), EDGES)
async def test_readings_window_refuses_calendar_edges_as_variable(
    client: httpx.AsyncClient, moment: str, code: str
) -> None:
    body = await post(client, READINGS, {"from": moment, "to": GOOD})
    assert refusal(body) == (code, "from")


@pytest.mark.parametrize(("moment", "code"), EDGES)
async def test_readings_window_refuses_calendar_edges_as_literal(
    client: httpx.AsyncClient, moment: str, code: str
) -> None:
    body = await post(client, READINGS_LITERAL % (GOOD, moment), None)
    assert refusal(body) == (code, "to")


@pytest.mark.parametrize(("moment", "code"), EDGES)
async def test_poll_and_contract_inputs_refuse_calendar_edges(
    client: httpx.AsyncClient, keys: dict[Tier, str], moment: str, code: str
) -> None:
    poll = {
        "question": "q?",
        "options": ["a", "b"],
        "eligibility": {"districts": []},
        "epoch": "2026-11",
        "opensAt": GOOD,
        "closesAt": moment,
    }
    body = await post(client, CREATE_POLL, {"input": poll}, keys[Tier.OPERATOR])
    assert code in {e["extensions"]["code"] for e in body["errors"]}, body
    contract = {
        "id": "contract-1",
        "weightPrice": 50,
        "weightDelivery": 30,
        "weightRating": 20,
        "bidDeadline": moment,
        "revealDeadline": GOOD,
    }
    body = await post(client, PUBLISH, {"input": contract}, keys[Tier.OPERATOR])
    assert refusal(body) == (code, "input")


async def test_readings_window_in_range_is_answered(client: httpx.AsyncClient) -> None:
    body = await post(client, READINGS, {"from": "2026-11-19T00:00:00Z", "to": GOOD})
    assert "errors" not in body, body


@pytest.mark.parametrize(
    "moment",
    [EARLIEST, LATEST, EARLIEST.astimezone(timezone(timedelta(hours=14)))],
    ids=["earliest", "latest", "earliest-at-plus-14"],
)
def test_checked_moment_keeps_the_range_ends(moment: datetime) -> None:
    assert checked_moment(moment) == moment


@pytest.mark.parametrize(
    "value", [5, None, "garbage", "2026-02-30T00:00:00Z", "0001-01-01T00:00:00+14:00"]
)
def test_parse_moment_refuses_with_an_api_error(value: object) -> None:
    with pytest.raises(ApiError):
        parse_moment(value)


def test_parse_moment_reads_offsets() -> None:
    assert parse_moment("2026-11-20T09:00:00+09:00") == datetime(2026, 11, 20, tzinfo=UTC)
