"""The log stream on SQLite and PostgreSQL: every append a server makes is on its bus once it
has committed (one event per leaf, id = leaf index), and a resume replays the same events from
the log's own leaves."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from graph.records.api_keys import Tier
from ledger.entries import Entry
from ledger.log import Appended, Log
from subscriptions.events import Event, Stream
from subscriptions.fanout import Subscription
from subscriptions.live import Live, ResumeTooOld
from tests.contract.conftest import Backend, unique
from tests.contract.test_certificates_api import ISSUE, PERMIT, REVOKE, gql
from tests.contract.test_procurement_api import CREATE, call


@pytest.fixture
def log(backend: Backend) -> Log:
    found: Log = backend.app.state.log
    return found


@pytest.fixture
def live(backend: Backend) -> Live:
    found: Live = backend.app.state.live
    return found


async def received(subscription: Subscription, count: int) -> list[Event]:
    """The next `count` events, each within 2 s (the dashboards' promise)."""
    return [await asyncio.wait_for(subscription.next(), 2.0) for _ in range(count)]


def notices(events: list[Event]) -> list[tuple[int, dict[str, Any]]]:
    return [(event.id, event.data) for event in events]


async def test_every_api_write_to_the_log_is_published_once_committed(
    backend: Backend, client: httpx.AsyncClient, live: Live, log: Log
) -> None:
    # given a dashboard listening to the log stream
    subscription = live.bus.subscribe(Stream.LOG)
    try:
        # when an operator issues and revokes a certificate and drafts a contract
        issued = await gql(
            client, backend, ISSUE, Tier.OPERATOR, kind="BUILDING_PERMIT", document=PERMIT
        )
        cert = issued["data"]["issueCertificate"]["certificate"]
        await gql(client, backend, REVOKE, Tier.OPERATOR, id=cert["id"], reason="withdrawn")
        contract = await call(client, backend, CREATE, ceiling=5_000_000)
        events = await received(subscription, 3)
    finally:
        subscription.close()

    # then each append is one event: its leaf index, what it records and the signed size
    first = cert["leafIndex"]
    contract_id = contract["contract"]["id"]
    assert notices(events) == [
        (first, {"kind": "certificate.issued", "subject": cert["id"], "tree_size": first + 1}),
        (first + 1, {"kind": "certificate.revoked", "subject": cert["id"], "tree_size": first + 2}),
        (
            first + 2,
            {"kind": "procurement.created", "subject": contract_id, "tree_size": first + 3},
        ),
    ]
    assert (await log.head()).size >= first + 3


async def test_a_batch_is_one_event_per_leaf_and_a_resume_replays_the_same_events(
    live: Live, log: Log
) -> None:
    # given a batch appended while a subscriber listens
    tag = unique("batch")
    subscription = live.bus.subscribe(Stream.LOG)
    try:
        appended = await log.append([Entry("test.fact", f"{tag}-{n}", {"n": n}) for n in range(3)])
        heard = await received(subscription, 3)
    finally:
        subscription.close()
    size = appended.head.size
    assert notices(heard) == [
        (appended.index_of(n), {"kind": "test.fact", "subject": f"{tag}-{n}", "tree_size": size})
        for n in range(3)
    ]

    # when a subscriber resumes from before the batch, then it replays exactly those events
    feed = live.events(
        Stream.LOG, district=None, accepts=lambda e: True, after=appended.first_index - 1
    )
    try:
        replayed = [await asyncio.wait_for(anext(feed), 2.0) for _ in range(3)]
    finally:
        await feed.aclose()
    assert notices(replayed) == notices(heard)


async def test_a_log_resume_past_the_window_is_refused_and_a_gu_gets_no_log_events(
    live: Live, log: Log
) -> None:
    appended = await log.append([Entry("test.fact", unique("w"), {"n": n}) for n in range(3)])
    feed = live.events(
        Stream.LOG,
        district=None,
        accepts=lambda e: True,
        after=appended.first_index - 1,
        replay_window=2,
    )
    with pytest.raises(ResumeTooOld):
        await anext(feed)
    await feed.aclose()

    # log events name no gu: a gu's subscriber replays nothing and hears nothing of them
    feed = live.events(
        Stream.LOG, district="11110", accepts=lambda e: True, after=appended.first_index - 1
    )
    waiting = asyncio.ensure_future(anext(feed))
    await log.append([Entry("test.fact", unique("gu"), {})])
    done, _ = await asyncio.wait({waiting}, timeout=0.3)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    await feed.aclose()
    assert not done


async def test_a_failing_listener_neither_fails_nor_undoes_the_append(log: Log) -> None:
    heard: list[int] = []

    async def broken(appended: Appended, entries: Any) -> None:
        raise ConnectionError("the bus is down")

    async def working(appended: Appended, entries: Any) -> None:
        heard.append(appended.first_index)

    log.listeners[:0] = [broken]
    log.listeners.append(working)
    try:
        appended = await log.append([Entry("test.fact", unique("f"), {})])
    finally:
        log.listeners.remove(broken)
        log.listeners.remove(working)
    assert heard == [appended.first_index]
    assert (await log.entry(appended.first_index)).kind == "test.fact"
