"""Scoring the Han River stations' hours with the serving water model; alarms go to review.

Each run scores the whole hours up to `context.now` that no earlier run scored (at most the
last MAX_NEW_HOURS), for every seeded river station that reported in the hour, from the
stations' hourly means over the HISTORY_HOURS before (the model's expectation reads 7 days,
its scale 14), each station with its upstream neighbour (the previous one in
`seeds.han_river` order that the graph holds). It writes one `water_anomaly` prediction per
station-hour (subject: the sensor id; district: its gu; detail: the measures furthest from the
station's expectation) and queues one `water_alarm` review per alarm episode that begins in
those hours (subject "<sensor id>@<onset hour, ISO UTC>").
"""

from __future__ import annotations

import asyncio
from datetime import UTC

import numpy as np

from graph.records.predictions import (
    PredictionRow,
    latest_window,
    predictions_in_window,
    put_predictions,
)
from graph.records.readings import HOUR, epoch, from_epoch
from ml.errors import ModelNotTrained, RegistryDamaged
from ml.generators.water import MEASURES
from ml.metrics.water import alarm_episodes
from ml.review import ReviewKind, proposal_json, propose
from ml.scoring import Scoring, ScoringContext, unloadable
from ml.scoring.water_readings import (
    RiverReadings,
    RiverStationNode,
    hourly_means,
    river_stations,
)
from ml.water_deviation import standardised
from ml.water_serving import ReadingsInvalid, StationReadings, WaterModel, WaterScores

NAME = "water"
KIND = "water_anomaly"
HISTORY_HOURS = 16 * 24
"""Hours read before the first hour scored: the model wants ≥ 15 days of history."""
MAX_NEW_HOURS = 48
"""A run scores at most the last 48 hours (after an outage of the scoring, older hours stay
unscored)."""
TOP_MEASURES = 3
"""How many measures the detail names, furthest from their expectation first."""


def _skipped(reason: str, version: str | None = None) -> Scoring:
    return Scoring(NAME, version, None, 0, 0, (), skipped=reason)


def _load(context: ScoringContext) -> tuple[WaterModel, str] | str:
    """The serving model and its version, or why there is none and how to fix it."""
    try:
        stored = context.registry.load(NAME)
        return WaterModel.from_stored(stored), stored.version
    except (ModelNotTrained, RegistryDamaged) as error:
        return unloadable(NAME, error)


def _iso(hour: np.datetime64) -> str:
    return str(np.datetime_as_string(hour, unit="s")) + "Z"


def _furthest(z: np.ndarray) -> list[dict[str, object]]:
    """The measures of one hour's z-scores ((6,)) furthest from their expectation, at most
    TOP_MEASURES, each {"measure", "z"} (z rounded to 0.1); NaN ones left out."""
    order = [m for m in np.argsort(-np.abs(np.nan_to_num(z, nan=0.0))) if np.isfinite(z[m])]
    return [{"measure": MEASURES[m], "z": round(float(z[m]), 1)} for m in order[:TOP_MEASURES]]


def _scores(model: WaterModel, river: RiverReadings) -> list[WaterScores]:
    """Each station's scores over the river's hours, with its upstream neighbour's readings.

    Raises ReadingsInvalid if the readings cannot be scored (a programming error here)."""
    out = []
    previous: StationReadings | None = None
    for station in range(river.values.shape[0]):
        own = StationReadings(
            river.times, {m: river.values[station, :, k] for k, m in enumerate(MEASURES)}
        )
        out.append(model.predict(own, previous))
        previous = own
    return out


async def score(context: ScoringContext) -> Scoring:
    """Score the new hours of the Han River stations up to `context.now` (aware); see the module.

    Skipped (nothing written) when the model is not trained or damaged, when the graph holds no
    river station, or when no station reported in the hours to score. Running again for the
    same `now` writes and proposes nothing (`alarms` still lists the newest hour's alarms).
    """
    loaded = await asyncio.to_thread(_load, context)  # reads and parses the booster
    if isinstance(loaded, str):
        return _skipped(loaded)
    model, version = loaded
    stations = await river_stations(context.graph)
    if not stations:
        return _skipped(
            "the graph holds no Han River station (seeds/han_river.py): run `civicgraph seed`",
            version,
        )
    end = epoch(context.now.astimezone(UTC)) // HOUR * HOUR
    newest = await latest_window(context.records, KIND)
    first_new = max(end - MAX_NEW_HOURS * HOUR, (newest + HOUR) if newest is not None else 0)
    if first_new >= end:
        return await _result(context, version, None, 0, 0)
    river = await hourly_means(
        context.records,
        [s.id for s in stations],
        from_epoch(first_new - HISTORY_HOURS * HOUR),
        from_epoch(end),
    )
    new = slice(HISTORY_HOURS, None)
    reported = river.reported()
    if not reported[:, new].any():
        return _skipped(
            "no Han River station reported in the hours to score "
            f"({_iso(river.times[new][0])} to {_iso(river.times[-1])}): "
            "the stations' readings come from the water feed (`civicgraph seed`)",
            version,
        )
    try:
        scored = await asyncio.to_thread(_scores, model, river)  # off the event loop
    except ReadingsInvalid as error:
        return _skipped(f"the river's readings could not be scored: {error}", version)
    rows: list[PredictionRow] = []
    onsets: list[tuple[RiverStationNode, str | None, WaterScores, np.ndarray, int]] = []
    at = epoch(context.now)
    for index, (station, scores) in enumerate(zip(stations, scored, strict=True)):
        z = standardised(river.values[index])
        upstream = stations[index - 1].id if index else None
        for hour in np.flatnonzero(reported[index, new]) + HISTORY_HOURS:
            start = int(river.times[hour].astype("datetime64[s]").astype(np.int64))
            detail = {"measures": _furthest(z[hour]), "upstream": upstream}
            rows.append(
                PredictionRow(
                    NAME,
                    version,
                    KIND,
                    station.id,
                    station.district_code,
                    start,
                    start + HOUR,
                    float(scores.scores[hour]),
                    bool(scores.alarms[hour]),
                    proposal_json(detail).decode(),
                    at,
                )
            )
        for onset, _ in alarm_episodes(scores.alarms & reported[index]):
            if onset >= HISTORY_HOURS:
                onsets.append((station, upstream, scores, z, onset))
    proposed = 0
    for station, upstream, scores, z, onset in onsets:  # before the rows: a re-run after a
        # failure in between scores these hours again, and `propose` keeps one pending review
        created = await propose(
            context.records,
            kind=ReviewKind.WATER_ALARM,
            model=NAME,
            model_version=version,
            subject=f"{station.id}@{_iso(river.times[onset])}",
            district_code=station.district_code,
            proposal={
                "station": station.id,
                "name": station.name,
                "upstream": upstream,
                "onset": _iso(river.times[onset]),
                "score": round(float(scores.scores[onset]), 4),
                "threshold": round(float(scores.threshold), 4),
                "measures": _furthest(z[onset]),
            },
            at=context.now,
        )
        proposed += created.created
    written = await put_predictions(context.records, rows)
    newest_written = max((r.window_start for r in rows), default=None)
    return await _result(context, version, newest_written, written, proposed)


async def _result(
    context: ScoringContext, version: str, window: int | None, written: int, proposed: int
) -> Scoring:
    """The run's Scoring, `alarms` read back from the newest scored hour."""
    newest = await latest_window(context.records, KIND)
    alarms: tuple[PredictionRow, ...] = ()
    if newest is not None:
        alarms = tuple(await predictions_in_window(context.records, KIND, newest, alarms_only=True))
    return Scoring(NAME, version, window, written, proposed, alarms)
