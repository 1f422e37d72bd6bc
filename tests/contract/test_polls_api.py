"""Polls through the API on SQLite and PostgreSQL: create, vote with a wallet's credential,
refusals as PollError, the tally and turnout."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from graph.records.api_keys import Tier
from tests.contract.conftest import Backend
from tests.contract.test_identity_api import SUITE, enrolment_code, gql, resident
from zk.credentials.epochs import Epoch
from zk.credentials.remote import IdentityClient, Refused
from zk.polls.ballots import make_ballot
from zk.wallet import Wallet

CREATE = """mutation($input: CreatePollInput!) { createPoll(input: $input) {
  __typename
  ... on Poll { id question options epoch eligibility { districts over19 } totalBallots }
  ... on PollError { code field message }
} }"""
LOOKUP = """query($id: ID!) { poll(id: $id) {
  id totalBallots tally { option ballots } turnout { district ballots }
} }"""


def poll_input(**changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    fields: dict[str, Any] = {
        "question": "Open the Gangnam library on Sundays?",
        "options": ["yes", "no"],
        "eligibility": {"districts": ["11680"], "over19": True},
        "epoch": str(Epoch.at(now)),
        "opensAt": (now - timedelta(minutes=5)).isoformat(),
        "closesAt": (now + timedelta(days=7)).isoformat(),
    }
    fields.update(changes)
    return fields


async def test_residents_vote_once_each_and_the_tally_counts_them(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    made = (await gql(client, backend, CREATE, Tier.OPERATOR, input=poll_input()))["createPoll"]
    assert made["__typename"] == "Poll", made
    assert made["eligibility"] == {"districts": ["11680"], "over19": True}
    identity = IdentityClient(client, "http://civicgraph.test")
    poll = await identity.poll(made["id"])

    epoch = Epoch.at(datetime.now(UTC))
    for choice in ("yes", "no", "yes"):
        wallet = Wallet.new()
        code = await enrolment_code(client, backend, await resident(backend))
        credential = await identity.request_credential(wallet, SUITE, epoch, code)
        ballot = make_ballot(SUITE, credential.held(), poll, choice)
        receipt = await identity.cast_ballot(ballot)
        assert receipt["pollId"] == made["id"]
        assert receipt["pseudonym"] == ballot.pseudonym.hex()
        if choice == "no":
            again = make_ballot(SUITE, credential.held(), poll, "yes")
            with pytest.raises(Refused) as twice:
                await identity.cast_ballot(again)
            assert twice.value.code == "ALREADY_VOTED"

    counted = (await gql(client, backend, LOOKUP, None, id=made["id"]))["poll"]
    assert counted["totalBallots"] == 3
    assert counted["tally"] == [{"option": "yes", "ballots": 2}, {"option": "no", "ballots": 1}]
    # a gu's 3 voters are a small cell: withheld from the public, exact for an analyst
    assert counted["turnout"] == [{"district": "11680", "ballots": None}]
    exact = (await gql(client, backend, LOOKUP, Tier.ANALYST, id=made["id"]))["poll"]
    assert exact["turnout"] == [{"district": "11680", "ballots": 3}]


async def test_poll_mutations_refuse_with_typed_errors(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    refused = await gql(client, backend, CREATE, Tier.DEVELOPER, input=poll_input())
    assert refused["createPoll"]["code"] == "FORBIDDEN"
    for changes, field in (
        ({"options": ["only"]}, "options"),
        ({"epoch": "2026-13"}, "epoch"),
        ({"eligibility": {"districts": ["Gangnam"]}}, "eligibility"),
        ({"closesAt": "2020-01-01T00:00:00+09:00"}, "closesAt"),
        ({"epoch": "0000-01"}, "epoch"),
    ):
        answer = await gql(client, backend, CREATE, Tier.OPERATOR, input=poll_input(**changes))
        assert answer["createPoll"]["field"] == field, answer
    cast = """mutation($b: JSON!) { castBallot(ballot: $b) {
      ... on PollError { code field } ... on BallotReceipt { leafIndex } } }"""
    for junk, code in (
        ({"poll": "poll-none"}, "INVALID"),
        ([1], "INVALID"),
    ):
        answer = (await gql(client, backend, cast, None, b=junk))["castBallot"]
        assert answer["code"] == code
    # a time past the calendar's edge is refused by the DateTime scalar before any resolver
    body = {
        "query": CREATE,
        "variables": {"input": poll_input(opensAt="0001-01-01T00:00:00+14:00")},
    }
    edge = await client.post(
        "/graphql", json=body, headers={"X-API-Key": backend.keys[Tier.OPERATOR]}
    )
    assert edge.json()["errors"][0]["extensions"] == {"code": "out_of_range", "field": "input"}
    # a lone surrogate never reaches a resolver: the door refuses the body (docs/api.md)
    operator = {"X-API-Key": backend.keys[Tier.OPERATOR], "content-type": "application/json"}
    for query, variables in (
        (CREATE, {"input": poll_input(question="lone \ud800 surrogate")}),
        (cast, {"b": {"poll": "\ud800", "option": "yes"}}),
    ):
        body = json.dumps({"query": query, "variables": variables})
        response = await client.post("/graphql", content=body, headers=operator)
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "json_invalid"
    missing = await client.post(
        "/graphql", json={"query": LOOKUP, "variables": {"id": "poll-none"}}
    )
    assert missing.json()["errors"][0]["extensions"]["code"] == "not_found"
