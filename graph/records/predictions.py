"""The models' outputs on platform data as records (`ml_prediction`): write a scoring's rows,
read the newest window of a kind, a subject's recent windows.

One row per (kind, subject, window_start): a station's hour (`water_anomaly`), a gu and
syndrome's day (`outbreak_risk`), a grid cell's hour (`hotspot_risk`). Scoring a window again
replaces its row, so a re-run after a new model version is promoted shows the new answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from graph.records.db import Records

TABLE = "ml_prediction"

KINDS = ("water_anomaly", "outbreak_risk", "hotspot_risk")
LAST_START = 253_402_300_799
"""9999-12-31T23:59:59Z: the last window start a datetime can hold (epoch seconds)."""
"""What a prediction scores: a water station's hour, a gu and syndrome's day, a cell's hour."""

MAX_HISTORY = 24 * 14
"""Most windows `subject_history` reads: two weeks of hourly windows."""


def is_window_start(value: int) -> bool:
    """Whether `value` (epoch seconds) can start a window: 1970 to the year 9999."""
    return 0 <= value <= LAST_START


@dataclass(frozen=True)
class PredictionRow:
    """One row of `ml_prediction`.

    `window_start`/`window_end`: epoch seconds, UTC, the window [start, end) scored; `score` in
    the model's unit (water and outbreak: probability 0–1; hotspots: expected incidents in the
    window); `alarm`: the score reached the model version's threshold (for hotspots: the cell is
    among the top cells of its map); `detail`: canonical JSON or None; `scored_at` epoch seconds.
    """

    model: str
    model_version: str
    kind: str
    subject: str
    district_code: str | None
    window_start: int
    window_end: int
    score: float
    alarm: bool
    detail: str | None
    scored_at: int


COLUMNS = tuple(f.name for f in fields(PredictionRow))
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM {TABLE}"
_REPLACED = tuple(c for c in COLUMNS if c not in ("kind", "subject", "window_start"))


def _prediction(row: dict[str, Any]) -> PredictionRow:
    return PredictionRow(
        **(
            row
            | {
                "window_start": int(row["window_start"]),
                "window_end": int(row["window_end"]),
                "score": float(row["score"]),
                "alarm": bool(row["alarm"]),
                "scored_at": int(row["scored_at"]),
            }
        )
    )


async def put_predictions(records: Records, rows: Sequence[PredictionRow]) -> int:
    """Write one scoring's rows in one transaction, each replacing the row of its (kind,
    subject, window_start) if there is one. Returns how many rows were written.

    Raises ValueError for a kind outside KINDS or a window that ends before it starts: a
    programming error of the scoring, never a user's.
    """
    for row in rows:
        if row.kind not in KINDS:
            raise ValueError(f"unknown prediction kind {row.kind!r}: the kinds are {KINDS}")
        if row.window_end <= row.window_start:
            raise ValueError(f"{row.subject}: the window ends at or before its start")
    if not rows:
        return 0
    marks = ", ".join(records.placeholders(len(COLUMNS)))
    updates = ", ".join(f"{c} = excluded.{c}" for c in _REPLACED)
    sql = (
        f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({marks}) "
        f"ON CONFLICT (kind, subject, window_start) DO UPDATE SET {updates}"
    )
    async with records.transaction() as client:
        await client.execute_many(sql, [[getattr(row, c) for c in COLUMNS] for row in rows])
    return len(rows)


def _where(
    records: Records, kind: str, district_code: str | None
) -> tuple[list[str], list[Any], int]:
    params: list[Any] = [kind]
    conditions = [f"kind = {records.placeholders(1)[0]}"]
    if district_code is not None:
        params.append(district_code)
        conditions.append(f"district_code = {records.placeholders(1, start=2)[0]}")
    return conditions, params, len(params) + 1


async def latest_window(
    records: Records, kind: str, district_code: str | None = None
) -> int | None:
    """The newest `window_start` of `kind` (in `district_code` if given), or None if none was
    scored. One index lookup on (kind[, district_code], window_start)."""
    conditions, params, _ = _where(records, kind, district_code)
    rows = await records.query(
        f"SELECT max(window_start) AS newest FROM {TABLE} WHERE {' AND '.join(conditions)}",
        params,
    )
    newest = rows[0]["newest"] if rows else None
    return int(newest) if newest is not None else None


async def predictions_in_window(
    records: Records,
    kind: str,
    window_start: int,
    *,
    district_code: str | None = None,
    alarms_only: bool = False,
    after: tuple[float, str] | None = None,
    limit: int = 1000,
) -> list[PredictionRow]:
    """The rows of one window of `kind`, highest score first (then by subject), at most `limit`
    (≥ 1), in `district_code` if given, only alarms if `alarms_only`; with `after` a (score,
    subject) key, only the rows past it in that order (keyset pages)."""
    conditions, params, next_mark = _where(records, kind, district_code)
    params.append(window_start)
    conditions.append(f"window_start = {records.placeholders(1, start=next_mark)[0]}")
    if alarms_only:
        conditions.append("alarm")
    if after is not None:
        s1, s2, x = records.placeholders(3, start=next_mark + 1)
        params.extend([after[0], after[0], after[1]])
        conditions.append(f"(score < {s1} OR (score = {s2} AND subject > {x}))")
    rows = await records.query(
        f"{_SELECT} WHERE {' AND '.join(conditions)} "
        f"ORDER BY score DESC, subject LIMIT {max(1, int(limit))}",
        params,
    )
    return [_prediction(row) for row in rows]


async def subject_history(
    records: Records, kind: str, subject: str, since: int, *, limit: int = MAX_HISTORY
) -> list[PredictionRow]:
    """A subject's windows of `kind` starting at or after `since` (epoch seconds), oldest
    first, at most `limit` (the newest ones if there are more)."""
    return (await subjects_history(records, kind, [subject], since, limit=limit))[subject]


async def subjects_history(
    records: Records, kind: str, subjects: Sequence[str], since: int, *, limit: int = MAX_HISTORY
) -> dict[str, list[PredictionRow]]:
    """`subject_history` of each of `subjects` in one query (on the kind, subject and window
    index): by subject, every one of `subjects` a key (an empty list for one without windows).
    Requires `since` to bound the rows: at most one window an hour per subject."""
    found: dict[str, list[PredictionRow]] = {subject: [] for subject in subjects}
    if not found:
        return found
    marks = records.placeholders(len(found) + 2)
    rows = await records.query(
        f"{_SELECT} WHERE kind = {marks[0]} AND window_start >= {marks[1]} "
        f"AND subject IN ({', '.join(marks[2:])}) ORDER BY subject, window_start",
        [kind, since, *found],
    )
    for row in rows:
        found[row["subject"]].append(_prediction(row))
    cap = max(1, int(limit))
    return {subject: history[-cap:] for subject, history in found.items()}


@dataclass(frozen=True)
class WindowSummary:
    """One window of a kind (in one gu, if asked): `rows` and `alarms` counted, its end (epoch
    seconds, UTC) and the model versions that scored it (one, unless a rescoring by a newer
    version replaced only some of its rows), sorted."""

    rows: int
    alarms: int
    window_end: int | None
    model_versions: tuple[str, ...]


async def window_summary(
    records: Records, kind: str, window_start: int, district_code: str | None = None
) -> WindowSummary:
    """Counts, end and versions of the window of `kind` starting at `window_start` (in
    `district_code` if given): one grouped query over the (kind[, district_code],
    window_start) index."""
    conditions, params, next_mark = _where(records, kind, district_code)
    params.append(window_start)
    conditions.append(f"window_start = {records.placeholders(1, start=next_mark)[0]}")
    rows = await records.query(
        "SELECT model_version, COUNT(*) AS n, "
        "SUM(CASE WHEN alarm THEN 1 ELSE 0 END) AS alarms, MAX(window_end) AS window_end "
        f"FROM {TABLE} WHERE {' AND '.join(conditions)} GROUP BY model_version",
        params,
    )
    ends = [int(row["window_end"]) for row in rows]
    return WindowSummary(
        rows=sum(int(row["n"]) for row in rows),
        alarms=sum(int(row["alarms"] or 0) for row in rows),
        window_end=max(ends) if ends else None,
        model_versions=tuple(sorted(str(row["model_version"]) for row in rows)),
    )


async def predictions_by_key(
    records: Records, keys: Sequence[tuple[str, str, int]]
) -> dict[tuple[str, str, int], PredictionRow]:
    """The rows of the (kind, subject, window_start) keys that exist, by key: one query (keys
    are matched as row values, which SQLite and PostgreSQL both read from the unique index)."""
    if not keys:
        return {}
    unique = list(dict.fromkeys(keys))
    marks = records.placeholders(3 * len(unique))
    tuples = ", ".join(
        f"({marks[3 * i]}, {marks[3 * i + 1]}, {marks[3 * i + 2]})" for i in range(len(unique))
    )
    rows = await records.query(
        f"{_SELECT} WHERE (kind, subject, window_start) IN ({tuples})",
        [value for key in unique for value in key],
    )
    found = [_prediction(row) for row in rows]
    return {(p.kind, p.subject, p.window_start): p for p in found}
