"""A poll end to end: an operator opens it over the API, residents vote with `civicgraph wallet
vote` in their own processes, an app watches `pollTally` over a websocket, and an auditor runs
`civicgraph poll verify` against the same records."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from tests.e2e.test_wallet_cli import civicgraph
from tests.helpers import resident_id
from zk.credentials.epochs import Epoch

TALLY = """subscription($id: ID!) { pollTally(pollId: $id) { pollId totalBallots
  tally { option ballots } } }"""
CREATE = """mutation($input: CreatePollInput!) { createPoll(input: $input) {
  ... on Poll { id } ... on PollError { code message } } }"""
ENROL = """mutation($id: ID!) { createEnrolmentCode(residentId: $id) {
  ... on EnrolmentCode { enrolmentCode } } }"""


async def enrol(http: httpx.AsyncClient, stores: Stores, operator: str) -> str:
    resident = resident_id()
    props = {
        "id": resident,
        "district_code": "11680",
        "dong_code": None,
        "birth_year": 1975,
        "sex": "M",
        "welfare_eligible": False,
    }
    assert await stores.graph.create_node("Citizen", props)
    answer = await http.post(
        "/graphql",
        json={"query": ENROL, "variables": {"id": resident}},
        headers={"X-API-Key": operator},
    )
    return str(answer.json()["data"]["createEnrolmentCode"]["enrolmentCode"])


def data_env(settings: Settings) -> dict[str, str]:
    """The CLI's settings: the session's records, log key and issuer keys."""
    return {**os.environ, "CIVIC_DATA_DIR": str(settings.data_dir)}


async def test_residents_vote_from_the_cli_apps_watch_the_tally_auditors_re_tally(
    server: str, stores: Stores, settings: Settings, keys: dict[Tier, str], tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    poll_input = {
        "question": "Which trees for Seolleung-ro?",
        "options": ["ginkgo", "zelkova"],
        "eligibility": {"districts": ["11680"]},
        "epoch": str(Epoch.at(now)),
        "opensAt": (now - timedelta(minutes=1)).isoformat(),
        "closesAt": (now + timedelta(days=1)).isoformat(),
    }
    async with httpx.AsyncClient(base_url=server) as http:
        made = await http.post(
            "/graphql",
            json={"query": CREATE, "variables": {"input": poll_input}},
            headers={"X-API-Key": keys[Tier.OPERATOR]},
        )
        poll_id = made.json()["data"]["createPoll"]["id"]
        codes = [await enrol(http, stores, keys[Tier.OPERATOR]) for _ in range(2)]

    seen: list[dict[str, Any]] = []

    async def watch() -> None:
        url = server.replace("http://", "ws://") + "/graphql"
        transport = WebsocketsTransport(
            url=url, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL]
        )
        async with Client(transport=transport) as session:
            request = gql(TALLY)
            request.variable_values = {"id": poll_id}
            async for result in session.subscribe(request):
                seen.append(result["pollTally"])

    watching = asyncio.create_task(watch())
    try:
        async with asyncio.timeout(15):
            while not seen:  # noqa: ASYNC110 - the current tally comes first
                await asyncio.sleep(0.05)
        assert seen[0]["totalBallots"] == 0

        for n, (code, choice) in enumerate(zip(codes, ("zelkova", "ginkgo"), strict=True)):
            wallet = ("--wallet", str(tmp_path / f"wallet-{n}.json"), "--server", server)
            assert (await civicgraph("wallet", "init", wallet[0], wallet[1]))[0] == 0
            status, _, err = await civicgraph("wallet", "request", *wallet, "--code", code)
            assert status == 0, err
            status, out, err = await civicgraph("wallet", "vote", poll_id, choice, *wallet)
            assert status == 0, err
            assert '"leafIndex"' in out
            status, _, err = await civicgraph("wallet", "vote", poll_id, choice, *wallet)
            assert (status, "ALREADY_VOTED" in err) == (4, True), err

        async with asyncio.timeout(15):
            while seen[-1]["totalBallots"] < 2:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    finally:
        watching.cancel()
    assert seen[-1]["tally"] == [
        {"option": "ginkgo", "ballots": 1},
        {"option": "zelkova", "ballots": 1},
    ]
    totals = [update["totalBallots"] for update in seen]
    assert totals == sorted(set(totals))  # never backwards, never repeated

    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "civicgraph.cli", "poll", "verify", poll_id, "--workers", "1"),
        env=data_env(settings),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, out.decode() + err.decode()
    assert "2 ballots counted of 2 in the log; 0 problems" in out.decode()
