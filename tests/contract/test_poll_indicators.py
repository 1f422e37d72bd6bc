"""Poll indicators on SQLite and PostgreSQL: `polls(state, first)` newest first with each poll's
state, and turnout by gu with small cells withheld below the analyst tier (k = 5)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from graph.records.api_keys import Tier
from graph.records.polls import BallotRow, insert_ballot
from tests.contract.conftest import Backend
from tests.contract.entities import entities
from tests.contract.test_identity_api import gql
from tests.contract.test_polls_api import CREATE, poll_input

POLLS = """query($state: PollState, $first: Int) { polls(state: $state, first: $first) {
  id state opensAt
} }"""
LISTED = """query { polls(state: OPEN, first: 100) { id turnout { district ballots } }
  district(code: "11710") { polls(first: 100) { id turnout { district ballots } } } }"""
LISTED_GU = "11710"
"""Songpa-gu: no other test's poll is open to it, so its `District.polls` lists this file's
polls among the first 100 however many polls the session's other tests left open."""
TURNOUT = """query($id: ID!) { poll(id: $id) {
  totalBallots turnout { district ballots suppressed }
} }"""


async def make_poll(
    client: httpx.AsyncClient,
    backend: Backend,
    opens: datetime,
    closes: datetime,
    districts: list[str] | None = None,
) -> str:
    fields = poll_input(opensAt=opens.isoformat(), closesAt=closes.isoformat())
    if districts is not None:
        fields["eligibility"] = {"districts": districts, "over19": True}
    made = (await gql(client, backend, CREATE, Tier.OPERATOR, input=fields))["createPoll"]
    assert made["__typename"] == "Poll", made
    return str(made["id"])


async def ask(
    client: httpx.AsyncClient, backend: Backend, tier: Tier | None, query: str, **variables: Any
) -> dict[str, Any]:
    headers = {"X-API-Key": backend.keys[tier]} if tier else {}
    body = {"query": query, "variables": variables}
    response = await client.post("/graphql", json=body, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_polls_lists_each_state_newest_first(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    # given an upcoming, an open and a closed poll of this case
    now = datetime.now(UTC)
    mine = {
        "UPCOMING": await make_poll(
            client, backend, now + timedelta(days=300), now + timedelta(days=301)
        ),
        # opened a second ago: the newest open poll, within the first 100 listed whatever
        # other tests of the session left open
        "OPEN": await make_poll(
            client, backend, now - timedelta(seconds=1), now + timedelta(days=1)
        ),
        # opened two seconds ago and already closed: the newest closed poll, within the first
        # 100 of ALL too (polls of other tests that opened days ago follow it)
        "CLOSED": await make_poll(
            client, backend, now - timedelta(seconds=2), now - timedelta(seconds=1)
        ),
    }

    # when each state is listed, then it holds only polls in that state, newest first
    for state, poll_id in mine.items():
        listed = (await gql(client, backend, POLLS, None, state=state, first=100))["polls"]
        assert {p["state"] for p in listed} == {state}
        assert poll_id in [p["id"] for p in listed]
        assert not set(mine.values()) - {poll_id} & {p["id"] for p in listed}
        opened = [datetime.fromisoformat(p["opensAt"]) for p in listed]
        assert opened == sorted(opened, reverse=True)

    # and ALL holds every state; the default and an explicit null are OPEN, first cuts
    every = (await gql(client, backend, POLLS, None, state="ALL", first=100))["polls"]
    assert set(mine.values()) <= {p["id"] for p in every}
    assert every[0]["id"] == mine["UPCOMING"]  # the newest opensAt of all
    default = (await gql(client, backend, "{ polls { id state } }", None))["polls"]
    assert default
    assert {p["state"] for p in default} == {"OPEN"}
    explicit_null = (await gql(client, backend, POLLS, None, state=None, first=None))["polls"]
    assert [p["id"] for p in explicit_null] == [p["id"] for p in default]
    one = (await gql(client, backend, POLLS, None, state="ALL", first=1))["polls"]
    assert [p["id"] for p in one] == [every[0]["id"]]


@pytest.mark.parametrize("first", [0, -1, 101, 2**31 - 1])
async def test_polls_refuses_a_first_out_of_range(
    backend: Backend, client: httpx.AsyncClient, first: int
) -> None:
    answer = await ask(client, backend, None, POLLS, state="ALL", first=first)
    assert answer["errors"][0]["extensions"]["code"] == "out_of_range", answer
    assert answer["errors"][0]["extensions"]["field"] == "first"


async def test_polls_refuses_an_unknown_state(backend: Backend, client: httpx.AsyncClient) -> None:
    answer = await ask(client, backend, None, POLLS, state="SOON")
    assert answer.get("data") is None, answer
    assert answer["errors"][0]["extensions"]["code"] == "bad_user_input", answer


async def cast(backend: Backend, poll_id: str, district: str, ballots: int) -> None:
    """`ballots` rows of the ballot index for voters of `district` (turnout reads the index)."""
    records = backend.stores.records
    async with records.transaction() as connection:
        for index in range(ballots):
            row = BallotRow(
                poll_id=poll_id,
                nullifier=uuid.uuid4().hex,
                option_index=index % 2,
                district=district,
                leaf_index=-1,
                cast_at=datetime.now(UTC).replace(microsecond=0),
            )
            await insert_ballot(records, connection, row)


def turnout_of(answer: dict[str, Any]) -> dict[str, int | None]:
    return {row["district"]: row["ballots"] for row in answer["poll"]["turnout"]}


@pytest.mark.parametrize(
    ("cast_by_gu", "public"),
    [
        # a lone small cell: the smallest other is withheld too, or the total gives it back
        pytest.param(
            {"11110": 2, "11680": 7, "11650": 9},
            {"11110": None, "11680": None, "11650": 9},
            id="one-small-cell-and-its-complement",
        ),
        # two small cells holding 5 together: nothing more is withheld
        pytest.param(
            {"11110": 2, "11140": 3, "11680": 5},
            {"11110": None, "11140": None, "11680": 5},
            id="two-small-cells",
        ),
        # two small cells under 5 together: the smallest safe cell joins them
        pytest.param(
            {"11110": 1, "11140": 1, "11680": 6, "11650": 5},
            {"11110": None, "11140": None, "11680": 6, "11650": None},
            id="small-cells-under-five-together",
        ),
        pytest.param({"11680": 5, "11650": 12}, {"11680": 5, "11650": 12}, id="no-small-cell"),
    ],
)
async def test_turnout_withholds_small_gu_cells_below_analyst(
    backend: Backend,
    client: httpx.AsyncClient,
    cast_by_gu: dict[str, int],
    public: dict[str, int | None],
) -> None:
    # given a poll with ballots from voters of several gu
    now = datetime.now(UTC)
    # (opened a second ago: the newest open poll, first in `polls`, whatever other tests left)
    poll_id = await make_poll(
        client, backend, now - timedelta(seconds=1), now + timedelta(days=1), [LISTED_GU]
    )
    for district, ballots in cast_by_gu.items():
        await cast(backend, poll_id, district, ballots)

    # when the public, a developer and an analyst read its turnout
    for tier in (None, Tier.DEVELOPER):
        shown = await gql(client, backend, TURNOUT, tier, id=poll_id)
        # then below analyst the small cells and their complements are withheld
        assert turnout_of(shown) == dict(sorted(public.items())), tier
        assert [r["suppressed"] for r in shown["poll"]["turnout"]] == [
            r["ballots"] is None for r in shown["poll"]["turnout"]
        ]
        withheld = sum(cast_by_gu[gu] for gu, n in public.items() if n is None)
        assert withheld == 0 or withheld >= 5  # what the total gives back is a safe sum
        assert shown["poll"]["totalBallots"] == sum(cast_by_gu.values())
    for tier in (Tier.ANALYST, Tier.OPERATOR):
        exact = await gql(client, backend, TURNOUT, tier, id=poll_id)
        assert turnout_of(exact) == dict(sorted(cast_by_gu.items()))
        assert not any(r["suppressed"] for r in exact["poll"]["turnout"])

    # and the poll listing, District.polls and the identity subgraph's _entities door
    # apply the same rule to the public
    listed = await gql(client, backend, LISTED, None)
    for polls in (listed["polls"], listed["district"]["polls"]):
        found = next(p for p in polls if p["id"] == poll_id)
        assert {r["district"]: r["ballots"] for r in found["turnout"]} == public
    reps = [{"__typename": "Poll", "id": poll_id}]
    via = await entities(
        backend, "identity", "... on Poll { turnout { district ballots } }", reps, Tier.PUBLIC
    )
    assert via.errors is None, via.errors
    assert {r["district"]: r["ballots"] for r in via.data["_entities"][0]["turnout"]} == public
