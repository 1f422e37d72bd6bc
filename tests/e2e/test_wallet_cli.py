"""`civicgraph wallet` as a resident runs it: separate processes, a real server, JSON files."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx

from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from tests.helpers import resident_id

PASSPHRASE = "a long wallet passphrase"
ASK = """mutation($input: PresentationRequestInput!) { presentationRequest(input: $input) {
  ... on PresentationRequestInfo { request }
  ... on IdentityError { code message }
} }"""


async def civicgraph(*arguments: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "civicgraph.cli",
        *arguments,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
        env={**os.environ, "CIVIC_WALLET_PASSPHRASE": PASSPHRASE, "COLUMNS": "200", **(env or {})},
    )
    out, error = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), error.decode()


def no_traceback(*outputs: str) -> None:
    for output in outputs:
        assert "Traceback" not in output, output


async def test_a_resident_enrols_presents_and_a_service_verifies_through_the_cli(
    server: str, stores: Stores, settings: Settings, keys: dict[Tier, str], tmp_path: Path
) -> None:
    resident = resident_id()
    assert await stores.graph.create_node(
        "Citizen",
        {
            "id": resident,
            "district_code": "11680",
            "dong_code": None,
            "birth_year": 1988,
            "sex": "F",
            "welfare_eligible": False,
        },
    )
    wallet = str(tmp_path / "wallet.json")
    mine = ("--wallet", wallet)

    # the operator hands out a code (an operator mutation; `civicgraph keys enrol` does the same)
    async with httpx.AsyncClient(base_url=server) as http:
        made = await http.post(
            "/graphql",
            json={
                "query": "mutation($id: ID!) { createEnrolmentCode(residentId: $id) "
                "{ ... on EnrolmentCode { enrolmentCode } } }",
                "variables": {"id": resident},
            },
            headers={"X-API-Key": keys[Tier.OPERATOR]},
        )
        code = made.json()["data"]["createEnrolmentCode"]["enrolmentCode"]

    # the resident makes a wallet and asks for this month's credential
    assert (await civicgraph("wallet", "init", *mine))[0] == 0
    status, out, err = await civicgraph(
        "wallet", "request", *mine, "--server", server, "--code", code
    )
    assert status == 0, err
    assert "district=11680" in err
    status, out, err = await civicgraph("wallet", "list", *mine)
    assert status == 0, err
    assert "resident-" in out
    assert "11680" in out

    # a second request this month is refused with its reason (exit 4)
    status, out, err = await civicgraph("wallet", "request", *mine, "--server", server)
    assert (status, "ALREADY_ISSUED" in err) == (4, True), err

    # a service asks for "over 19" only
    async with httpx.AsyncClient(base_url=server) as http:
        asked = await http.post(
            "/graphql",
            json={
                "query": ASK,
                "variables": {"input": {"verifier": "night-market", "attributes": ["OVER19"]}},
            },
            headers={"X-API-Key": keys[Tier.DEVELOPER]},
        )
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps(asked.json()["data"]["presentationRequest"]["request"]))

    status, out, err = await civicgraph("wallet", "present", str(request_file), *mine)
    assert status == 0, err
    presentation: dict[str, Any] = json.loads(out)
    assert presentation["disclosed"] == {"over19": True}
    assert "11680" not in out
    answer = tmp_path / "presentation.json"
    answer.write_text(out)

    # anyone checks it offline against the published keys; a tampered copy is refused (4)
    offline = ("--server", server, "--request", str(request_file))
    status, out, err = await civicgraph("wallet", "verify", str(answer), *offline)
    assert status == 0, err
    assert json.loads(out)["over19"] is True
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps({**presentation, "disclosed": {"over19": False}}))
    status, out, err = await civicgraph("wallet", "verify", str(tampered), *offline)
    assert (status, "invalid_proof" in err) == (4, True), err

    # the service's check at the server accepts it once; the replay is refused (4)
    service = ("--server", server, "--api-key", keys[Tier.DEVELOPER])
    status, out, err = await civicgraph("wallet", "verify", str(answer), *service)
    assert status == 0, err
    status, out, err = await civicgraph("wallet", "verify", str(answer), *service)
    assert (status, "REPLAYED" in err) == (4, True), err

    # mistakes give one line and exit 1: wrong passphrase, missing wallet, bad JSON, no server
    wrong = {"CIVIC_WALLET_PASSPHRASE": "not the passphrase"}
    for arguments, env, message in (
        (("wallet", "list", *mine), wrong, "wrong passphrase"),
        (("wallet", "list", "--wallet", str(tmp_path / "none.json")), None, "no wallet"),
        (("wallet", "present", str(tmp_path / "none.json"), *mine), None, "cannot read"),
        (("wallet", "init", *mine), None, "never overwritten"),
        (("wallet", "request", *mine, "--server", "http://127.0.0.1:9"), None, "cannot ask"),
    ):
        status, out, err = await civicgraph(*arguments, env=env)
        assert (status, message in err) == (1, True), (arguments, out, err)
        no_traceback(out, err)
