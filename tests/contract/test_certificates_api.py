"""Certificates through the API on SQLite and PostgreSQL: issue, look up, revoke, check online."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from graph.records.api_keys import Tier
from ledger.cert_check import Status, check_offline, check_online
from ledger.checkpoint import Verifier
from ledger.qr import QrPayload
from ledger.remote import GraphQLLogSource
from tests.contract.conftest import Backend

ISSUE = """mutation($kind: CertificateKind!, $document: JSON!) {
  issueCertificate(input: {kind: $kind, document: $document}) {
    __typename
    ... on IssueCertificateSuccess { certificate { id kind documentSha256 leafIndex qrPayload } }
    ... on TrustError { code field message }
  }
}"""
REVOKE = """mutation($id: ID!, $reason: String!) {
  revokeCertificate(input: {id: $id, reason: $reason}) {
    __typename
    ... on RevokeCertificateSuccess { certificate { id revokedAt revocationReason
      revocationEntry { kind subject body } } }
    ... on TrustError { code field message }
  }
}"""
LOOKUP = """query($id: ID!) { certificate(id: $id) {
  id kind document documentSha256 revokedAt qrSvg
  issuanceEntry { index kind subject body }
} }"""
PERMIT: dict[str, Any] = {
    "permit_number": "BP-2026-0042",
    "address": "12 Sejong-daero",
    "district_code": "11140",
    "structure_use": "library",
    "floor_area_m2": 4200,
    "floors": 5,
    "valid_until": "2028-12-31",
}


async def gql(
    client: httpx.AsyncClient, backend: Backend, query: str, tier: Tier | None, **variables: Any
) -> dict[str, Any]:
    headers = {"X-API-Key": backend.keys[tier]} if tier else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def verifier(client: httpx.AsyncClient) -> Verifier:
    response = await client.post("/graphql", json={"query": "{ logHead { verifierKey } }"})
    return Verifier.decode(response.json()["data"]["logHead"]["verifierKey"])


async def test_issue_look_up_and_revoke_a_certificate(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    # given an operator issues a building permit
    issued = await gql(
        client, backend, ISSUE, Tier.OPERATOR, kind="BUILDING_PERMIT", document=PERMIT
    )
    certificate = issued["data"]["issueCertificate"]["certificate"]
    payload = QrPayload.decode(certificate["qrPayload"])
    key = await verifier(client)
    source = GraphQLLogSource(client, "http://civicgraph.test")

    # then anyone can look it up, and its code checks out offline and online
    found = (await gql(client, backend, LOOKUP, None, id=certificate["id"]))["data"]["certificate"]
    assert found["document"] == PERMIT
    assert found["issuanceEntry"]["body"]["document_sha256"] == certificate["documentSha256"]
    assert found["qrSvg"].startswith("<svg")
    assert check_offline(payload, key, PERMIT).status == Status.VALID
    assert (await check_online(payload, key, source, PERMIT)).status == Status.VALID

    # when it is revoked
    revoked = await gql(
        client, backend, REVOKE, Tier.OPERATOR, id=certificate["id"], reason="permit withdrawn"
    )
    result = revoked["data"]["revokeCertificate"]
    assert result["__typename"] == "RevokeCertificateSuccess"
    assert result["certificate"]["revocationEntry"]["body"]["reason"] == "permit withdrawn"

    # then the same code is revoked online, and a second revocation is refused
    verdict = await check_online(payload, key, source)
    assert verdict.status == Status.REVOKED
    again = await gql(client, backend, REVOKE, Tier.OPERATOR, id=certificate["id"], reason="x")
    assert again["data"]["revokeCertificate"]["code"] == "ALREADY_REVOKED"


@pytest.mark.parametrize("tier", [None, Tier.DEVELOPER, Tier.ANALYST])
async def test_issuing_and_revoking_need_the_operator_tier(
    backend: Backend, client: httpx.AsyncClient, tier: Tier | None
) -> None:
    issued = await gql(client, backend, ISSUE, tier, kind="BUILDING_PERMIT", document=PERMIT)
    assert issued["data"]["issueCertificate"]["code"] == "FORBIDDEN"
    revoked = await gql(client, backend, REVOKE, tier, id="BP-2026-0000000000", reason="x")
    assert revoked["data"]["revokeCertificate"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({**PERMIT, "floors": 0}, "floors"),
        ({**PERMIT, "floor_area_m2": 12.5}, "floor_area_m2"),
        ({k: v for k, v in PERMIT.items() if k != "address"}, "address"),
        ([1, 2], "document"),
    ],
    ids=["no-floors", "fractional-area", "missing-address", "not-an-object"],
)
async def test_an_invalid_document_is_a_typed_error(
    backend: Backend, client: httpx.AsyncClient, document: Any, field: str
) -> None:
    body = await gql(
        client, backend, ISSUE, Tier.OPERATOR, kind="BUILDING_PERMIT", document=document
    )
    result = body["data"]["issueCertificate"]
    assert (result["code"], result["field"]) == ("INVALID", field)


async def test_unknown_certificates_are_not_found(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    body = await gql(client, backend, LOOKUP, None, id="BR-2026-NOSUCHCERT")
    assert body["errors"][0]["extensions"]["code"] == "not_found"
    revoked = await gql(client, backend, REVOKE, Tier.OPERATOR, id="BR-2026-NOSUCHCERT", reason="x")
    assert revoked["data"]["revokeCertificate"]["code"] == "NOT_FOUND"
    proof = await client.get("/certificates/BR-2026-NOSUCHCERT/proof")
    assert proof.status_code == 404
