"""Scoring the platform's own data with the serving models: what each run reads, writes, proposes.

Each model has a module here (`water`, `outbreak`, `hotspots`) with one entry point,
`async def score(context: ScoringContext) -> Scoring`, which reads the model's inputs from the
records and the graph (never from a side file), writes its predictions to `ml_prediction`
(graph/records/predictions.py), and queues what affects people for an analyst (ml/review.py):
water alarms, outbreak alarms, patrol allocations. Scoring never trains: a model that was never
trained, or whose registry entry is damaged, is skipped with the reason in `Scoring.skipped`.
Scoring the same `now` twice writes the same rows and proposes nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graph.records import Records
from graph.records.predictions import PredictionRow
from graph.store import GraphStore
from ml.errors import MLError, ModelNotTrained
from ml.registry import Registry

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
"""The earliest time a run may score as of: no platform data is older."""
CLOCK_SLACK = timedelta(hours=1)
"""How far past the clock a run may score as of (clocks of two hosts differ)."""


class ScoringTimeInvalid(MLError):
    """A time to score as of that is naive, before EARLIEST or past the clock (plus
    CLOCK_SLACK): a run in the future would write windows that hide the real newest ones."""


def scoring_time(moment: datetime, *, clock: datetime | None = None) -> datetime:
    """`moment` in UTC if a run may score as of it; ScoringTimeInvalid otherwise. `clock` is
    the present (default: now)."""
    if moment.tzinfo is None:
        raise ScoringTimeInvalid(f"{moment.isoformat()} has no offset: add Z for UTC")
    present = clock or datetime.now(UTC)
    if moment < EARLIEST or moment > present + CLOCK_SLACK:
        raise ScoringTimeInvalid(
            f"{moment.isoformat()} is outside {EARLIEST:%Y-%m-%d} to now: a run scores the "
            "data the platform holds up to that time, never the future"
        )
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class ScoringContext:
    """What a scoring run reads from: the stores, the model registry, and `now` (an aware UTC
    datetime, checked by `scoring_time` before a run: the run scores the windows its model
    scores at that moment: water the hours up to `now`, outbreak the Seoul day before `now`,
    hotspots the 24 hours from the last Seoul midnight)."""

    records: Records
    graph: GraphStore
    registry: Registry
    now: datetime


@dataclass(frozen=True)
class Scoring:
    """What one model's run did.

    `model` its name; `version` the version that scored (None when skipped); `window_start`
    the newest window written (epoch seconds, UTC) or None; `predictions` rows written;
    `proposed` new reviews queued (a review already pending for the same subject is not
    counted); `alarms` the newest window's rows with `alarm` set, for the `anomalies`
    subscription; `skipped` why nothing was scored (not trained, damaged, no data), else None;
    `unscored` subjects the run left out for lack of data (outbreak: gu without any count in
    the days read).
    """

    model: str
    version: str | None
    window_start: int | None
    predictions: int
    proposed: int
    alarms: tuple[PredictionRow, ...]
    skipped: str | None = None
    unscored: int = 0


def unloadable(name: str, error: MLError) -> str:
    """Why a run skips model `name`, whose serving version could not be loaded (`error`), and
    what to run about it, said once: never trained is its own message; for a damaged entry the
    fix its message names (a `current` naming no version: promote), else promote or train."""
    if isinstance(error, ModelNotTrained):
        return str(error)
    text = f"the {name} model's registry entry is damaged: {error}"
    if "`civicgraph ml " in text:
        return text
    return (
        f"{text}: `civicgraph ml promote {name} VERSION` serves another version "
        f"(`civicgraph ml versions {name}`), `civicgraph ml train {name}` a new one"
    )
