"""Resident counts as sums of one published table: cells of dong x birth year, randomly rounded.

Every answer below the analyst tier is the sum of the published cells it covers (a gu is the sum
of its dong's cells, a year range the sum of its years), so any combination of answers is a
function of the one published table and differencing them yields published cells only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from resolvers.core.rounding import RandomRounding

TABLE = "residents"
"""The published table's name, the first coordinate of each cell's id (see `RandomRounding`)."""


@dataclass(frozen=True)
class ResidentCell:
    """The finest cell a public answer may use: the residents of one dong born in one year."""

    gu: str
    dong: str | None
    birth_year: int | None
    count: int
    """The true count (>= 1: empty cells are not stored, and publish as 0)."""

    @property
    def cell_id(self) -> tuple[str, str, str | None, int | None]:
        return (TABLE, self.gu, self.dong, self.birth_year)

    def covered_by(self, dong: str | None, born_from: int | None, born_to: int | None) -> bool:
        """Whether a query for `dong` (None: the whole gu) and [born_from, born_to] counts this
        cell. A cell of unknown birth year is counted only by a query without year bounds."""
        if dong is not None and self.dong != dong:
            return False
        if born_from is None and born_to is None:
            return True
        if self.birth_year is None:
            return False
        return (born_from is None or self.birth_year >= born_from) and (
            born_to is None or self.birth_year <= born_to
        )


def resident_count(
    cells: Iterable[ResidentCell],
    dong: str | None,
    born_from: int | None,
    born_to: int | None,
    rounding: RandomRounding | None,
) -> int:
    """Residents of a gu's `cells` in `dong` (None: the whole gu) born in [born_from, born_to].

    With `rounding` (public and developer tiers): the sum of the covered cells' published values,
    a multiple of the rounding base. Without (analyst and operator): the exact count.
    """
    covered = [c for c in cells if c.covered_by(dong, born_from, born_to)]
    if rounding is None:
        return sum(c.count for c in covered)
    return sum(rounding.publish(c.cell_id, c.count) for c in covered)
