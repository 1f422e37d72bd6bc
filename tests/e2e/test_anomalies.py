"""`anomalies` over a real server and a real websocket client: the alarms a scoring run
publishes reach an analyst's subscription filtered by kind and gu; below the analyst tier the
subscription is refused before any event."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

from starlette.applications import Starlette

from graph.records.api_keys import Tier
from graph.records.predictions import PredictionRow
from subscriptions.anomalies import publish_anomalies
from tests.e2e.websocket_client import TRANSPORT, next_frame, opened, ws_url

ANOMALIES = """
subscription ($kinds: [PredictionKind!], $district: String) {
  anomalies(kinds: $kinds, district: $district) {
    id kind subject districtCode score alarm windowStart syndrome peakHour lat lon
  }
}"""
JONGNO, JUNG = "11110", "11140"
START = 4_070_908_800  # 2099-01-01T00:00:00Z
WAIT_S = 10


def alarm(kind: str, subject: str, gu: str, score: float, **detail: Any) -> PredictionRow:
    model = {"water_anomaly": "water", "outbreak_risk": "outbreak", "hotspot_risk": "hotspots"}
    return PredictionRow(
        model=model[kind],
        model_version="20990101T000000Z-0123abcd",
        kind=kind,
        subject=subject,
        district_code=gu,
        window_start=START,
        window_end=START + 86_400,
        score=score,
        alarm=True,
        detail=json.dumps(detail) if detail else None,
        scored_at=START + 86_400,
    )


async def subscribed(app: Starlette, before: int) -> None:
    """Wait until the server holds one more bus subscription than `before`."""
    async with asyncio.timeout(WAIT_S):
        while app.state.live.bus.fanout.count() <= before:  # noqa: ASYNC110 - no event to wait on
            await asyncio.sleep(0.02)


async def test_an_analyst_receives_the_alarms_of_their_kinds_and_gu(
    app: Starlette, server: str, keys: dict[Tier, str]
) -> None:
    # given an analyst subscribed to outbreak and hotspot alarms in Jongno-gu
    before = app.state.live.bus.fanout.count()
    ws = await opened(ws_url(server), TRANSPORT, keys[Tier.ANALYST])
    try:
        variables = {"kinds": ["OUTBREAK_RISK", "HOTSPOT_RISK"], "district": JONGNO}
        payload = {"query": ANOMALIES, "variables": variables}
        await ws.send(json.dumps({"id": "a", "type": "subscribe", "payload": payload}))
        await subscribed(app, before)
        # when a scoring run publishes alarms of every kind in two gu, and a row that is none
        rows = [
            alarm("water_anomaly", "wq-x", JONGNO, 0.97),
            alarm("outbreak_risk", f"{JUNG}/respiratory", JUNG, 0.91),
            alarm("outbreak_risk", f"{JONGNO}/influenza_like", JONGNO, 0.88),
            alarm("hotspot_risk", "c0042", JONGNO, 3.5, lat="37.57", lon="126.98", peak_hour=23),
        ]
        quiet = replace(alarm("hotspot_risk", "c0043", JONGNO, 0.1), alarm=False)
        published = await publish_anomalies(app.state.live.bus, [*rows, quiet])
        # then only its kinds in its gu arrive, in order, as typed predictions
        first, second = await next_frame(ws), await next_frame(ws)
    finally:
        await ws.close()
    assert published == 4
    assert [f["type"] for f in (first, second)] == ["next", "next"]
    got = [f["payload"]["data"]["anomalies"] for f in (first, second)]
    assert got == [
        {
            "id": f"outbreak_risk/{START}/{JONGNO}/influenza_like",
            "kind": "OUTBREAK_RISK",
            "subject": f"{JONGNO}/influenza_like",
            "districtCode": JONGNO,
            "score": 0.88,
            "alarm": True,
            "windowStart": "2099-01-01T00:00:00+00:00",
            "syndrome": "influenza_like",
            "peakHour": None,
            "lat": None,
            "lon": None,
        },
        {
            "id": f"hotspot_risk/{START}/c0042",
            "kind": "HOTSPOT_RISK",
            "subject": "c0042",
            "districtCode": JONGNO,
            "score": 3.5,
            "alarm": True,
            "windowStart": "2099-01-01T00:00:00+00:00",
            "syndrome": None,
            "peakHour": 23,
            "lat": 37.57,
            "lon": 126.98,
        },
    ]


async def test_anomalies_are_refused_below_the_analyst_tier(
    server: str, keys: dict[Tier, str]
) -> None:
    for key in (None, keys[Tier.DEVELOPER]):
        ws = await opened(ws_url(server), TRANSPORT, key)
        try:
            payload = {"query": ANOMALIES, "variables": {}}
            await ws.send(json.dumps({"id": "a", "type": "subscribe", "payload": payload}))
            frame = await next_frame(ws)
        finally:
            await ws.close()
        assert frame["type"] in ("error", "next"), frame
        errors = frame["payload"] if frame["type"] == "error" else frame["payload"]["errors"]
        assert [e["extensions"]["code"] for e in errors] == ["forbidden"]
