"""The trust domain's indicators on SQLite and PostgreSQL: certificates issued, revoked and
verified (ever and today in Asia/Seoul), procurement in flight and its cycle time, the log's
checkpoint history.

Each backend's records are shared by the whole session, so cases compare a figure before and
after rows of their own (ids from `unique`), or against the same figure computed in Python
from every row.
"""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from graph.records.api_keys import Tier
from graph.records.certificates import CertificateRow, insert_certificate
from graph.records.db import as_datetime
from graph.records.procurement import ContractRow, insert_contract
from ledger.checkpoint import Verifier, open_checkpoint
from ledger.entries import Entry
from ledger.log import Log
from ledger.verification_tally import VerificationTally
from tests.contract.conftest import Backend, unique
from tests.contract.test_certificates_api import ISSUE, PERMIT, REVOKE

CERTIFICATES = """{ certificateStatistics { issued issuedToday revoked revokedToday
  verified verifiedToday byKind { key count suppressed } } }"""
PROCUREMENT = """{ procurementStatistics { inFlight completed medianCycleDays manualBaselineDays
  byState { key count suppressed } } }"""
CONTRACTS = """query($state: [ContractState!], $first: Int) {
  contracts(state: $state, first: $first) { id state createdAt cycleDays } }"""
CONTRACT = "query($id: ID!) { contract(id: $id) { cycleDays } }"
CHECKPOINTS = """query($first: Int) { logCheckpoints(first: $first) {
  treeSize rootHash signedAt checkpoint verifierKey } }"""
CHECK = """query($id: ID!) { a: certificate(id: $id) { revocationEntry { index } }
  b: certificate(id: $id) { revocationEntry { index } } }"""


async def ask(
    client: httpx.AsyncClient,
    backend: Backend,
    query: str,
    tier: Tier | None = None,
    **variables: Any,
) -> dict[str, Any]:
    headers = {"X-API-Key": backend.keys[tier]} if tier else {}
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def figures(client: httpx.AsyncClient, backend: Backend, query: str) -> dict[str, Any]:
    body = await ask(client, backend, query)
    assert "errors" not in body, body
    found: dict[str, Any] = next(iter(body["data"].values()))
    return found


def counted(cells: list[dict[str, Any]]) -> dict[str, int]:
    return {cell["key"]: cell["count"] for cell in cells}


def today_starts() -> datetime:
    """Midnight of today in Seoul (UTC+9, no daylight saving), as a UTC instant."""
    seoul = datetime.now(UTC) + timedelta(hours=9)
    return datetime(seoul.year, seoul.month, seoul.day, tzinfo=UTC) - timedelta(hours=9)


async def store_certificate(
    backend: Backend, issued_at: datetime, revoked_at: datetime | None = None
) -> None:
    """A certificate row at a chosen time (its log leaf is not what these figures count)."""
    row = CertificateRow(
        cert_id=unique("EL"),
        kind="event_licence",
        document="{}",
        document_sha256="0" * 64,
        issued_at=issued_at,
        leaf_index=0,
        revoked_at=revoked_at,
        revocation_reason="test" if revoked_at else "",
        revocation_leaf=0 if revoked_at else None,
    )
    records = backend.stores.records
    async with records.transaction() as client:
        await insert_certificate(records, client, row)


async def test_certificate_figures_count_issues_revocations_and_verifications_of_today(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    # given the figures now
    before = await figures(client, backend, CERTIFICATES)
    start = today_starts()

    # when two permits are issued today and one revoked, and event licences are stored on
    # either side of today's start in Seoul (one issued yesterday and revoked today)
    headers = {"X-API-Key": backend.keys[Tier.OPERATOR]}
    ids = []
    for _ in range(2):
        issued = await client.post(
            "/graphql",
            json={"query": ISSUE, "variables": {"kind": "BUILDING_PERMIT", "document": PERMIT}},
            headers=headers,
        )
        ids.append(issued.json()["data"]["issueCertificate"]["certificate"]["id"])
    revoked = await client.post(
        "/graphql",
        json={"query": REVOKE, "variables": {"id": ids[0], "reason": "withdrawn"}},
        headers=headers,
    )
    assert revoked.json()["data"]["revokeCertificate"]["certificate"]["revocationEntry"]
    await store_certificate(backend, start - timedelta(seconds=1), revoked_at=start)
    await store_certificate(backend, start)

    # and verifiers fetch a proof, check one online (two aliases: one check), and a proof of
    # an unknown certificate is refused
    assert (await client.get(f"/certificates/{ids[1]}/proof")).status_code == 200
    assert "errors" not in await ask(client, backend, CHECK, id=ids[0])
    assert (await client.get("/certificates/EL-2026-NOSUCHCERT/proof")).status_code == 404
    tally: VerificationTally = backend.app.state.certificate_checks
    tally.record(at=start - timedelta(seconds=1))  # served yesterday in Seoul
    tally.record(at=start + timedelta(hours=1))  # today in Seoul, still yesterday in UTC

    after = await figures(client, backend, CERTIFICATES)

    # then every figure moved by what happened, today's by today's share
    moved = {name: after[name] - before[name] for name in after if name != "byKind"}
    assert moved == {
        "issued": 4,
        "issuedToday": 3,
        "revoked": 2,
        "revokedToday": 2,
        "verified": 4,
        "verifiedToday": 3,
    }
    kinds_before, kinds_after = counted(before["byKind"]), counted(after["byKind"])
    assert list(kinds_after) == ["BUSINESS_REGISTRATION", "BUILDING_PERMIT", "EVENT_LICENCE"]
    assert kinds_after["BUILDING_PERMIT"] - kinds_before["BUILDING_PERMIT"] == 2
    assert kinds_after["EVENT_LICENCE"] - kinds_before["EVENT_LICENCE"] == 2
    assert sum(kinds_after.values()) == after["issued"]


async def contract(
    backend: Backend, state: str, created_at: datetime, paid_at: datetime | None = None
) -> str:
    row = ContractRow(
        contract_id=unique("PC"),
        title="Indicator test",
        department="Information Policy",
        receiving_department="Mapo-gu Office",
        ceiling_krw=1_000_000,
        state=state,
        weight_price=60,
        weight_delivery=20,
        weight_rating=20,
        created_at=created_at,
        paid_at=paid_at,
    )
    records = backend.stores.records
    async with records.transaction() as client:
        await insert_contract(records, client, row)
    return row.contract_id


async def paid_cycle_days(backend: Backend) -> list[float]:
    """Every paid contract's cycle in days, computed in Python: the median's oracle."""
    rows = await backend.stores.records.query(
        "SELECT created_at, paid_at FROM procurement_contract WHERE paid_at IS NOT NULL"
    )
    return [
        (as_datetime(row["paid_at"]) - as_datetime(row["created_at"])) / timedelta(days=1)
        for row in rows
    ]


async def test_procurement_figures_count_states_and_the_median_cycle(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    before = await figures(client, backend, PROCUREMENT)
    now = datetime.now(UTC).replace(microsecond=0)

    # when two drafts, one bid-open and one paid contract are stored
    for state in ("draft", "draft", "bidding"):
        await contract(backend, state, now - timedelta(days=1))
    await contract(backend, "paid", now - timedelta(days=10), now - timedelta(days=3))
    first = await figures(client, backend, PROCUREMENT)
    first_cycles = await paid_cycle_days(backend)
    # and one more paid, so the median is also taken over the other parity of paid contracts
    await contract(backend, "paid", now - timedelta(days=30), now - timedelta(days=1, hours=12))
    after = await figures(client, backend, PROCUREMENT)
    cycles = await paid_cycle_days(backend)

    # then the counts moved by them, and each median is the median of every paid cycle
    assert first["inFlight"] - before["inFlight"] == 3
    assert after["completed"] - before["completed"] == 2
    states = {k: counted(after["byState"])[k] - counted(before["byState"])[k] for k in ("DRAFT",)}
    assert states == {"DRAFT": 2}
    assert list(counted(after["byState"])) == [
        "DRAFT",
        "PUBLISHED",
        "BIDDING",
        "EVALUATED",
        "AWARDED",
        "DELIVERED",
        "PAID",
    ]
    assert sum(counted(after["byState"]).values()) == after["inFlight"] + after["completed"]
    assert len(cycles) == len(first_cycles) + 1
    assert first["medianCycleDays"] == pytest.approx(statistics.median(first_cycles), abs=1e-6)
    assert after["medianCycleDays"] == pytest.approx(statistics.median(cycles), abs=1e-6)
    assert after["manualBaselineDays"] == 23.0


async def test_contracts_newest_first_with_their_cycle_days(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    # given two paid contracts created after every other one, and one in flight for 2 days
    now = datetime.now(UTC).replace(microsecond=0)
    later = now + timedelta(days=400)
    older = await contract(backend, "paid", later, later + timedelta(days=3))
    newer = await contract(backend, "paid", later + timedelta(hours=1), later + timedelta(days=8))
    waiting = await contract(backend, "awarded", now - timedelta(days=2))

    # when the newest paid contracts are asked for
    body = await ask(client, backend, CONTRACTS, state=["PAID"], first=2)
    found = body["data"]["contracts"]

    # then they come newest first, with their cycle from creation to payment
    assert [c["id"] for c in found] == [newer, older]
    assert [c["cycleDays"] for c in found] == [pytest.approx(7 + 23 / 24), pytest.approx(3.0)]
    assert {c["state"] for c in found} == {"PAID"}
    in_flight = await ask(client, backend, CONTRACT, id=waiting)
    assert in_flight["data"]["contract"]["cycleDays"] == pytest.approx(2.0, abs=0.01)
    default = await ask(client, backend, CONTRACTS)
    assert len(default["data"]["contracts"]) <= 20
    assert default["data"]["contracts"][0]["id"] == newer


@pytest.mark.parametrize("first", [0, -1, 101], ids=["zero", "negative", "over-the-page-limit"])
@pytest.mark.parametrize("query", [CONTRACTS, CHECKPOINTS], ids=["contracts", "checkpoints"])
async def test_a_first_outside_1_to_100_is_out_of_range(
    backend: Backend, client: httpx.AsyncClient, query: str, first: int
) -> None:
    body = await ask(client, backend, query, first=first)
    assert body["data"] is None
    error = body["errors"][0]
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("out_of_range", "first")


async def test_log_checkpoints_are_every_signed_head_newest_first(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    # given three appends, each signing a head (the log may have held none before)
    log: Log = backend.app.state.log
    for n in range(3):
        await log.append([Entry("test.fact", unique("cp"), {"n": n})])
    size = (await log.head()).size

    # when the latest three checkpoints are asked for
    heads = (await ask(client, backend, CHECKPOINTS, first=3))["data"]["logCheckpoints"]

    # then they are the last three heads, newest first, each a note the log's key signed
    assert [head["treeSize"] for head in heads] == [size, size - 1, size - 2]
    verifier = Verifier.decode(heads[0]["verifierKey"])
    for head in heads:
        assert open_checkpoint(head["checkpoint"], verifier).size == head["treeSize"]
    signed = [datetime.fromisoformat(head["signedAt"]) for head in heads]
    assert signed == sorted(signed, reverse=True)


async def test_trust_figures_are_counts_of_things_the_same_for_every_tier(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    # certificates and contracts are not people: no cell is withheld from the public
    for query in (CERTIFICATES, PROCUREMENT):
        public = await ask(client, backend, query)
        analyst = await ask(client, backend, query, Tier.ANALYST)
        assert public["data"] == analyst["data"]
        cells = next(iter(public["data"].values()))
        table = cells.get("byKind") or cells["byState"]
        assert all(cell["count"] is not None and not cell["suppressed"] for cell in table)
