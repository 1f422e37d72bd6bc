"""Fifty concurrent writes of every kind all land, on LadybugDB + SQLite and Neo4j + PostgreSQL.

Each kind is sent through the API at once (`asyncio.gather` over the ASGI app): every answer is
a success, the stores then hold exactly fifty new entities or events of that kind, and for the
kinds the log records, every new leaf has its own index and an inclusion proof under the new
head, which is consistent with the head before. Requests carry the operator key so that the
per-key rate limit (docs/security.md) stays out of the way: these tests are about writes.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx

from graph.query import NodeQuery
from graph.records import write_intents
from graph.records.api_keys import Tier
from graph.records.case_events import events_by_case
from ledger.hashing import hash_leaf
from ledger.log import Log
from ledger.procurement.sealing import commitment, new_nonce
from ledger.verify import verify_consistency, verify_inclusion
from tests.contract.conftest import Backend, unique
from tests.contract.test_certificates_api import ISSUE, PERMIT, REVOKE
from tests.contract.test_identity_api import ASK, ENROL, SUITE, resident
from tests.contract.test_polls_api import CREATE as CREATE_POLL
from tests.contract.test_polls_api import poll_input
from tests.contract.test_procurement_api import (
    COMMIT,
    CREATE,
    DELIVER,
    PUBLISH,
    REGISTER,
    REVEAL,
    STEP,
    until,
)
from tests.resolvers.services.test_case_file import FILE_CASE, GANGNAM_STATION, UPDATE
from zk.credentials.epochs import Epoch
from zk.credentials.presentation import PresentationRequest, present
from zk.credentials.remote import IdentityClient
from zk.polls.ballots import make_ballot
from zk.wallet import Wallet

N = 50
T = TypeVar("T")


async def together(make: Callable[[int], Awaitable[T]]) -> list[T]:
    """`make(0)` ... `make(N - 1)`, all at once."""
    return list(await asyncio.gather(*(make(i) for i in range(N))))


async def mutate(
    client: httpx.AsyncClient, backend: Backend, query: str, **variables: Any
) -> dict[str, Any]:
    """The mutation's one result field, as the operator; any GraphQL error fails the test."""
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"X-API-Key": backend.keys[Tier.OPERATOR]},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return next(iter(body["data"].values()))  # type: ignore[no-any-return]


async def rows(backend: Backend, table: str) -> int:
    found = await backend.stores.records.query(f"SELECT count(*) AS n FROM {table}")
    return int(found[0]["n"])


async def cases(backend: Backend) -> int:
    return await backend.stores.graph.count_nodes(NodeQuery("Case"))


class LogWatch:
    """The log's head before a burst; `check` proves what the burst appended."""

    def __init__(self, log: Log, size: int, root: bytes) -> None:
        self.log, self.size, self.root = log, size, root

    @classmethod
    async def start(cls, backend: Backend) -> LogWatch:
        log: Log = backend.app.state.log
        head = await log.head()
        return cls(log, head.size, head.root)

    async def check(self, kinds: dict[str, int]) -> None:
        head = await self.log.head()
        entries = await self.log.entries(self.size, head.size)
        assert [e.leaf_index for e in entries] == list(range(self.size, head.size))
        appended = Counter(e.kind for e in entries)
        assert {kind: appended[kind] for kind in kinds} == kinds
        for entry in entries:
            proof = await self.log.inclusion_proof(entry.leaf_index, head.size)
            verify_inclusion(
                entry.leaf_index, head.size, hash_leaf(entry.leaf_input), proof, head.root
            )
        if self.size:
            proof = await self.log.consistency_proof(self.size, head.size)
            verify_consistency(self.size, head.size, proof, self.root, head.root)
        self.size, self.root = head.size, head.root


async def assert_whole_cases(backend: Backend, case_ids: list[str]) -> None:
    """Each case is in the graph with its first events, and no write intent is left over."""
    assert len(set(case_ids)) == N
    nodes = await backend.stores.graph.get_nodes("Case", case_ids)
    assert all(node is not None for node in nodes)
    events = await events_by_case(backend.stores.records, case_ids)
    assert all([e.kind for e in events[c]][:2] == ["received", "assigned"] for c in case_ids)
    left = {i.subject for i in await write_intents.pending(backend.stores.records)}
    assert not left & set(case_ids)


async def test_fifty_open311_filings_at_once_all_land(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    # given
    before = await cases(backend)
    headers = {"X-API-Key": backend.keys[Tier.OPERATOR]}

    # when
    async def post(i: int) -> httpx.Response:
        form = {
            "service_code": "illegal-dumping",
            "description": f"Bags by the river, {i}",
            "lat": "37.5283",
            "long": "126.9326",
        }
        return await client.post("/open311/v2/requests.json", data=form, headers=headers)

    answers = await together(post)

    # then
    assert [a.status_code for a in answers] == [201] * N, [a.text for a in answers][:3]
    assert await cases(backend) == before + N
    await assert_whole_cases(backend, [a.json()[0]["service_request_id"] for a in answers])


async def test_fifty_file_case_and_update_status_mutations_at_once_all_land(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    # given
    before = await cases(backend)

    # when
    async def file(i: int) -> dict[str, Any]:
        case = {"serviceCode": "noise", "description": f"Drums at night {i}", **GANGNAM_STATION}
        return await mutate(client, backend, FILE_CASE, input=case)

    filed = await together(file)

    # then
    assert {f["__typename"] for f in filed} == {"FileCaseSuccess"}, filed[:3]
    case_ids = [f["case"]["id"] for f in filed]
    assert await cases(backend) == before + N
    await assert_whole_cases(backend, case_ids)

    # when every one of them is closed at once
    async def close(i: int) -> dict[str, Any]:
        update = {"id": case_ids[i], "status": "CLOSED", "note": f"done {i}"}
        return await mutate(client, backend, UPDATE, input=update)

    closed = await together(close)

    # then the graph and the events agree on each
    assert {c["__typename"] for c in closed} == {"UpdateCaseStatusSuccess"}, closed[:3]
    nodes = await backend.stores.graph.get_nodes("Case", case_ids)
    assert all(node is not None and node["status"] == "closed" for node in nodes)
    events = await events_by_case(backend.stores.records, case_ids)
    assert all([e.kind for e in events[c]].count("status_changed") == 1 for c in case_ids)
    left = {i.subject for i in await write_intents.pending(backend.stores.records)}
    assert not left & set(case_ids)


async def test_fifty_of_each_procurement_step_at_once_all_land(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    watch = await LogWatch.start(backend)
    vendors_before = await rows(backend, "procurement_vendor")
    contracts_before = await rows(backend, "procurement_contract")
    bids_before = await rows(backend, "procurement_bid")

    vendors = await together(lambda i: mutate(client, backend, REGISTER, name=f"Vendor {i}"))
    assert all("secret" in v for v in vendors), vendors[:3]
    assert await rows(backend, "procurement_vendor") == vendors_before + N

    made = await together(lambda i: mutate(client, backend, CREATE, ceiling=50_000_000))
    contract_ids = [m["contract"]["id"] for m in made]
    assert len(set(contract_ids)) == N, made[:3]
    assert await rows(backend, "procurement_contract") == contracts_before + N
    await watch.check({"procurement.created": N})

    now = datetime.now(UTC).replace(microsecond=0)
    bids_close, reveals_close = now + timedelta(seconds=8), now + timedelta(seconds=12)
    published = await together(
        lambda i: mutate(
            client,
            backend,
            PUBLISH,
            id=contract_ids[i],
            bids=bids_close.isoformat(),
            reveals=reveals_close.isoformat(),
        )
    )
    assert [p["contract"]["state"] for p in published] == ["PUBLISHED"] * N, published[:3]
    await watch.check({"procurement.published": N})

    nonces = [new_nonce() for _ in range(N)]
    prices = [40_000_000 + i for i in range(N)]

    def bid(i: int) -> dict[str, Any]:
        return {
            "id": contract_ids[i],
            "vendor": vendors[i]["vendor"]["id"],
            "secret": vendors[i]["secret"],
        }

    committed = await together(
        lambda i: mutate(
            client,
            backend,
            COMMIT,
            **bid(i),
            sealed=commitment(contract_ids[i], vendors[i]["vendor"]["id"], prices[i], 7, nonces[i]),
        )
    )
    assert [c["contract"]["state"] for c in committed] == ["BIDDING"] * N, committed[:3]
    assert await rows(backend, "procurement_bid") == bids_before + N
    await watch.check({"procurement.bid_committed": N})

    await until(bids_close)
    revealed = await together(
        lambda i: mutate(
            client, backend, REVEAL, **bid(i), price=prices[i], days=7, nonce=nonces[i]
        )
    )
    assert [r["bid"]["priceKrw"] for r in revealed] == prices, revealed[:3]
    await watch.check({"procurement.bid_revealed": N})

    await until(reveals_close)
    for step, state in (
        ("evaluateContract", "EVALUATED"),
        ("awardContract", "AWARDED"),
        ("confirmDelivery", "DELIVERED"),
        ("payContract", "PAID"),
    ):
        if step == "confirmDelivery":
            answers = await together(
                lambda i: mutate(
                    client, backend, DELIVER, id=contract_ids[i], department="Mapo-gu Office"
                )
            )
        else:
            answers = await together(
                lambda i, step=step: mutate(client, backend, STEP % step, id=contract_ids[i])
            )
        assert [a["contract"]["state"] for a in answers] == [state] * N, (step, answers[:3])
        await watch.check({f"procurement.{state.lower()}": N})


async def test_fifty_certificates_issued_then_revoked_at_once_all_land(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    watch = await LogWatch.start(backend)
    before = await rows(backend, "certificate")

    issued = await together(
        lambda i: mutate(
            client,
            backend,
            ISSUE,
            kind="BUILDING_PERMIT",
            document={**PERMIT, "permit_number": f"BP-2026-{i:04d}"},
        )
    )
    assert {i["__typename"] for i in issued} == {"IssueCertificateSuccess"}, issued[:3]
    cert_ids = [i["certificate"]["id"] for i in issued]
    assert len(set(cert_ids)) == N
    assert len({i["certificate"]["leafIndex"] for i in issued}) == N
    assert await rows(backend, "certificate") == before + N
    await watch.check({"certificate.issued": N})

    revoked = await together(
        lambda i: mutate(client, backend, REVOKE, id=cert_ids[i], reason=f"superseded {i}")
    )
    assert {r["__typename"] for r in revoked} == {"RevokeCertificateSuccess"}, revoked[:3]
    await watch.check({"certificate.revoked": N})


async def test_fifty_of_each_identity_and_poll_write_at_once_all_land(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    watch = await LogWatch.start(backend)
    counts = {
        table: await rows(backend, table)
        for table in ("enrolment_code", "credential_issued", "presentation_request", "poll")
    }
    operator = backend.keys[Tier.OPERATOR]
    identity = IdentityClient(client, "http://civicgraph.test", operator)
    epoch = Epoch.at(datetime.now(UTC))

    resident_ids = await together(lambda i: resident(backend))
    codes = await together(lambda i: mutate(client, backend, ENROL, id=resident_ids[i]))
    assert {c["__typename"] for c in codes} == {"EnrolmentCode"}, codes[:3]
    assert await rows(backend, "enrolment_code") == counts["enrolment_code"] + N

    wallets = [Wallet.new() for _ in range(N)]
    credentials = await together(
        lambda i: identity.request_credential(wallets[i], SUITE, epoch, codes[i]["enrolmentCode"])
    )
    assert await rows(backend, "credential_issued") == counts["credential_issued"] + N

    asks = await together(
        lambda i: mutate(
            client,
            backend,
            ASK,
            input={"verifier": unique("verifier"), "attributes": [], "require": {"over65": True}},
        )
    )
    assert {a["__typename"] for a in asks} == {"PresentationRequestInfo"}, asks[:3]
    assert await rows(backend, "presentation_request") == counts["presentation_request"] + N
    verdicts = await together(
        lambda i: identity.verify_presentation(
            present(
                SUITE, credentials[i].held(), PresentationRequest.from_json(asks[i]["request"])
            ).to_json()
        )
    )
    assert [v["disclosed"]["over65"] for v in verdicts] == [True] * N

    polls = await together(lambda i: mutate(client, backend, CREATE_POLL, input=poll_input()))
    assert {p["__typename"] for p in polls} == {"Poll"}, polls[:3]
    assert await rows(backend, "poll") == counts["poll"] + N
    await watch.check({"poll.created": N})

    poll = await identity.poll(polls[0]["id"])
    ballots = [make_ballot(SUITE, c.held(), poll, "yes") for c in credentials]
    receipts = await together(lambda i: identity.cast_ballot(ballots[i]))
    assert len({r["leafIndex"] for r in receipts}) == N
    await watch.check({"poll.ballot": N})
    counted = await mutate(
        client, backend, "query($id: ID!) { poll(id: $id) { totalBallots } }", id=poll.poll_id
    )
    assert counted["totalBallots"] == N


async def test_fifty_status_changes_of_one_case_at_once_leave_the_graph_at_the_latest_event(
    backend: Backend, client: httpx.AsyncClient
) -> None:
    # given one case
    case = {"serviceCode": "noise", "description": "Drums, again", **GANGNAM_STATION}
    case_id = (await mutate(client, backend, FILE_CASE, input=case))["case"]["id"]

    # when fifty operators change its status at once
    async def change(i: int) -> dict[str, Any]:
        update = {"id": case_id, "status": ("OPEN", "CLOSED")[i % 2], "note": f"change {i}"}
        return await mutate(client, backend, UPDATE, input=update)

    changed = await together(change)

    # then all land, and the graph shows the last event (by time, then id), not the last write
    assert {c["__typename"] for c in changed} == {"UpdateCaseStatusSuccess"}, changed[:3]
    events = (await events_by_case(backend.stores.records, [case_id]))[case_id]
    assert [e.kind for e in events].count("status_changed") == N
    latest = events[-1]
    [node] = await backend.stores.graph.get_nodes("Case", [case_id])
    assert node is not None
    assert (node["status"], node["status_notes"]) == (latest.status, latest.note)
