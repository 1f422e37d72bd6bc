"""Credentials through the API on SQLite and PostgreSQL: enrol, issue, ask, present, verify."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from graph.records.api_keys import Tier
from ledger.entries import Entry
from tests.contract.conftest import Backend
from tests.helpers import resident_id as new_resident_id
from zk.bbs.curves.arkworks import ArkworksCurve
from zk.bbs.suites import sha256_suite
from zk.credentials.epochs import Epoch
from zk.credentials.presentation import PresentationRequest, present
from zk.credentials.remote import IdentityClient, Refused, RemoteError
from zk.wallet import Wallet

SUITE = sha256_suite(ArkworksCurve())
ENROL = """mutation($id: ID!) { createEnrolmentCode(residentId: $id) {
  __typename
  ... on EnrolmentCode { enrolmentCode residentId expiresAt }
  ... on IdentityError { code field message }
} }"""
ASK = """mutation($input: PresentationRequestInput!) { presentationRequest(input: $input) {
  __typename
  ... on PresentationRequestInfo { nonce verifier attributes epochs expiresAt request }
  ... on IdentityError { code field message }
} }"""
KEYS = "{ issuerKeys { keyId epoch publicKey logIndex validFrom validUntil } }"


async def gql(
    client: httpx.AsyncClient, backend: Backend, query: str, tier: Tier | None, **variables: Any
) -> dict[str, Any]:
    headers = {"X-API-Key": backend.keys[tier]} if tier else {}
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}),  # ASCII, surrogates too
        headers={**headers, "content-type": "application/json"},
    )
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def resident(backend: Backend, born: int = 1950, welfare: bool = True) -> str:
    resident_id = new_resident_id()
    props = {
        "id": resident_id,
        "district_code": "11680",
        "dong_code": None,
        "birth_year": born,
        "sex": "M",
        "welfare_eligible": welfare,
    }
    assert await backend.stores.graph.create_node("Citizen", props)
    return resident_id


async def enrolment_code(client: httpx.AsyncClient, backend: Backend, resident_id: str) -> str:
    made = (await gql(client, backend, ENROL, Tier.OPERATOR, id=resident_id))["createEnrolmentCode"]
    assert made["__typename"] == "EnrolmentCode", made
    return str(made["enrolmentCode"])


async def test_a_resident_enrols_and_proves_only_what_a_service_asks(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    # given the city hands a resident (born 1950, welfare-eligible, Gangnam-gu) a code
    resident_id = await resident(backend)
    code = await enrolment_code(client, backend, resident_id)
    wallet = Wallet.new()
    identity = IdentityClient(client, "http://civicgraph.test")
    epoch = Epoch.at(datetime.now(UTC))

    # when the wallet asks with it, it gets this month's credential, checked on receipt
    credential = await identity.request_credential(wallet, SUITE, epoch, code)
    assert credential.key_id == epoch.key_id
    assert credential.attributes.as_dict() == {
        "district": "11680",
        "over19": True,
        "over65": True,
        "welfare": True,
    }
    # and a second one this month is refused; so is the spent code
    with pytest.raises(Refused) as again:
        await identity.request_credential(wallet, SUITE, epoch, None)
    assert again.value.code == "ALREADY_ISSUED"
    with pytest.raises(Refused) as spent:
        await identity.request_credential(Wallet.new(), SUITE, epoch, code)
    assert spent.value.code == "CODE_USED"

    # the issuer key is public and logged
    keys = (await gql(client, backend, KEYS, None))["issuerKeys"]
    mine = next(k for k in keys if k["keyId"] == epoch.key_id)
    entry = (
        await gql(
            client,
            backend,
            "query($i: Int!) { logEntry(index: $i) { leafInput } }",
            None,
            i=mine["logIndex"],
        )
    )["logEntry"]
    body = Entry.decode(base64.b64decode(entry["leafInput"])).body
    assert body["public_key"] == mine["publicKey"]

    # when a service asks for "over 65" only, the presentation discloses only that
    asked = await gql(
        client,
        backend,
        ASK,
        Tier.DEVELOPER,
        input={"verifier": "senior-transit-pass", "attributes": [], "require": {"over65": True}},
    )
    info = asked["presentationRequest"]
    assert info["attributes"] == ["OVER65"]
    assert info["epochs"] == [str(epoch)]
    request = PresentationRequest.from_json(info["request"])
    presentation = present(SUITE, credential.held(), request).to_json()
    assert presentation["disclosed"] == {"over65": True}

    verifier = IdentityClient(client, "http://civicgraph.test", backend.keys[Tier.DEVELOPER])
    verdict = await verifier.verify_presentation(presentation)
    assert verdict["keyId"] == epoch.key_id
    assert verdict["disclosed"] == {
        "district": None,
        "over19": None,
        "over65": True,
        "welfare": None,
    }
    # then the same presentation again is a replay
    with pytest.raises(Refused) as replay:
        await verifier.verify_presentation(presentation)
    assert replay.value.code == "REPLAYED"


async def test_identity_mutations_refuse_with_typed_errors(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    resident_id = await resident(backend)
    assert (await gql(client, backend, ENROL, Tier.DEVELOPER, id=resident_id))[
        "createEnrolmentCode"
    ]["code"] == "FORBIDDEN"
    missing = (await gql(client, backend, ENROL, Tier.OPERATOR, id="cz-nobody"))[
        "createEnrolmentCode"
    ]
    assert (missing["code"], missing["field"]) == ("UNKNOWN_RESIDENT", "residentId")

    ask = {"verifier": "library", "attributes": ["DISTRICT"]}
    public = (await gql(client, backend, ASK, None, input=ask))["presentationRequest"]
    assert public["code"] == "FORBIDDEN"
    for bad, field in (
        ({**ask, "epochs": ["2026-13"]}, "epochs"),
        ({**ask, "ttlSeconds": 86_400}, "ttlSeconds"),
        ({**ask, "require": {"over19": "yes"}}, "require"),
        ({**ask, "require": [1]}, "require"),
        ({**ask, "verifier": " "}, "verifier"),
        ({**ask, "attributes": []}, "attributes"),
    ):
        refused = (await gql(client, backend, ASK, Tier.DEVELOPER, input=bad))[
            "presentationRequest"
        ]
        assert (refused["__typename"], refused["field"]) == ("IdentityError", field), refused

    verifier = IdentityClient(client, "http://civicgraph.test", backend.keys[Tier.DEVELOPER])
    for junk, code in (
        ({"keyId": "resident-2026-11"}, "INVALID"),
        ([1, 2], "INVALID"),
        (
            {
                "keyId": "resident-2026-11",
                "verifier": "x",
                "nonce": "nobody-asked",
                "disclosed": {},
                "proof": "AAAA",
            },
            "UNKNOWN_REQUEST",
        ),
    ):
        with pytest.raises(Refused) as caught:
            await verifier.verify_presentation(junk)
        assert caught.value.code == code
    # a lone surrogate never reaches a resolver: the door refuses the body (docs/api.md)
    lone = {"keyId": "resident-2026-11", "verifier": "x", "nonce": "\ud800", "proof": "AAAA"}
    with pytest.raises(RemoteError, match="json_invalid"):
        await verifier.verify_presentation(lone)

    request = """mutation($input: CredentialRequestInput!) { requestCredential(input: $input) {
      ... on IdentityError { code field } } }"""
    fields = {
        "epoch": str(Epoch.at(datetime.now(UTC))),
        "commitment": "short",
        "nymCount": 4,
        "walletKey": "A" * 43 + "=",
        "signature": "A" * 86 + "==",
    }
    answer = (await gql(client, backend, request, None, input=fields))["requestCredential"]
    assert answer == {"code": "INVALID", "field": "commitment"}
    answer = (await gql(client, backend, request, None, input={**fields, "nymCount": 9}))[
        "requestCredential"
    ]
    assert answer == {"code": "INVALID", "field": "nymCount"}


async def test_one_code_raced_from_many_wallets_issues_once(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    code = await enrolment_code(client, backend, await resident(backend))
    identity = IdentityClient(client, "http://civicgraph.test")
    epoch = Epoch.at(datetime.now(UTC))
    outcomes = await asyncio.gather(
        *(identity.request_credential(Wallet.new(), SUITE, epoch, code) for _ in range(6)),
        return_exceptions=True,
    )
    refusals = [o for o in outcomes if isinstance(o, Refused)]
    assert len(outcomes) - len(refusals) == 1, outcomes
    assert {r.code for r in refusals} <= {"CODE_USED", "ALREADY_ISSUED"}
