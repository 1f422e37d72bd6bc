"""A purchase through the API on SQLite and PostgreSQL, on the real clock (deadlines in seconds)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from graph.records.api_keys import Tier
from ledger.procurement.sealing import commitment, new_nonce
from tests.contract.conftest import Backend

REGISTER = """mutation($name: String!) { registerVendor(input: {name: $name, rating: 80}) {
  ... on RegisterVendorSuccess { vendor { id } secret } ... on ProcurementError { code } } }"""
CREATE = """mutation($ceiling: Int!) { createContract(input: {title: "Laptops",
  department: "Information Policy", receivingDepartment: "Mapo-gu Office", ceilingKrw: $ceiling}) {
  ... on ContractStepSuccess { contract { id state } } ... on ProcurementError { code } } }"""
PUBLISH = """mutation($id: ID!, $bids: DateTime!, $reveals: DateTime!) { publishContract(input: {
  id: $id, weightPrice: 60, weightDelivery: 20, weightRating: 20,
  bidDeadline: $bids, revealDeadline: $reveals}) {
  ... on ContractStepSuccess { contract { state } } ... on ProcurementError { code } } }"""
COMMIT = """mutation($id: ID!, $vendor: ID!, $secret: String!, $sealed: String!) {
  commitBid(input: {contractId: $id, vendorId: $vendor, vendorSecret: $secret,
  commitment: $sealed}) {
  ... on ContractStepSuccess { contract { state } } ... on ProcurementError { code } } }"""
REVEAL = """mutation($id: ID!, $vendor: ID!, $secret: String!, $price: Int!, $days: Int!,
  $nonce: String!) { revealBid(input: {contractId: $id, vendorId: $vendor, vendorSecret: $secret,
  priceKrw: $price, deliveryDays: $days, nonce: $nonce}) {
  ... on RevealBidSuccess { bid { priceKrw } } ... on ProcurementError { code } } }"""
STEP = """mutation($id: ID!) { %s(id: $id) {
  ... on ContractStepSuccess { contract { state awardedVendor awardedPriceKrw } }
  ... on ProcurementError { code } } }"""
DELIVER = """mutation($id: ID!, $department: String!) {
  confirmDelivery(id: $id, department: $department) {
  ... on ContractStepSuccess { contract { state } } ... on ProcurementError { code } } }"""
CONTRACT = """query($id: ID!) { contract(id: $id) { state bids { vendorId rank scorePpm }
  history { kind } } }"""


async def call(
    client: httpx.AsyncClient,
    backend: Backend,
    query: str,
    tier: Tier | None = Tier.OPERATOR,
    **variables: Any,
) -> dict[str, Any]:
    headers = {"X-API-Key": backend.keys[tier]} if tier else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return next(iter(body["data"].values()))  # type: ignore[no-any-return]


async def until(moment: datetime) -> None:
    await asyncio.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()) + 0.05)


async def test_a_purchase_through_the_api_refuses_every_illegal_step(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    vendors = [await call(client, backend, REGISTER, name=f"Vendor {n}") for n in range(2)]
    contract = (await call(client, backend, CREATE, ceiling=50_000_000))["contract"]
    contract_id = contract["id"]
    now = datetime.now(UTC).replace(microsecond=0)
    bids_close, reveals_close = now + timedelta(seconds=2), now + timedelta(seconds=4)
    published = await call(
        client,
        backend,
        PUBLISH,
        id=contract_id,
        bids=bids_close.isoformat(),
        reveals=reveals_close.isoformat(),
    )
    assert published["contract"]["state"] == "PUBLISHED"

    offers = [(42_000_000, 10), (45_000_000, 4)]
    nonces = []
    for vendor, (price, days) in zip(vendors, offers, strict=True):
        nonce = new_nonce()
        nonces.append(nonce)
        sealed = commitment(contract_id, vendor["vendor"]["id"], price, days, nonce)
        committed = await call(
            client,
            backend,
            COMMIT,
            tier=None,
            id=contract_id,
            vendor=vendor["vendor"]["id"],
            secret=vendor["secret"],
            sealed=sealed,
        )
        assert committed["contract"]["state"] == "BIDDING"
    reveal = {
        "id": contract_id,
        "vendor": vendors[0]["vendor"]["id"],
        "secret": vendors[0]["secret"],
        "price": offers[0][0],
        "days": offers[0][1],
        "nonce": nonces[0],
    }
    assert (await call(client, backend, REVEAL, tier=None, **reveal))["code"] == "BEFORE_DEADLINE"

    await until(bids_close)
    late = await call(
        client,
        backend,
        COMMIT,
        tier=None,
        id=contract_id,
        vendor=vendors[0]["vendor"]["id"],
        secret=vendors[0]["secret"],
        sealed="0" * 64,
    )
    assert late["code"] == "LATE_BID"
    assert (await call(client, backend, REVEAL, tier=None, **reveal))["bid"][
        "priceKrw"
    ] == 42_000_000
    wrong = reveal | {"vendor": vendors[1]["vendor"]["id"], "secret": vendors[1]["secret"]}
    assert (await call(client, backend, REVEAL, tier=None, **wrong))["code"] == "BAD_REVEAL"
    right = wrong | {"price": offers[1][0], "days": offers[1][1], "nonce": nonces[1]}
    assert (await call(client, backend, REVEAL, tier=None, **right))["bid"][
        "priceKrw"
    ] == 45_000_000
    assert (await call(client, backend, STEP % "awardContract", id=contract_id))["code"] == (
        "BEFORE_DEADLINE"
    )

    await until(reveals_close)
    assert (await call(client, backend, STEP % "evaluateContract", id=contract_id))["contract"][
        "state"
    ] == "EVALUATED"
    awarded = (await call(client, backend, STEP % "awardContract", id=contract_id))["contract"]
    assert awarded["awardedVendor"] == vendors[1]["vendor"]["id"]  # faster wins: 83.3 vs 76
    again = await call(client, backend, STEP % "awardContract", id=contract_id)
    assert again["code"] == "ALREADY_AWARDED"
    assert (await call(client, backend, STEP % "payContract", id=contract_id))["code"] == (
        "NOT_DELIVERED"
    )
    stranger = await call(client, backend, DELIVER, id=contract_id, department="General Affairs")
    assert stranger["code"] == "WRONG_DEPARTMENT"
    delivered = await call(client, backend, DELIVER, id=contract_id, department="Mapo-gu Office")
    assert delivered["contract"]["state"] == "DELIVERED"
    paid = await call(client, backend, STEP % "payContract", id=contract_id)
    assert paid["contract"]["state"] == "PAID"

    found = await call(client, backend, CONTRACT, tier=None, id=contract_id)
    ranks = {b["vendorId"]: b["rank"] for b in found["bids"]}
    assert ranks == {vendors[0]["vendor"]["id"]: 2, vendors[1]["vendor"]["id"]: 1}
    assert [h["kind"] for h in found["history"]][-4:] == [
        "procurement.evaluated",
        "procurement.awarded",
        "procurement.delivered",
        "procurement.paid",
    ]


async def test_contract_steps_need_the_operator_tier_and_the_threshold(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    assert (await call(client, backend, CREATE, tier=None, ceiling=1_000))["code"] == (
        "UNAUTHENTICATED"
    )
    assert (await call(client, backend, CREATE, tier=Tier.DEVELOPER, ceiling=1_000))["code"] == (
        "UNAUTHENTICATED"
    )
    assert (await call(client, backend, CREATE, ceiling=100_000_000))["code"] == "OVER_THRESHOLD"
    assert (await call(client, backend, REGISTER, tier=None, name="x"))["code"] == (
        "UNAUTHENTICATED"
    )
