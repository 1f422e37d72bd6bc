"""The outbreak model's inputs from the platform: the graph's gu and their neighbours, and each
gu and syndrome's recent daily counts from `syndromic_count` as the windows it scores.

Neighbours are the graph's ADJACENT_TO relationships between gu (the seed draws them from the
real boundaries, `seeds.districts.adjacent_pairs`, the same pairs `ml.features.gu_adjacency`
gives the generator and training). A day without a row, or with a row the feed marked missing,
is NaN to the model; a negative count (never written by `put_counts`) is treated as missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from graph.query import Hop, NodeQuery
from graph.records.syndromic import SyndromicCountRow
from graph.store import GraphStore
from ml.outbreak import SeriesWindow

ADJACENT = Hop("ADJACENT_TO", "District", "District", target_equals={"level": ["gu"]})
WEEKS = 4
"""A day's baseline: the mean of the same weekday over the weeks before it."""


async def gu_neighbours(graph: GraphStore) -> dict[str, tuple[str, ...]]:
    """Every gu in the graph (District nodes of level "gu") → its ADJACENT_TO gu, sorted; two
    queries. Empty when the graph holds no gu."""
    nodes = await graph.find_nodes(NodeQuery("District", equals={"level": ["gu"]}))
    codes = [str(node["code"]) for node in nodes]
    if not codes:
        return {}
    near = await graph.neighbors(ADJACENT, codes)
    return {
        code: tuple(sorted(str(n["code"]) for n in near.get(code, []) if n["code"] != code))
        for code in codes
    }


@dataclass(frozen=True)
class CountTable:
    """The counts of `days` consecutive Seoul days ending on `end` (day number `last`):
    `series[(gu, syndrome, stream)]` a float array of length `days`, oldest first, NaN where
    there is no count."""

    end: date
    last: int
    days: int
    series: Mapping[tuple[str, str, str], np.ndarray]

    @classmethod
    def of(cls, rows: Sequence[SyndromicCountRow], end: date, last: int, days: int) -> CountTable:
        """The table of `rows` (from `counts_between(last − days + 1, last)`); rows outside
        that range are ignored."""
        series: dict[tuple[str, str, str], np.ndarray] = {}
        first = last - days + 1
        for row in rows:
            if not first <= row.day <= last:
                continue
            key = (row.district_code, row.syndrome, row.stream)
            values = series.get(key)
            if values is None:
                values = series[key] = np.full(days, np.nan)
            if row.count is not None and row.count >= 0:
                values[row.day - first] = float(row.count)
        return cls(end, last, days, series)

    def has_data(self) -> set[str]:
        """The gu with at least one count in the table."""
        return {key[0] for key, values in self.series.items() if not np.isnan(values).all()}

    def values(self, gu: str, syndrome: str, stream: str) -> np.ndarray:
        """That series' counts (all NaN when the feed sent none)."""
        found = self.series.get((gu, syndrome, stream))
        return found if found is not None else np.full(self.days, np.nan)

    def window(
        self, gu: str, syndrome: str, streams: Sequence[str], neighbours: Sequence[str]
    ) -> SeriesWindow:
        """The model's window of (gu, syndrome) ending on `end`, with `neighbours`' series."""

        def listed(values: np.ndarray) -> list[float | None]:
            return [None if np.isnan(v) else float(v) for v in values]

        return SeriesWindow(
            end=self.end,
            own={s: listed(self.values(gu, syndrome, s)) for s in streams},
            neighbours={
                s: [listed(self.values(n, syndrome, s)) for n in neighbours] for s in streams
            },
        )

    def day_figures(
        self, gu: str, syndrome: str, streams: Sequence[str]
    ) -> tuple[dict[str, int | None], dict[str, float | None]]:
        """The last day's count per stream and its ratio to the mean of the same weekday of
        the WEEKS weeks before (None where either is missing or the baseline is 0)."""
        counts: dict[str, int | None] = {}
        ratios: dict[str, float | None] = {}
        for stream in streams:
            values = self.values(gu, syndrome, stream)
            today = values[-1]
            lags = [values[-1 - 7 * w] for w in range(1, WEEKS + 1) if 7 * w < self.days]
            seen = [v for v in lags if not np.isnan(v)]
            usual = float(np.mean(seen)) if seen else float("nan")
            counts[stream] = None if np.isnan(today) else int(today)
            ratios[stream] = (
                round(float(today) / usual, 3)
                if not np.isnan(today) and not np.isnan(usual) and usual > 0
                else None
            )
        return counts, ratios
