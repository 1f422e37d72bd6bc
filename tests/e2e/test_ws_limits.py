"""The websocket door's limits on both protocols, as a hostile client tries them: the quota
counts what the server acts on (however the JSON spells it), deep or oversized frames are
refused in the protocol's terms without an ERROR log, and results keep the HTTP door's size
and time limits."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from tests.civicgraph.door import door_app
from tests.e2e.conftest import serving
from tests.e2e.websocket_client import (
    LEGACY,
    START,
    TRANSPORT,
    WAIT_S,
    closed_with,
    next_frame,
    opened,
    ws_url,
)

RESULT = {TRANSPORT: "next", LEGACY: "data"}
TIMEOUT_S = 0.3
MAX_RESPONSE = 64 * 1024


def start(protocol: str, operation: str, payload: dict[str, Any]) -> str:
    return json.dumps({"type": START[protocol], "id": operation, "payload": payload})


def escaped(kind: str) -> str:
    """`kind` as a JSON string whose first letter is a \\u escape: the same value once parsed."""
    return f'"\\u{ord(kind[0]):04x}{kind[1:]}"'


# -- the quota counts every operation message, however its JSON is written ----------------


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
@pytest.mark.parametrize("spelling", ["plain", "escaped"])
async def test_operations_count_against_the_quota_however_the_type_is_spelled(
    settings: Settings, stores: Stores, protocol: str, spelling: str
) -> None:
    # given a quota of 4: the handshake takes one, three operations are served
    kind = escaped(START[protocol]) if spelling == "escaped" else f'"{START[protocol]}"'
    async with door_app(settings, stores, rate_limit_public="4/day") as app, serving(app) as url:
        ws = await opened(ws_url(url), protocol)
        # when five operations are sent, their `type` written as the test row says
        for n in range(5):
            frame = f'{{"type":{kind},"id":"{n}","payload":{{"query":"{{ __typename }}"}}}}'
            await ws.send(frame)
        answers: dict[str, dict[str, Any]] = {}
        while len(answers) < 5:
            frame_ = await next_frame(ws)
            if frame_["type"] in ("next", "data", "error"):
                answers[frame_["id"]] = frame_
        await ws.close()
    # then three ran and two were refused as rate limited
    ran = [i for i, a in answers.items() if a["type"] == RESULT[protocol]]
    refused = [a for a in answers.values() if a["type"] == "error"]
    assert len(ran) == 3
    assert len(refused) == 2
    for error in refused:
        payload = error["payload"][0] if protocol == TRANSPORT else error["payload"]
        assert payload["extensions"]["code"] == "rate_limited"


# -- frames the server cannot take: the protocol's answer, never a drop or an ERROR log -----

DEEP = '{"type":"%s","id":"1","payload":{"query":"{ __typename }","variables":{"a":%s}}}'
WIDE_CHARS = json.dumps(
    {
        "type": "%s",
        "id": "1",
        "payload": {"query": "{ __typename }", "variables": {"x": "가" * 400_000}},
    },
    ensure_ascii=False,
)
"""400,000 characters, 1.2 MB in UTF-8: over the message limit in bytes, not characters."""
FLAT_PING = '{"type":"%s","payload":{"x":[' + ",".join(["{}"] * 30_000) + "]}}"
"""90 KB of empty objects: over the 64 KiB message limit, whatever its type (each was 1.5 s of
the loop at 1 MiB, and pings are not counted against the quota)."""

BAD_FRAMES = [
    ("nested-5000-deep", lambda kind: DEEP % (kind, "[" * 5000 + "]" * 5000)),
    ("nested-100000-deep", lambda kind: DEEP % (kind, "[" * 100_000 + "]" * 100_000)),
    ("nested-past-the-depth-limit", lambda kind: DEEP % (kind, "[" * 40 + "]" * 40)),
    ("over-the-limit-in-bytes", lambda kind: WIDE_CHARS.replace('"%s"', f'"{kind}"', 1)),
    ("a-wide-ping", lambda kind: FLAT_PING % "ping"),
]


@pytest.mark.parametrize("make", [r[1] for r in BAD_FRAMES], ids=[r[0] for r in BAD_FRAMES])
async def test_a_frame_too_deep_or_too_large_closes_4400_on_graphql_transport_ws(
    server: str, make: Any, caplog: pytest.LogCaptureFixture
) -> None:
    ws = await opened(ws_url(server), TRANSPORT)
    await ws.send(make("subscribe"))
    assert await closed_with(ws) == 4400
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("make", [r[1] for r in BAD_FRAMES], ids=[r[0] for r in BAD_FRAMES])
async def test_a_frame_too_deep_or_too_large_is_a_connection_error_on_legacy_graphql_ws(
    server: str, make: Any, caplog: pytest.LogCaptureFixture
) -> None:
    ws = await opened(ws_url(server), LEGACY)
    await ws.send(make("start"))
    assert (await next_frame(ws))["type"] == "connection_error"
    # the socket still serves
    await ws.send(start(LEGACY, "q", {"query": "{ __typename }"}))
    assert (await next_frame(ws))["type"] == "data"
    await ws.close()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


# -- results: the HTTP door's response size and time limits, on both protocols ---------------


@pytest.fixture
async def small_results(settings: Settings, stores: Stores) -> AsyncIterator[str]:
    limits = {"graphql_max_response_bytes": MAX_RESPONSE, "rate_limit_developer": "1000/day"}
    async with door_app(settings, stores, **limits) as app, serving(app) as url:
        yield ws_url(url)


@pytest.fixture
async def short_time(settings: Settings, stores: Stores) -> AsyncIterator[str]:
    limits = {"graphql_timeout_seconds": TIMEOUT_S, "rate_limit_public": "1000/day"}
    async with door_app(settings, stores, **limits) as app, serving(app) as url:
        yield ws_url(url)


def errors_of(frame: dict[str, Any]) -> list[str]:
    payload = frame["payload"]
    listed = payload if isinstance(payload, list) else payload.get("errors", [payload])
    return [e["extensions"]["code"] for e in listed]


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_a_result_over_the_response_limit_is_refused_with_response_too_large(
    small_results: str, keys: dict[Tier, str], protocol: str
) -> None:
    # given a query whose result is larger than the limit (a dong boundary is ~6 KB)
    query = "{ a: districts(level: DONG) { code boundary } b: districts(level: DONG) { code } }"
    ws = await opened(small_results, protocol, keys[Tier.DEVELOPER])
    # when it runs over the socket
    await ws.send(start(protocol, "big", {"query": query}))
    frame = await next_frame(ws)
    # then its result message carries no data, only the typed refusal, and the operation ends
    assert (frame["type"], frame["id"]) == (RESULT[protocol], "big")
    assert frame["payload"]["data"] is None
    assert errors_of(frame) == ["response_too_large"]
    assert await next_frame(ws) == {"type": "complete", "id": "big"}
    # and a small one is still served whole
    await ws.send(start(protocol, "small", {"query": '{ district(code: "11680") { code } }'}))
    small = await next_frame(ws)
    assert small["payload"]["data"] == {"district": {"code": "11680"}}
    await ws.close()


@pytest.mark.parametrize("protocol", [TRANSPORT, LEGACY])
async def test_a_query_past_the_time_limit_is_cancelled_with_timeout(
    short_time: str, stores: Stores, monkeypatch: pytest.MonkeyPatch, protocol: str
) -> None:
    # given a store that never answers
    cancelled = asyncio.Event()

    async def stuck(*args: Any, **kwargs: Any) -> Any:
        try:
            await asyncio.sleep(3600)
        finally:
            cancelled.set()

    monkeypatch.setattr(stores.graph, "get_nodes", stuck)
    ws = await opened(short_time, protocol)
    # when a query needs it
    await ws.send(start(protocol, "slow", {"query": '{ district(code: "11680") { code } }'}))
    frame = await next_frame(ws)
    # then the operation is cancelled and ends with a typed timeout error
    assert (frame["type"], frame["id"]) == ("error", "slow")
    assert errors_of(frame) == ["timeout"]
    await asyncio.wait_for(cancelled.wait(), WAIT_S)
    # and the socket serves the next operation
    monkeypatch.undo()
    await ws.send(start(protocol, "fast", {"query": '{ district(code: "11680") { code } }'}))
    assert (await next_frame(ws))["payload"]["data"] == {"district": {"code": "11680"}}
    await ws.close()


async def test_a_subscription_has_no_time_limit(short_time: str) -> None:
    # a subscription waits for events longer than the time limit without being cancelled
    ws = await opened(short_time, TRANSPORT)
    await ws.send(start(TRANSPORT, "live", {"query": "subscription { alerts { id } }"}))
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(TIMEOUT_S * 4):
            await ws.recv()
    await ws.close()


# -- resuming with `after`: priced by the replay window, and a smaller window without a key --


async def ids_from_the_end(stores: Stores, count: int) -> list[int]:
    """The ids of the last `count` readings of the seeded sensors (S-DoT, water). Readings of
    sensors the graph does not hold (other tests write some into the session's records) are
    never replayed, so they must not be counted as missed."""
    rows = await stores.records.query(
        "SELECT id FROM reading WHERE sensor_id LIKE 'sdot-%' OR sensor_id LIKE 'wq-%' "
        f"ORDER BY id DESC LIMIT {count}"
    )
    return sorted(int(row["id"]) for row in rows)


def resuming(after: int) -> dict[str, Any]:
    return {"query": f'subscription {{ sensorReadings(after: "{after}") {{ id }} }}'}


async def test_a_resume_is_priced_by_the_replay_window_of_the_tier(
    settings: Settings, stores: Stores, keys: dict[Tier, str]
) -> None:
    # given a public budget under the public replay window (one event costs 1)
    limits = {"cost_budget_public": 500, "replay_window_public": 1000, "replay_window": 2000}
    after = (await ids_from_the_end(stores, 1))[0]
    async with door_app(settings, stores, **limits) as app, serving(app) as url:
        # when a public client resumes, it is refused before anything is read
        ws = await opened(ws_url(url), TRANSPORT)
        await ws.send(start(TRANSPORT, "r", resuming(after)))
        refused = await next_frame(ws)
        await ws.close()
        # while a developer (budget 10,000) may resume with its 2,000-event window
        keyed = await opened(ws_url(url), TRANSPORT, keys[Tier.DEVELOPER])
        await keyed.send(start(TRANSPORT, "r", resuming(after)))
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(1):
                await next_frame(keyed)  # nothing newer: no event, and no error
        await keyed.close()
    assert (refused["type"], errors_of(refused)) == ("error", ["query_too_costly"])
    extensions = refused["payload"][0]["extensions"]
    assert (extensions["cost"], extensions["budget"]) == (1000, 500)


async def test_a_client_without_a_key_has_a_smaller_replay_window(
    settings: Settings, stores: Stores, keys: dict[Tier, str]
) -> None:
    # given ten missed readings and a public replay window of three
    missed = await ids_from_the_end(stores, 10)
    async with (
        door_app(settings, stores, replay_window_public=3) as app,
        serving(app) as url,
    ):
        # when a public client resumes, it is told to query the current state instead
        ws = await opened(ws_url(url), LEGACY)
        await ws.send(start(LEGACY, "r", resuming(missed[0] - 1)))
        refused = await next_frame(ws)
        await ws.close()
        # while a developer gets the ten it missed
        keyed = await opened(ws_url(url), LEGACY, keys[Tier.DEVELOPER])
        await keyed.send(start(LEGACY, "r", resuming(missed[0] - 1)))
        got = [
            int((await next_frame(keyed))["payload"]["data"]["sensorReadings"]["id"])
            for _ in missed
        ]
        await keyed.close()
    assert (refused["type"], errors_of(refused)) == ("error", ["out_of_range"])
    assert got == missed
