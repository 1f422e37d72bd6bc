"""A poll's turnout by gu as callers below analyst may see it: small cells withheld, and enough
others with them that the poll's exact total does not give a withheld cell back.

Turnout counts people (voters of a gu), so a gu with 1 to 4 ballots is withheld
(resolvers/core/statistics.py, k = 5). `totalBallots` and the tally are published exactly, so a
lone withheld cell would be the total minus the shown ones: further cells are withheld,
smallest first, until the withheld cells are at least two and hold at least 5 ballots together
(complementary suppression, as statistical offices do). What stays public is the sum of the
withheld cells; when the whole poll has under 5 ballots that sum is under 5 too.
"""

from __future__ import annotations

from collections.abc import Mapping

from resolvers.core.statistics import SMALL_CELL, published


def turnout_cells(
    turnout: Mapping[str, int], *, sees_small_cells: bool
) -> list[tuple[str, int | None]]:
    """(gu code, ballots or None when withheld) for each gu of `turnout`, in gu-code order.

    Requires every count >= 1 (a gu without ballots is absent). Exact for analysts."""
    ordered = sorted(turnout.items())
    if sees_small_cells:
        return [(gu, count) for gu, count in ordered]
    withheld = {gu for gu, count in ordered if published(count, sees_small_cells=False) is None}
    if withheld:
        shown = sorted((count, gu) for gu, count in ordered if gu not in withheld)
        while shown and (len(withheld) < 2 or sum(turnout[gu] for gu in withheld) < SMALL_CELL):
            withheld.add(shown.pop(0)[1])
    return [(gu, None if gu in withheld else count) for gu, count in ordered]
