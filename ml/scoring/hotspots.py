"""Scoring the platform's incident reports with the serving hotspot model: a day's map per cell.

At `now`, the day scored is the 24 hours from the last Seoul midnight at or before `now`. The
reports of the 12 weeks before that midnight (graph/records/incidents.py) are binned to the
≈250 m cells (by position) and hours; the gu scored are those with reports in those weeks,
whichever gu the model was trained on: its features are the cell's and its two rings' counts,
a kernel density, recency, the cell's environment and the time, none of them a place's name or
position (ml.hotspot_features), so the same booster scores any grid of Seoul. The environment
is the deployment's synthetic one (ml.hotspot_city), as the platform has no lighting or foot
traffic survey.

Written (`ml_prediction`, kind hotspot_risk): one row per cell and day, subject the cell's
stable id (ml.hotspot_city.cell_ids), its gu, window [midnight, next midnight) in epoch
seconds UTC, score the expected recorded incidents in the day, alarm when the cell is among the
day's top cells covering AREA_SHARE (5 %) of the scored area, detail canonical JSON
{"lat", "lon" (the centre, WGS 84, decimal strings), "peak_hour" (Seoul hour 0–23 of its
highest hourly risk), "peak_expected"}. Proposed: one patrol_allocation review per gu with top
cells ("<gu>@<day ISO>"), listing them; no patrol changes before an analyst approves it. A gu
with no top cell gets no review: the map gives it nothing to allocate.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from graph.records.incidents import IncidentRow, incidents_between
from graph.records.predictions import PredictionRow, put_predictions
from ledger.entries import canonical_json
from ml.errors import ModelNotTrained, RegistryDamaged
from ml.features import hour_of_week, is_korean_holiday
from ml.hotspot_city import SEOUL, cell_ids, layers_on, seoul_codes, seoul_midnight
from ml.hotspot_features import HISTORY_HOURS
from ml.hotspot_grid import Grid, to_metres
from ml.hotspot_serving import (
    AREA_SHARE,
    HORIZON_HOURS,
    HotspotInputInvalid,
    HotspotInputs,
    HotspotModel,
)
from ml.metrics.hotspots import top_cells
from ml.review import ReviewKind, propose
from ml.scoring import Scoring, ScoringContext, unloadable

NAME = "hotspots"
KIND = "hotspot_risk"
MAX_LISTED = 100
"""Top cells listed in one gu's review, highest first (the proposal stays under 16 KB)."""
NO_PATROL_CHANGE = (
    "A recommendation only: no patrol changes before an analyst approves this allocation. The "
    "map ranks places and hours from synthetic environment layers and recorded incident "
    "reports; it says nothing about people."
)


@dataclass(frozen=True)
class DayMap:
    """One day's map: per cell of `grid` the hourly expected incidents `hourly` (24, n_cells),
    and `top` the indices of the top cells, best first."""

    grid: Grid
    hourly: np.ndarray
    top: np.ndarray


def past_counts(grid: Grid, reports: list[IncidentRow], since: int) -> np.ndarray:
    """Reports per cell and hour (n_cells, HISTORY_HOURS) from epoch second `since`, oldest
    first, binned by position; reports outside the grid or the hours are left out."""
    counts = np.zeros((grid.n_cells, HISTORY_HOURS), dtype=np.int32)
    if not reports:
        return counts
    lon = np.array([r.lon for r in reports])
    lat = np.array([r.lat for r in reports])
    hour = (np.array([r.reported_at for r in reports], dtype=np.int64) - since) // 3600
    cell = grid.cells_at(*to_metres(lon, lat))
    keep = (cell >= 0) & (hour >= 0) & (hour < HISTORY_HOURS)
    np.add.at(counts, (cell[keep], hour[keep]), 1)
    return counts


def predict_day(model: HotspotModel, reports: list[IncidentRow], day: datetime) -> DayMap:
    """The model's map of the Seoul day starting at `day` (UTC) over its grid, from `reports`
    of the HISTORY_HOURS before it. Raises HotspotInputInvalid as the model does."""
    grid = model.grid
    since = int(day.timestamp()) - HISTORY_HOURS * 3600
    inputs = HotspotInputs(
        layers_on(grid).observed,
        past_counts(grid, reports, since),
        int(hour_of_week(np.array([np.datetime64(int(day.timestamp()), "s")]))[0]),
    )
    local_day = np.datetime64(day.astimezone(SEOUL).date(), "D")
    holiday = np.repeat(is_korean_holiday(np.array([local_day])), HORIZON_HOURS)
    hourly = model.risk_ahead(inputs, HORIZON_HOURS, holiday)
    return DayMap(grid, hourly, top_cells(hourly.sum(axis=0), AREA_SHARE))


def _decimal(value: float, places: int) -> str:
    return f"{value:.{places}f}"


def prediction_rows(
    day_map: DayMap, *, version: str, start: int, scored_at: int
) -> list[PredictionRow]:
    """One hotspot_risk row per cell of `day_map` for the day from epoch second `start`."""
    grid = day_map.grid
    daily = day_map.hourly.sum(axis=0)
    peak = day_map.hourly.argmax(axis=0)
    alarm = np.zeros(grid.n_cells, bool)
    alarm[day_map.top] = True
    lon, lat = grid.lonlat()
    ids = cell_ids(grid)
    return [
        PredictionRow(
            model=NAME,
            model_version=version,
            kind=KIND,
            subject=ids[c],
            district_code=str(grid.gu[c]),
            window_start=start,
            window_end=start + HORIZON_HOURS * 3600,
            score=float(daily[c]),
            alarm=bool(alarm[c]),
            detail=canonical_json(
                {
                    "lat": _decimal(float(lat[c]), 6),
                    "lon": _decimal(float(lon[c]), 6),
                    "peak_hour": int(peak[c]),
                    "peak_expected": f"{float(day_map.hourly[peak[c], c]):.6g}",
                }
            ).decode(),
            scored_at=scored_at,
        )
        for c in range(grid.n_cells)
    ]


def allocation(
    rows: list[PredictionRow], peak_hours: list[int], day: str, gu: str
) -> dict[str, Any]:
    """The patrol_allocation proposal of gu `gu` for Seoul day `day` (ISO) from its top-cell
    `rows` (highest first) and their peak hours: at most MAX_LISTED cells with their expected
    incidents and peak hour, the count of top cells, and that nothing changes before approval."""
    listed = [
        {"cell": r.subject, "expected": r.score, "peak_hour": hour}
        for r, hour in zip(rows[:MAX_LISTED], peak_hours, strict=False)
    ]
    return {
        "day": day,
        "district_code": gu,
        "area_share": AREA_SHARE,
        "top_cells": len(rows),
        "cells": listed,
        "review": NO_PATROL_CHANGE,
    }


STALE_AFTER_S = 7 * 86_400
"""A feed whose newest report is older than this before the day scored is stale: no map."""


def _skipped(why: str, version: str | None = None) -> Scoring:
    return Scoring(NAME, version, None, 0, 0, (), skipped=why)


async def score(context: ScoringContext) -> Scoring:
    """Score the Seoul day of `context.now` (see the module docstring); the same `now` writes
    the same rows and proposes nothing new.

    Skipped (Scoring.skipped says why and how to fix it) when the model was never trained, its
    registry entry is damaged or was trained with other features, no gu has reports in the 12
    weeks before the day, or none in the 7 days before it (a stale feed).
    """
    try:  # reading and parsing the booster, off the event loop
        stored = await asyncio.to_thread(context.registry.load, NAME)
        booster = await asyncio.to_thread(stored.booster)
    except (ModelNotTrained, RegistryDamaged) as error:
        return _skipped(unloadable(NAME, error))
    day = seoul_midnight(context.now)
    start = int(day.timestamp())
    reports = await incidents_between(context.records, start - HISTORY_HOURS * 3600, start)
    codes = tuple(sorted({r.district_code for r in reports} & set(seoul_codes())))
    day_iso = day.astimezone(SEOUL).date().isoformat()
    if not codes:
        return _skipped(
            f"no incident reports in the 12 weeks before {day_iso} (Seoul): `civicgraph seed` "
            "writes the synthetic feed (ml/feeds/hotspots.py)",
            stored.version,
        )
    if max(r.reported_at for r in reports) < start - STALE_AFTER_S:
        return _skipped(
            f"no incident reports in the {STALE_AFTER_S // 86_400} days before {day_iso} "
            "(Seoul): the feed stopped, and a map of the weeks before would read as a quiet "
            "city; `civicgraph seed` writes the synthetic feed up to now",
            stored.version,
        )
    try:
        model = HotspotModel(booster, {**stored.serving, "gu_codes": list(codes)})
    except (HotspotInputInvalid, KeyError, TypeError, ValueError) as error:
        return _skipped(
            f"hotspots {stored.version} cannot serve ({error}): retrain it with "
            "`civicgraph ml train hotspots`",
            stored.version,
        )
    day_map = await asyncio.to_thread(predict_day, model, reports, day)
    rows = prediction_rows(
        day_map, version=stored.version, start=start, scored_at=int(context.now.timestamp())
    )
    written = await put_predictions(context.records, rows)
    alarms = tuple(rows[c] for c in day_map.top)
    peaks = day_map.hourly.argmax(axis=0)
    proposed = 0
    for gu in sorted({r.district_code for r in alarms if r.district_code}):
        mine = [int(c) for c in day_map.top if day_map.grid.gu[c] == gu]
        outcome = await propose(
            context.records,
            kind=ReviewKind.PATROL_ALLOCATION,
            model=NAME,
            model_version=stored.version,
            subject=f"{gu}@{day_iso}",
            proposal=allocation(
                [rows[c] for c in mine], [int(peaks[c]) for c in mine], day_iso, gu
            ),
            district_code=gu,
            at=context.now,
        )
        proposed += outcome.created
    return Scoring(NAME, stored.version, start, written, proposed, alarms)
