"""Scoring the Seoul day before `now` for every gu and syndrome with the serving outbreak model;
alarms go to an analyst before anyone is notified.

Each run reads the last WINDOW_DAYS days of the syndromic feed (`syndromic_count`, one query)
up to that day, the gu and their neighbours from the graph's ADJACENT_TO relationships, and
scores every gu × syndrome of the gu with any count in those days (`OutbreakModel.score_many`);
a gu without any is left unscored and counted (`Scoring.unscored`). A day the feed missed is
scored as missing (NaN), as training saw missing days. It writes one `outbreak_risk` prediction
per gu and syndrome (subject "<gu code>/<syndrome>", window the Seoul day as [midnight, next
midnight) in epoch seconds UTC, detail the day's counts per stream, their ratio to the same
weekday of the four weeks before, and the neighbours read) and queues one `outbreak_alarm`
review per alarm (subject "<gu>/<syndrome>@<day ISO>"): nobody is notified before an analyst
approves it. Running again for the same `now` writes the same rows and proposes nothing new.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from graph.city_day import city_day, day_span
from graph.records.predictions import PredictionRow, predictions_in_window, put_predictions
from graph.records.syndromic import counts_between, epoch_day
from ml.errors import MLError
from ml.generators.outbreaks import SYNDROMES
from ml.outbreak import NAME, OutbreakModel, OutbreakScore
from ml.outbreak_features import WINDOW_DAYS
from ml.review import ReviewKind, proposal_json, propose
from ml.scoring import Scoring, ScoringContext, unloadable
from ml.scoring.outbreak_windows import CountTable, gu_neighbours

KIND = "outbreak_risk"
NOTICE = "Nobody is notified of this alarm before an analyst approves it."


def _skipped(reason: str, version: str | None = None, unscored: int = 0) -> Scoring:
    return Scoring(NAME, version, None, 0, 0, (), skipped=reason, unscored=unscored)


def _load(context: ScoringContext) -> tuple[OutbreakModel, str, tuple[str, ...]] | str:
    """The serving model, its version and syndromes, or why there is none and how to fix it."""
    try:
        stored = context.registry.load(NAME)
        syndromes = tuple(str(s) for s in stored.serving.get("syndromes", SYNDROMES))
        return OutbreakModel.from_stored(stored), stored.version, syndromes
    except MLError as error:  # never trained, damaged, or trained with other syndromes
        return unloadable(NAME, error)


def _proposal(
    gu: str, syndrome: str, day: date, scored: OutbreakScore, detail: dict[str, Any]
) -> dict[str, Any]:
    return {
        "gu": gu,
        "syndrome": syndrome,
        "day": day.isoformat(),
        "score": round(scored.score, 4),
        "threshold": round(scored.threshold, 4),
        **detail,
        "notice": NOTICE,
    }


async def score(context: ScoringContext) -> Scoring:
    """Score every gu and syndrome on the Seoul day before `context.now` (aware); see the
    module. Skipped (nothing written, the reason in `skipped`) when the model is not trained or
    damaged, the graph holds no gu, or no gu has a count in the WINDOW_DAYS days read.
    """
    loaded = await asyncio.to_thread(_load, context)  # reads and parses the booster
    if isinstance(loaded, str):
        return _skipped(loaded)
    model, version, syndromes = loaded
    neighbours = await gu_neighbours(context.graph)
    if not neighbours:
        return _skipped("the graph holds no gu (District nodes): run `civicgraph seed`", version)
    day = city_day(context.now) - timedelta(days=1)
    last = epoch_day(day)
    rows = await counts_between(context.records, last - WINDOW_DAYS + 1, last)
    table = CountTable.of(rows, day, last, WINDOW_DAYS)
    with_data = table.has_data()
    scored_gu = sorted(code for code in neighbours if code in with_data)
    unscored = len(neighbours) - len(scored_gu)
    if not scored_gu:
        return _skipped(
            f"no gu has syndromic counts in the {WINDOW_DAYS} days up to {day.isoformat()}: "
            "the counts come from the syndromic feed (`civicgraph seed`)",
            version,
            unscored,
        )
    subjects = [(gu, syndrome) for gu in scored_gu for syndrome in syndromes]
    near = {gu: [n for n in neighbours[gu] if n in with_data] for gu in scored_gu}

    def score_windows() -> list[OutbreakScore]:
        windows = [table.window(gu, syndrome, model.streams, near[gu]) for gu, syndrome in subjects]
        return model.score_many(windows)

    scores = await asyncio.to_thread(score_windows)  # CPU work, off the event loop
    start, end = (int(moment.timestamp()) for moment in day_span(day))
    at = int(context.now.timestamp())
    predictions: list[PredictionRow] = []
    alarms: list[tuple[str, str, OutbreakScore, dict[str, Any]]] = []
    for (gu, syndrome), scored in zip(subjects, scores, strict=True):
        counts, ratios = table.day_figures(gu, syndrome, model.streams)
        detail = {"counts": counts, "baseline_ratio": ratios, "neighbours": near[gu]}
        predictions.append(
            PredictionRow(
                NAME,
                version,
                KIND,
                f"{gu}/{syndrome}",
                gu,
                start,
                end,
                scored.score,
                scored.alarm,
                proposal_json(detail).decode(),
                at,
            )
        )
        if scored.alarm:
            alarms.append((gu, syndrome, scored, detail))
    proposed = 0
    for gu, syndrome, scored, detail in alarms:  # before the rows: a re-run after a failure in
        # between scores the day again, and `propose` keeps one pending review per subject
        created = await propose(
            context.records,
            kind=ReviewKind.OUTBREAK_ALARM,
            model=NAME,
            model_version=version,
            subject=f"{gu}/{syndrome}@{day.isoformat()}",
            district_code=gu,
            proposal=_proposal(gu, syndrome, day, scored, detail),
            at=context.now,
        )
        proposed += created.created
    written = await put_predictions(context.records, predictions)
    alarm_rows = tuple(await predictions_in_window(context.records, KIND, start, alarms_only=True))
    return Scoring(NAME, version, start, written, proposed, alarm_rows, unscored=unscored)
