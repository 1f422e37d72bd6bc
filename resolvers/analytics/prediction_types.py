"""GraphQL types of the models' predictions on the platform's data (`ml_prediction`).

A prediction is one model's score of one subject over one window: a water station's hour
(`WATER_ANOMALY`), a gu and syndrome's Seoul day (`OUTBREAK_RISK`), a grid cell's window
(`HOTSPOT_RISK`). Its id is its key in the records: kind, window start and subject. The row's
`detail` (canonical JSON written by ml/scoring) is read once, into typed fields; the raw text is
never served.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import strawberry

from graph.records.predictions import MAX_HISTORY, PredictionRow, WindowSummary, is_window_start
from graph.records.readings import from_epoch
from resolvers.analytics.dataloaders import HistoryLoader, PredictionByKeyLoader, StationByIdLoader
from resolvers.analytics.errors import require_analyst
from resolvers.analytics.views import District
from resolvers.core.errors import ApiError, ApiErrorCode, not_found, quoted
from resolvers.core.info import Info
from resolvers.core.pagination import Connection


@strawberry.enum(description="What a prediction scores, and so which model made it.")
class PredictionKind(StrEnum):
    WATER_ANOMALY = "water_anomaly"
    """A Han River water-quality station's hour (model `water`): anomaly probability 0-1."""
    OUTBREAK_RISK = "outbreak_risk"
    """A gu and syndrome's Seoul day (model `outbreak`): outbreak probability 0-1."""
    HOTSPOT_RISK = "hotspot_risk"
    """A ≈250 m grid cell's window (model `hotspots`): expected recorded incidents."""


MAX_HISTORY_HOURS = MAX_HISTORY
"""The longest history asked for: two weeks, so that even hourly windows stay within the rows
`subjects_history` keeps."""


def prediction_id(kind: str, window_start: int, subject: str) -> str:
    """A prediction's id: `<kind>/<window start, epoch seconds UTC>/<subject>` (the subject last,
    since it may hold `/` itself, as `<gu>/<syndrome>` does)."""
    return f"{kind}/{window_start}/{subject}"


def prediction_key(text: str) -> tuple[str, str, int] | None:
    """The (kind, subject, window_start) key of a `prediction_id`, None for any other text."""
    kind, _, rest = text.partition("/")
    start, _, subject = rest.partition("/")
    if kind not in {k.value for k in PredictionKind} or not subject:
        return None
    if not start.isascii() or not start.isdigit() or len(start) > 12:
        return None
    if not is_window_start(int(start)):
        return None
    return kind, subject, int(start)


@strawberry.type(
    description="One water measure that moved in a station's hour (model `water`), furthest "
    "from its expectation first."
)
class MovedMeasure:
    measure: str = strawberry.field(
        description="dissolved_oxygen, total_nitrogen, total_phosphorus, turbidity, "
        "water_temperature or ph."
    )
    z: float | None = strawberry.field(
        description="How far it was from its expectation, in standard deviations (signed, to 0.1)."
    )


@dataclass(frozen=True)
class Detail:
    """What a row's detail JSON says, typed; absent or malformed parts are None."""

    lat: float | None = None
    lon: float | None = None
    syndrome: str | None = None
    peak_hour: int | None = None
    measures: tuple[MovedMeasure, ...] | None = None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _measures(value: Any) -> tuple[MovedMeasure, ...] | None:
    """The detail's `[{"measure": name, "z": z-score}, …]` (ml/scoring/water.py); items of any
    other shape are left out, a value that is no list is None."""
    if not isinstance(value, list):
        return None
    return tuple(
        MovedMeasure(measure=item["measure"], z=_number(item.get("z")))
        for item in value
        if isinstance(item, dict) and isinstance(item.get("measure"), str)
    )


def read_detail(row: PredictionRow) -> Detail:
    """The typed fields of `row.detail` for its kind: hotspots' cell centre and peak hour,
    water's moved measures, outbreak's syndrome (from the detail, else the subject's
    `<gu>/<syndrome>`)."""
    try:
        data = json.loads(row.detail) if row.detail else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    if row.kind == PredictionKind.HOTSPOT_RISK.value:
        hour = data.get("peak_hour")
        return Detail(
            lat=_number(data.get("lat")),
            lon=_number(data.get("lon")),
            peak_hour=hour if isinstance(hour, int) and not isinstance(hour, bool) else None,
        )
    if row.kind == PredictionKind.OUTBREAK_RISK.value:
        syndrome = data.get("syndrome")
        if not isinstance(syndrome, str):
            syndrome = row.subject.partition("/")[2] or None
        return Detail(syndrome=syndrome)
    return Detail(measures=_measures(data.get("measures")) if "measures" in data else None)


@strawberry.federation.type(
    keys=["id"],
    description="One model's score of one subject over one window, written by a scoring run "
    "(`civicgraph ml score`, or the server's scheduled scoring): analyst tier or above.",
)
class Prediction:
    id: strawberry.ID = strawberry.field(
        description="`<kind>/<window start, epoch seconds>/<subject>`: the same window of the "
        "same subject keeps its id when it is scored again."
    )
    kind: PredictionKind
    model: str = strawberry.field(
        description="The model that scored it: water, outbreak, hotspots."
    )
    model_version: str = strawberry.field(description="The version that scored it.")
    subject: str = strawberry.field(
        description="What was scored: a water station's sensor id, `<gu code>/<syndrome>`, a "
        "grid cell id."
    )
    district_code: str | None = strawberry.field(description="Its gu's code, if it has one.")
    window_start: datetime = strawberry.field(description="The window scored starts here (UTC).")
    window_end: datetime = strawberry.field(description="… and ends here (exclusive, UTC).")
    score: float = strawberry.field(
        description="WATER_ANOMALY and OUTBREAK_RISK: a probability 0-1; HOTSPOT_RISK: the "
        "expected recorded incidents in the window."
    )
    alarm: bool = strawberry.field(
        description="WATER_ANOMALY, OUTBREAK_RISK: the score reached the model version's "
        "threshold; HOTSPOT_RISK: the cell is among the top 5 % of the area."
    )
    scored_at: datetime = strawberry.field(description="When it was scored (UTC).")
    syndrome: str | None = strawberry.field(
        description="OUTBREAK_RISK: the syndrome (respiratory, gastrointestinal, "
        "influenza_like); null for the other kinds."
    )
    peak_hour: int | None = strawberry.field(
        description="HOTSPOT_RISK: the hour of the window with the highest risk, as the "
        "scoring recorded it; null for the other kinds."
    )
    measures: list[MovedMeasure] | None = strawberry.field(
        description="WATER_ANOMALY: the measures that moved, if the scoring recorded them; "
        "null for the other kinds."
    )
    detail: strawberry.Private[Detail]

    @strawberry.field(description="Its gu, if it has one.")
    def district(self) -> District | None:
        return District(code=self.district_code) if self.district_code is not None else None

    @strawberry.field(
        description="Latitude (WGS84): a water station's position in the graph, a hotspot "
        "cell's centre; null for OUTBREAK_RISK."
    )
    async def lat(self, info: Info) -> float | None:
        return (await self._position(info))[0]

    @strawberry.field(description="Longitude (WGS84), as `lat`.")
    async def lon(self, info: Info) -> float | None:
        return (await self._position(info))[1]

    async def _position(self, info: Info) -> tuple[float | None, float | None]:
        if self.kind is PredictionKind.WATER_ANOMALY:
            node = await info.context.loader(StationByIdLoader).load(self.subject)
            if node is None:
                return None, None
            return _number(node.get("lat")), _number(node.get("lon"))
        return self.detail.lat, self.detail.lon

    @strawberry.field(
        description="This subject's windows of the same kind that started in the last `hours` "
        "hours (1 to 336), oldest first, this one among them if it is that recent: one records "
        "query for all the predictions of an answer."
    )
    async def history(self, info: Info, hours: int = 48) -> list[Prediction]:
        return await history_of(info, self.kind.value, self.subject, hours)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Prediction:
        """Federation's `_entities` door: analyst tier, like every way to a prediction."""
        return await prediction_by_id(info, str(id))

    @classmethod
    def of(cls, row: PredictionRow) -> Prediction:
        detail = read_detail(row)
        return cls(
            id=strawberry.ID(prediction_id(row.kind, row.window_start, row.subject)),
            kind=PredictionKind(row.kind),
            model=row.model,
            model_version=row.model_version,
            subject=row.subject,
            district_code=row.district_code,
            window_start=from_epoch(row.window_start),
            window_end=from_epoch(row.window_end),
            score=row.score,
            alarm=row.alarm,
            scored_at=from_epoch(row.scored_at),
            syndrome=detail.syndrome,
            peak_hour=detail.peak_hour,
            measures=list(detail.measures) if detail.measures is not None else None,
            detail=detail,
        )


@strawberry.type(
    description="The newest scored window of a kind, highest score first (Relay pages), with "
    "the window itself: its start, end and the model version that scored it."
)
class PredictionConnection(Connection[Prediction]):
    window_start: datetime | None = strawberry.field(
        description="The window these predictions score (UTC); null when none was scored."
    )
    _summary: strawberry.Private[Callable[[], Awaitable[WindowSummary | None]]]

    @strawberry.field(description="The window's end (exclusive, UTC); null when none was scored.")
    async def window_end(self) -> datetime | None:
        summary = await self._summary()
        end = summary.window_end if summary is not None else None
        return from_epoch(end) if end is not None else None

    @strawberry.field(
        description="The model version that scored the window (the newest, if a rescoring "
        "replaced only some of its rows); null when none was scored."
    )
    async def model_version(self) -> str | None:
        summary = await self._summary()
        return max(summary.model_versions) if summary and summary.model_versions else None

    @strawberry.field(
        description="How many of the window's predictions (in the gu, if one is given) are "
        "alarms, whatever `alarmsOnly` says."
    )
    async def alarm_count(self) -> int:
        summary = await self._summary()
        return summary.alarms if summary is not None else 0


async def prediction_by_id(info: Info, text: str) -> Prediction:
    """A prediction by id. Raises FORBIDDEN below the analyst tier, INVALID for text that is
    not a prediction id, NOT_FOUND for one that names no row."""
    require_analyst(info, "prediction")
    key = prediction_key(text)
    if key is None:
        raise ApiError(
            ApiErrorCode.INVALID,
            f"{quoted(text)} is not a prediction id (<kind>/<window start>/<subject>)",
            "id",
        )
    found = await info.context.loader(PredictionByKeyLoader).load(key)
    if found is None:
        raise not_found("prediction", text, "id")
    return Prediction.of(found)


async def history_of(info: Info, kind: str, subject: str, hours: int) -> list[Prediction]:
    """`subject`'s windows of `kind` that started in the last `hours` hours, oldest first,
    batched per request (HistoryLoader). Raises OUT_OF_RANGE unless 1 <= hours <= 336."""
    if not 1 <= hours <= MAX_HISTORY_HOURS:
        raise ApiError(
            ApiErrorCode.OUT_OF_RANGE, f"hours must be between 1 and {MAX_HISTORY_HOURS}", "hours"
        )
    rows = await info.context.loader(HistoryLoader).load((kind, subject, hours))
    return [Prediction.of(row) for row in rows]
