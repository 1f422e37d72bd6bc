"""A city for the analytics page's prediction sections: the session's graph (gu, water
stations) over records of its own, so that the windows written here are the only ones (other
tests write the newest windows of the session's records), with one scored window per kind."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from civicgraph.stores import Stores
from graph.query import NodeQuery
from graph.records import open_records
from graph.records.api_keys import Tier
from graph.records.predictions import PredictionRow, put_predictions
from ml.review import ReviewKind
from tests.conftest import keys_for
from tests.ml.reviews import pending_review

HOUR = 3600
DAY = 24 * HOUR
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
HOUR_START = int(NOW.timestamp()) - HOUR
"""The newest water hour: the last whole hour (so its 48-hour history is within the window)."""
DAY_START = int(datetime(2026, 11, 30, 15, tzinfo=UTC).timestamp())
"""1 Dec 2026, 00:00 in Seoul: the newest outbreak and hotspot day."""
GANGNAM, SONGPA, JONGNO = "11680", "11710", "11110"
HOTSPOT_CENTRE = {GANGNAM: (37.4979, 127.0276), SONGPA: (37.5145, 127.1059)}
"""Gangnam station and Songpa-gu office: where the test's hotspot cells lie."""
VERSION = {"water": "20261130T090000Z-aaaa1111", "outbreak": "20261130T090000Z-bbbb2222"}
HOTSPOT_VERSION = "20261130T090000Z-cccc3333"


@dataclass(frozen=True)
class City:
    stores: Stores
    keys: dict[Tier, str]
    stations: list[str]
    """The water stations scored, as the graph holds them."""
    outbreak_review: str
    """The pending review of Gangnam-gu's respiratory alarm."""


def row(
    kind: str, subject: str, start: int, length: int, score: float, **extra: Any
) -> PredictionRow:
    model = {"water_anomaly": "water", "outbreak_risk": "outbreak", "hotspot_risk": "hotspots"}
    versions = VERSION | {"hotspots": HOTSPOT_VERSION}
    detail = extra.pop("detail", None)
    return PredictionRow(
        model=model[kind],
        model_version=versions[model[kind]],
        kind=kind,
        subject=subject,
        district_code=extra.pop("gu", None),
        window_start=start,
        window_end=start + length,
        score=score,
        alarm=extra.pop("alarm", False),
        detail=json.dumps(detail) if detail is not None else None,
        scored_at=start + length,
    )


def hotspot_rows() -> list[PredictionRow]:
    """30 cells around each of two centres, risk falling with the index; the first 3 of each
    are top cells (alarms)."""
    rows = []
    for gu, (lat, lon) in HOTSPOT_CENTRE.items():
        for i in range(30):
            detail = {
                "lat": f"{lat + (i % 6) * 0.0023:.6f}",
                "lon": f"{lon + (i // 6) * 0.0028:.6f}",
                "peak_hour": (20 + i) % 24,
            }
            score = round(4.0 - i * 0.12 - (0.5 if gu == SONGPA else 0.0), 3)
            rows.append(
                row(
                    "hotspot_risk",
                    f"c-{gu}-{i:02d}",
                    DAY_START,
                    DAY,
                    score,
                    gu=gu,
                    alarm=i < 3,
                    detail=detail,
                )
            )
    return rows


def water_rows(stations: list[tuple[str, str | None]]) -> list[PredictionRow]:
    """48 hours of every station; the second station in alarm in the newest 3 hours, its
    dissolved oxygen and turbidity moved."""
    rows = []
    for index, (station, gu) in enumerate(stations):
        for back in range(48):
            start = HOUR_START - back * HOUR
            alarm = index == 1 and back < 3
            score = 0.91 - back * 0.05 if alarm else 0.05 + 0.02 * ((back + index) % 5)
            detail = (
                {
                    "measures": [
                        {"measure": "dissolved_oxygen", "z": -3.2},
                        {"measure": "turbidity", "z": 2.8},
                    ]
                }
                if alarm
                else None
            )
            rows.append(
                row(
                    "water_anomaly",
                    station,
                    start,
                    HOUR,
                    round(score, 3),
                    gu=gu,
                    alarm=alarm,
                    detail=detail,
                )
            )
    return rows


def outbreak_rows() -> list[PredictionRow]:
    rows = []
    for gu in (GANGNAM, SONGPA, JONGNO):
        for syndrome in ("respiratory", "gastrointestinal", "influenza_like"):
            alarm = (gu, syndrome) in {(GANGNAM, "respiratory"), (JONGNO, "influenza_like")}
            score = 0.93 if alarm else 0.12
            rows.append(
                row(
                    "outbreak_risk",
                    f"{gu}/{syndrome}",
                    DAY_START,
                    DAY,
                    score,
                    gu=gu,
                    alarm=alarm,
                    detail={"syndrome": syndrome},
                )
            )
    return rows


async def water_stations(stores: Stores) -> list[tuple[str, str | None]]:
    """Up to 8 water-quality stations of the graph by id (no gu: the rows name none)."""
    nodes = await stores.graph.find_nodes(NodeQuery("Sensor", {"kind": ["water_quality"]}))
    return [(station, None) for station in sorted(str(n["id"]) for n in nodes)[:8]]


async def open_city(graph_stores: Stores, folder: Path, *, scored: bool = True) -> City:
    """Records of its own under `folder` beside the session's graph, with keys; with `scored`,
    one window per kind and a pending review of Gangnam-gu's respiratory alarm."""
    records = await open_records(f"sqlite://{folder / 'records.sqlite3'}", migrate=True)
    stores = Stores(graph_stores.graph, records)
    keys = await keys_for(stores)
    stations = await water_stations(graph_stores)
    review_id = ""
    if scored:
        await put_predictions(records, hotspot_rows() + water_rows(stations) + outbreak_rows())
        proposed = await pending_review(
            records,
            ReviewKind.OUTBREAK_ALARM,
            district=GANGNAM,
            subject=f"{GANGNAM}/respiratory@2026-12-01",
        )
        review_id = proposed.review_id
    return City(stores, keys, [s for s, _ in stations], review_id)
