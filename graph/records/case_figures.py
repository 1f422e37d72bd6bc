"""Figures of case closings from the case events: closed today and the median resolution time.

A case is closed by a `status_changed` event with status `closed`; it was requested at its
`received` event (the same instant as the Case node's `requested_at`). The graph keeps only a
case's latest state, so "when was it closed" is a question for the events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from graph.records.db import Records

CITY = "*"
"""The key of the city-wide median in `ClosingFigures.median_hours` (no gu code looks like it)."""

_HOURS = {
    "sqlite": "(julianday(closing.closed_at) - julianday(received.at)) * 24.0",
    "postgres": "EXTRACT(EPOCH FROM (closing.closed_at - received.at)) / 3600.0",
}
"""Hours from a case's request to its closing, in each dialect."""


@dataclass(frozen=True)
class ClosingFigures:
    """What `closing_figures` found."""

    closed_today: dict[str, int] = field(default_factory=dict)
    """gu code -> cases with a closing event since the start of today (gu without any absent)."""
    median_hours: dict[str, float] = field(default_factory=dict)
    """gu code (and `CITY`) -> median hours from request to closing of the cases resolved in
    the window (absent where none was)."""


async def closing_figures(
    records: Records,
    *,
    since: datetime,
    today: datetime,
    districts: Sequence[str] | None = None,
) -> ClosingFigures:
    """Closings per gu (only of `districts` when given), in one query.

    `closed_today`: cases with a closing event at or after `today`. `median_hours`: over the
    cases whose last closing event is at or after `since` and that were not reopened after
    it, the median of the hours from their `received` event to that closing (the mean of the
    two middle values for an even count), per gu and over them all (`CITY`). `since` and
    `today` are aware instants, `today` not before `since`.

    The window's closing events are read first, by the (status, kind, at) index (status
    first, so that the `received` lookup, by kind alone, keeps the case-id index), and
    materialized: left to itself SQLite plans the `GROUP BY case_id` on the case-id index and
    scans every case event (210 ms against 87 at scale 0.1, bench/README).
    """
    gu = list(districts) if districts is not None else []
    if districts is not None and not gu:
        return ClosingFigures()
    marks = records.placeholders(len(gu) + 2)
    where_gu = f" AND district_code IN ({', '.join(marks[1:-1])})" if gu else ""
    since_mark, today_mark = marks[0], marks[-1]
    params: list[object] = [since, *gu, today]
    sql = f"""
WITH closed AS MATERIALIZED (
  SELECT case_id, district_code, at FROM case_event
  WHERE kind = 'status_changed' AND status = 'closed' AND at >= {since_mark}{where_gu}
), closing AS (
  SELECT case_id, MAX(district_code) AS gu, MAX(at) AS closed_at FROM closed GROUP BY case_id
), resolved AS (
  SELECT closing.gu AS gu, {_HOURS[records.dialect]} AS hours
  FROM closing JOIN case_event received
    ON received.case_id = closing.case_id AND received.kind = 'received'
  WHERE NOT EXISTS (
    SELECT 1 FROM case_event later WHERE later.case_id = closing.case_id
      AND later.kind = 'status_changed' AND later.status <> 'closed'
      AND later.at > closing.closed_at)
), ranked AS (
  SELECT gu, hours, ROW_NUMBER() OVER (PARTITION BY gu ORDER BY hours) AS rn,
         COUNT(*) OVER (PARTITION BY gu) AS n FROM resolved
  UNION ALL
  SELECT '{CITY}' AS gu, hours, ROW_NUMBER() OVER (ORDER BY hours) AS rn,
         COUNT(*) OVER () AS n FROM resolved
)
SELECT gu, 'median' AS figure, AVG(hours) AS value FROM ranked
WHERE 2 * rn IN (n, n + 1, n + 2) GROUP BY gu
UNION ALL
SELECT gu, 'closed_today' AS figure, COUNT(*) AS value FROM closing
WHERE closed_at >= {today_mark} GROUP BY gu
"""
    figures = ClosingFigures()
    for row in await records.query(sql, params):
        if row["figure"] == "median":
            figures.median_hours[str(row["gu"])] = float(row["value"])
        else:
            figures.closed_today[str(row["gu"])] = int(row["value"])
    return figures
