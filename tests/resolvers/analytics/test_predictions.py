"""`predictions` and `predictionHistory`: analyst tier, the newest window highest score first,
Relay pages with the window on the connection, typed fields from the detail, typed errors, and
one records call per page however many rows (no N+1 for gu or station position)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from civicgraph.stores import Stores
from graph.query import NodeQuery
from graph.records.api_keys import Tier
from graph.records.predictions import PredictionRow, put_predictions
from resolvers.core.pagination import encode_cursor
from resolvers.subgraphs import subgraph_schema
from tests.helpers import error_codes, graphql
from tests.resolvers.analytics.conftest import context

PREDICTIONS = """
query ($kind: PredictionKind!, $district: String, $alarmsOnly: Boolean, $first: Int,
       $after: String) {
  predictions(kind: $kind, district: $district, alarmsOnly: $alarmsOnly, first: $first,
              after: $after) {
    totalCount alarmCount windowStart windowEnd modelVersion
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id kind model modelVersion subject districtCode score alarm
                          windowStart windowEnd lat lon syndrome peakHour
                          measures { measure z } district { code } } }
  }
}
"""
HISTORY = """
query ($kind: PredictionKind!, $subject: String!, $hours: Int) {
  predictionHistory(kind: $kind, subject: $subject, hours: $hours) { id score windowStart }
}
"""
HOUR = 3600
DAY = 24 * HOUR
FUTURE = int(datetime(2099, 1, 1, tzinfo=UTC).timestamp())
_days = itertools.count(10, 10)


def later() -> int:
    """A window start after any other test's (each test's windows are then their kind's newest,
    in whatever order the tests run): days from 2099-01-11 on, ten days apart."""
    return FUTURE + next(_days) * DAY


JONGNO, JUNG, GANGNAM = "11110", "11140", "11680"

Ask = Callable[..., Awaitable[dict[str, Any]]]


def prediction(
    kind: str,
    subject: str,
    start: int,
    score: float,
    *,
    gu: str | None = JONGNO,
    alarm: bool | None = None,
    detail: dict[str, Any] | None = None,
    length: int = DAY,
    version: str = "20990101T000000Z-0123abcd",
) -> PredictionRow:
    model = {"water_anomaly": "water", "outbreak_risk": "outbreak", "hotspot_risk": "hotspots"}
    return PredictionRow(
        model=model[kind],
        model_version=version,
        kind=kind,
        subject=subject,
        district_code=gu,
        window_start=start,
        window_end=start + length,
        score=score,
        alarm=score >= 0.5 if alarm is None else alarm,
        detail=json.dumps(detail, sort_keys=True) if detail is not None else None,
        scored_at=start + length,
    )


@pytest.fixture
def ask(client: httpx.AsyncClient, keys: dict[Tier, str]) -> Ask:
    """`await ask(query, tier=Tier.ANALYST, **variables)`: the whole answer."""

    async def run(query: str, tier: Tier | None = Tier.ANALYST, **variables: Any) -> dict[str, Any]:
        key = keys[tier] if tier is not None and tier is not Tier.PUBLIC else None
        return await graphql(client, query, variables, key=key)

    return run


async def water_stations(stores: Stores, count: int) -> list[dict[str, Any]]:
    nodes = await stores.graph.find_nodes(NodeQuery("Sensor", equals={"kind": ["water_quality"]}))
    assert len(nodes) >= count, "the test city has too few water stations"
    return nodes[:count]


async def test_predictions_are_refused_below_the_analyst_tier(ask: Ask) -> None:
    for tier in (Tier.PUBLIC, Tier.DEVELOPER):
        body = await ask(PREDICTIONS, tier, kind="OUTBREAK_RISK")
        assert error_codes(body) == ["forbidden"]
        assert body["data"] is None
        history = await ask(HISTORY, tier, kind="OUTBREAK_RISK", subject=f"{JONGNO}/respiratory")
        assert error_codes(history) == ["forbidden"]


async def test_predictions_page_the_newest_window_highest_score_first(
    ask: Ask, stores: Stores
) -> None:
    # given an older and a newer day of outbreak risks, two of the newer tied at 0.6
    old = later()
    new = old + DAY
    await put_predictions(
        stores.records,
        [prediction("outbreak_risk", f"{JONGNO}/respiratory", old, 0.99)]
        + [
            prediction("outbreak_risk", f"{gu}/{syndrome}", new, score, gu=gu)
            for gu, syndrome, score in (
                (JONGNO, "respiratory", 0.6),
                (JUNG, "influenza_like", 0.9),
                (JONGNO, "gastrointestinal", 0.2),
                (JUNG, "respiratory", 0.6),
                (GANGNAM, "respiratory", 0.1),
            )
        ],
    )
    # when an analyst pages through the newest window two at a time
    seen: list[dict[str, Any]] = []
    after = None
    pages = 0
    while True:
        body = await ask(PREDICTIONS, kind="OUTBREAK_RISK", first=2, after=after)
        assert "errors" not in body, body
        page = body["data"]["predictions"]
        seen += [edge["node"] for edge in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # then the newest day comes highest score first (ties by subject), in three pages
    assert pages == 3
    assert [(n["subject"], n["score"]) for n in seen] == [
        (f"{JUNG}/influenza_like", 0.9),
        (f"{JONGNO}/respiratory", 0.6),
        (f"{JUNG}/respiratory", 0.6),
        (f"{JONGNO}/gastrointestinal", 0.2),
        (f"{GANGNAM}/respiratory", 0.1),
    ]
    # and the connection names its window, counts it, and each node reads its detail
    assert page["windowStart"] == datetime.fromtimestamp(new, UTC).isoformat()
    assert page["windowEnd"] == datetime.fromtimestamp(new + DAY, UTC).isoformat()
    assert page["modelVersion"] == "20990101T000000Z-0123abcd"
    assert (page["totalCount"], page["alarmCount"]) == (5, 3)
    first = seen[0]
    assert first["id"] == f"outbreak_risk/{new}/{JUNG}/influenza_like"
    assert (first["syndrome"], first["lat"], first["lon"], first["measures"]) == (
        "influenza_like",
        None,
        None,
        None,
    )
    assert first["district"] == {"code": JUNG}
    # and one gu's alarms are a window of their own
    body = await ask(PREDICTIONS, kind="OUTBREAK_RISK", district=JUNG, alarmsOnly=True)
    jung = body["data"]["predictions"]
    assert [e["node"]["subject"] for e in jung["edges"]] == [
        f"{JUNG}/influenza_like",
        f"{JUNG}/respiratory",
    ]
    assert (jung["totalCount"], jung["alarmCount"]) == (2, 2)


async def test_a_cursor_keeps_its_window_when_a_newer_one_is_scored(
    ask: Ask, stores: Stores
) -> None:
    start = later()
    rows = [prediction("outbreak_risk", f"{GANGNAM}/s{n}", start, n / 10) for n in range(4)]
    await put_predictions(stores.records, rows)
    page = (await ask(PREDICTIONS, kind="OUTBREAK_RISK", first=2))["data"]["predictions"]
    # when a newer day is scored between two pages
    await put_predictions(
        stores.records, [prediction("outbreak_risk", f"{GANGNAM}/late", start + DAY, 0.5)]
    )
    after = page["pageInfo"]["endCursor"]
    rest = (await ask(PREDICTIONS, kind="OUTBREAK_RISK", first=2, after=after))["data"]
    # then the second page finishes the first page's window
    assert [e["node"]["subject"] for e in rest["predictions"]["edges"]] == [
        f"{GANGNAM}/s1",
        f"{GANGNAM}/s0",
    ]
    assert rest["predictions"]["windowStart"] == page["windowStart"]


async def test_water_and_hotspot_predictions_have_a_position_for_one_call_per_page(
    ask: Ask, stores: Stores
) -> None:
    # given an hour of water anomalies at real stations, one with the measures that moved,
    # and a day of hotspot cells with their centres and peak hours
    stations = await water_stations(stores, 3)
    hour = later()
    await put_predictions(
        stores.records,
        [
            prediction(
                "water_anomaly",
                str(node["id"]),
                hour,
                0.9 - n / 10,
                gu=str(node["district_code"]),
                length=HOUR,
                detail={
                    "measures": [
                        {"measure": "dissolved_oxygen", "z": -2.5},
                        {"measure": "turbidity", "z": 3.2},
                    ]
                }
                if n == 0
                else {},
            )
            for n, node in enumerate(stations)
        ],
    )
    cells = 40
    await put_predictions(
        stores.records,
        [
            prediction(
                "hotspot_risk",
                f"c{n:04d}",
                hour,
                cells - n,
                gu=(JONGNO, JUNG)[n % 2],
                alarm=n < 2,
                detail={"lon": f"{126.97 + n / 1000:.6f}", "lat": "37.56", "peak_hour": 22},
            )
            for n in range(cells)
        ],
    )
    # when an analyst asks for every station's position and every cell's, with their gu
    records, graph = stores.records.calls, stores.graph.calls
    water = (await ask(PREDICTIONS, kind="WATER_ANOMALY", first=10))["data"]["predictions"]
    water_records, water_graph = stores.records.calls - records, stores.graph.calls - graph
    records, graph = stores.records.calls, stores.graph.calls
    hot = (await ask(PREDICTIONS, kind="HOTSPOT_RISK", first=cells))["data"]["predictions"]
    hot_records, hot_graph = stores.records.calls - records, stores.graph.calls - graph
    # then the stations are where the graph puts them, the measures are typed
    nodes = [e["node"] for e in water["edges"]]
    assert [(n["subject"], n["lat"], n["lon"]) for n in nodes] == [
        (s["id"], s["lat"], s["lon"]) for s in stations
    ]
    assert nodes[0]["measures"] == [
        {"measure": "dissolved_oxygen", "z": -2.5},
        {"measure": "turbidity", "z": 3.2},
    ]
    assert nodes[1]["measures"] is None
    # and the cells are at their centres, with their peak hour
    assert [(e["node"]["subject"], e["node"]["lon"]) for e in hot["edges"][:2]] == [
        ("c0000", 126.97),
        ("c0001", 126.971),
    ]
    assert {e["node"]["peakHour"] for e in hot["edges"]} == {22}
    assert hot["alarmCount"] == 2
    # and a page costs the same few calls for 3 rows as for 40: the caller's key (the tests
    # cache no key), the newest window, the page, the window's summary; the gu are one graph
    # read (the merged server resolves District views through city's loader), the stations'
    # positions one more
    assert water_records == hot_records == 4, (water_records, hot_records)
    assert (water_graph, hot_graph) == (2, 1)


WATER = "water_anomaly||0|"
"""The start of a cursor of `predictions(kind: WATER_ANOMALY)` without filters."""


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"kind": "WATER_ANOMALY", "district": "99999"}, "not_found", "district"),
        ({"kind": "WATER_ANOMALY", "first": 0}, "out_of_range", "first"),
        ({"kind": "WATER_ANOMALY", "first": 101}, "out_of_range", "first"),
        ({"kind": "WATER_ANOMALY", "after": "nope"}, "bad_cursor", "after"),
        (
            {"kind": "WATER_ANOMALY", "after": encode_cursor(f"{WATER}1|nan|x")},
            "bad_cursor",
            "after",
        ),
        (
            {"kind": "WATER_ANOMALY", "after": encode_cursor(f"{WATER}x|0.5|x")},
            "bad_cursor",
            "after",
        ),
        (
            {"kind": "WATER_ANOMALY", "after": encode_cursor(f"{WATER}1|0.5|")},
            "bad_cursor",
            "after",
        ),
        # a window past the year 9999, or past what the database's integers hold
        *(
            (
                {"kind": "WATER_ANOMALY", "after": encode_cursor(f"{WATER}{w}|0.5|x")},
                "bad_cursor",
                "after",
            )
            for w in ("999999999999", "99999999999999999999", "-1")
        ),
        # a cursor of another kind, gu or alarm filter
        (
            {"kind": "WATER_ANOMALY", "after": encode_cursor("hotspot_risk||0|1|0.5|x")},
            "bad_cursor",
            "after",
        ),
        (
            {
                "kind": "WATER_ANOMALY",
                "district": GANGNAM,
                "after": encode_cursor(f"{WATER}1|0.5|x"),
            },
            "bad_cursor",
            "after",
        ),
        (
            {
                "kind": "WATER_ANOMALY",
                "alarmsOnly": True,
                "after": encode_cursor(f"{WATER}1|0.5|x"),
            },
            "bad_cursor",
            "after",
        ),
    ],
    ids=[
        "unknown-gu",
        "first-0",
        "first-101",
        "not-a-cursor",
        "nan",
        "no-window",
        "no-subject",
        "year-33658",
        "past-bigint",
        "negative",
        "another-kind",
        "another-gu",
        "another-filter",
    ],
)
async def test_predictions_refuse_bad_arguments_with_their_code(
    ask: Ask, variables: dict[str, Any], code: str, field: str
) -> None:
    body = await ask(PREDICTIONS, **variables)
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]] == [
        (code, field)
    ]


async def test_prediction_history_reads_a_subjects_recent_windows_oldest_first(
    ask: Ask, stores: Stores
) -> None:
    # given a cell's windows 3 days, 30 hours and 2 hours ago (history is wall-clock)
    now = int(datetime.now(UTC).timestamp()) // HOUR * HOUR
    subject = "c-history"
    await put_predictions(
        stores.records,
        [
            prediction("hotspot_risk", subject, now - ago * HOUR, float(ago), length=HOUR)
            for ago in (72, 30, 2)
        ],
    )
    # when an analyst asks for the last 48 hours, then the last 4
    body = await ask(HISTORY, kind="HOTSPOT_RISK", subject=subject)
    short = await ask(HISTORY, kind="HOTSPOT_RISK", subject=subject, hours=4)
    # then the windows inside each span come oldest first
    assert [p["score"] for p in body["data"]["predictionHistory"]] == [30.0, 2.0]
    assert [p["score"] for p in short["data"]["predictionHistory"]] == [2.0]
    other = await ask(HISTORY, kind="WATER_ANOMALY", subject=subject)
    assert other["data"]["predictionHistory"] == []


NESTED_HISTORY = """
query ($hours: Int) {
  predictions(kind: OUTBREAK_RISK, first: 20) {
    edges { node { subject score history(hours: $hours) { subject score } } }
  }
}
"""


async def test_each_predictions_history_is_one_records_call_for_the_whole_page(
    ask: Ask, stores: Stores
) -> None:
    # given the newest window of 12 gu's outbreak risk, each with two older days: one 30 hours
    # before it, one 80 (history counts from the wall clock; the windows are in 2099)
    newest = later()
    subjects = [f"g{n:02d}/respiratory" for n in range(12)]
    await put_predictions(
        stores.records,
        [
            prediction("outbreak_risk", subject, newest - ago * HOUR, float(n) + ago / 100)
            for n, subject in enumerate(subjects)
            for ago in (80, 30, 0)
        ],
    )
    # when an analyst asks for the page with each one's last 48 hours
    before = stores.records.calls
    body = await ask(NESTED_HISTORY, hours=48)
    calls = stores.records.calls - before
    # then each history is its own subject's windows from then on, oldest first
    nodes = [e["node"] for e in body["data"]["predictions"]["edges"]]
    assert {n["subject"] for n in nodes} == set(subjects)
    for node in nodes:
        assert [h["subject"] for h in node["history"]] == [node["subject"]] * 3
        scores = [h["score"] for h in node["history"]]  # the older, the larger its `ago` part
        assert scores == sorted(scores, reverse=True)
    # and the 12 histories cost one records call beside the page's own three (the caller's
    # key, the newest window, the page)
    assert calls == 4, calls
    # and an hours outside two weeks is refused on the field
    refused = await ask(NESTED_HISTORY, hours=0)
    assert {(e["extensions"]["code"], e["extensions"]["field"]) for e in refused["errors"]} == {
        ("out_of_range", "hours")
    }


@pytest.mark.parametrize("hours", [0, -1, 24 * 14 + 1], ids=["zero", "negative", "past-2-weeks"])
async def test_prediction_history_refuses_hours_outside_two_weeks(ask: Ask, hours: int) -> None:
    body = await ask(HISTORY, kind="HOTSPOT_RISK", subject="c0000", hours=hours)
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]] == [
        ("out_of_range", "hours")
    ]


ENTITIES = """query ($r: [_Any!]!) {
  _entities(representations: $r) { ... on Prediction { id subject score syndrome } } }"""


async def test_entities_resolve_predictions_by_id_in_one_records_call(
    app: Starlette, stores: Stores, tmp_path: Path
) -> None:
    # given a day of 30 outbreak risks
    start = later()
    rows = [prediction("outbreak_risk", f"{JUNG}/s{n:02d}", start, n / 100) for n in range(30)]
    await put_predictions(stores.records, rows)
    reps = [{"__typename": "Prediction", "id": f"outbreak_risk/{start}/{r.subject}"} for r in rows]
    # when a gateway asks for all of them, one unknown and one malformed id, as an analyst
    reps += [
        {"__typename": "Prediction", "id": f"outbreak_risk/{start}/{JUNG}/none"},
        {"__typename": "Prediction", "id": "mood/1/x"},
    ]
    before = stores.records.calls
    result = await subgraph_schema("analytics").execute(
        ENTITIES, {"r": reps}, context_value=context(app, stores, Tier.ANALYST, tmp_path)
    )
    calls = stores.records.calls - before
    # then each found one is in its slot, for one records call, the others coded in theirs
    assert result.data is not None
    assert result.errors is not None
    found = result.data["_entities"]
    assert [e["subject"] for e in found[:30]] == [r.subject for r in rows]
    assert found[30:] == [None, None]
    assert sorted((e.path[1], (e.extensions or {})["code"]) for e in result.errors if e.path) == [
        (30, "not_found"),
        (31, "invalid"),
    ]
    assert calls == 1, calls
    # and below the analyst tier none is shown
    refused = await subgraph_schema("analytics").execute(
        ENTITIES, {"r": reps[:1]}, context_value=context(app, stores, Tier.DEVELOPER, tmp_path)
    )
    assert refused.data is not None
    assert refused.errors is not None
    assert refused.data["_entities"] == [None]
    assert [(e.extensions or {})["code"] for e in refused.errors] == ["forbidden"]
