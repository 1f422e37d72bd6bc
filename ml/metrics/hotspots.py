"""Hit rate and the predictive accuracy index (PAI) of hotspot maps.

PAI = hit rate ÷ area share (Chainey, Tompson & Uhlig 2008, "The utility of hotspot mapping for
predicting spatial patterns of crime", Security Journal 21:4–28, eq. 1): the share of the
incidents that fall in the flagged cells divided by the share of the area those cells cover.
Hotspots here are chosen per hour of the week (the `area_share` of cells with the highest scores
for that hour, ties broken by the lower cell index), and the hits of every hour are pooled, as in
the daily maps of Mohler et al. 2015 (JASA 110:1399). Every cell has the same area
(ml.hotspot_grid), so an area share is a share of cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.errors import MLError


class AreaShareOutOfRange(MLError):
    """An area share outside (0, 1]."""


@dataclass(frozen=True)
class HotspotScore:
    """Pooled over hours: `hits` (incidents, or expected incidents, in the flagged cells), `total`,
    `hit_rate` = hits / total (0 when total is 0), `area_share` the flagged cells' share of
    cells, `pai` = hit_rate / area_share."""

    hits: float
    total: float
    hit_rate: float
    area_share: float
    pai: float


def cells_flagged(n_cells: int, area_share: float) -> int:
    """How many cells cover `area_share` of `n_cells` equal cells: round, at least 1.

    Raises AreaShareOutOfRange unless 0 < area_share ≤ 1.
    """
    if not 0.0 < area_share <= 1.0:
        raise AreaShareOutOfRange(f"an area share is in (0, 1], not {area_share}")
    return max(1, round(area_share * n_cells))


def top_cells(scores: np.ndarray, area_share: float) -> np.ndarray:
    """Indices of the highest-scoring cells covering `area_share` of the cells, best first.

    `scores` (n_cells,); ties go to the lower index (a stable order, so equal maps give equal
    hotspots).
    """
    k = cells_flagged(len(scores), area_share)
    return np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:k]


def hotspot_score(scores: np.ndarray, outcomes: np.ndarray, area_share: float) -> HotspotScore:
    """Hit rate and PAI of per-hour hotspot maps.

    `scores` and `outcomes` are (hours, n_cells): the map's score of each cell for each hour and
    what happened there (recorded incidents, or the true expected incidents); the top
    `area_share` of cells of each hour's map are flagged.
    """
    if scores.shape != outcomes.shape or scores.ndim != 2:
        raise ValueError(f"scores {scores.shape} and outcomes {outcomes.shape} differ")
    k = cells_flagged(scores.shape[1], area_share)
    # a stable sort of the negated scores puts ties in index order, as top_cells does
    if scores.strides[0] == 0:  # one map for every hour (a broadcast view): rank it once
        flagged = np.broadcast_to(top_cells(scores[0], area_share), (len(scores), k))
    else:
        flagged = np.argsort(-np.asarray(scores, dtype=float), axis=1, kind="stable")[:, :k]
    hits = float(np.take_along_axis(np.asarray(outcomes, dtype=float), flagged, axis=1).sum())
    total = float(outcomes.sum())
    share = k / scores.shape[1]
    rate = hits / total if total > 0 else 0.0
    return HotspotScore(hits, total, rate, share, rate / share)


def pooled(scores: list[HotspotScore]) -> HotspotScore:
    """The score of several evaluations (periods, cities) pooled: hits and totals summed.

    Requires every score to have the same area share.
    """
    hits = sum(s.hits for s in scores)
    total = sum(s.total for s in scores)
    share = scores[0].area_share
    rate = hits / total if total > 0 else 0.0
    return HotspotScore(hits, total, rate, share, rate / share)
