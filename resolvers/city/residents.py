"""Resident counts as sums of one published table: cells of dong x birth year, randomly rounded.

Every answer below the analyst tier is the sum of the published cells it covers (a gu is the sum
of its dong's cells, a year range the sum of its years), so any combination of answers is a
function of the one published table and differencing them yields published cells only.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from resolvers.core.rounding import RandomRounding

TABLE = "residents"
"""The published table's name, the first coordinate of each cell's id (see `RandomRounding`)."""

TABLES_CACHED = 64
"""Gu tables remembered per process: the 25 gu, published and exact, with room for changes."""


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

    The definition, one pass over the cells: `ResidentTable` answers the same from prefix sums
    (a test checks they agree).

    With `rounding` (public and developer tiers): the sum of the covered cells' published values,
    a multiple of the rounding base. Without (analyst and operator): the exact count.
    """
    covered = [c for c in cells if c.covered_by(dong, born_from, born_to)]
    if rounding is None:
        return sum(c.count for c in covered)
    return sum(rounding.publish(c.cell_id, c.count) for c in covered)


@dataclass
class _Scope:
    """The cells of one dong (or of the whole gu) as prefix sums over birth years."""

    years: list[int] = field(default_factory=list)
    sums: list[int] = field(default_factory=list)
    """sums[i] = the values of years[:i]; sums[0] = 0."""
    unknown_year: int = 0

    def total(self) -> int:
        return self.sums[-1] + self.unknown_year

    def born(self, born_from: int | None, born_to: int | None) -> int:
        low = 0 if born_from is None else bisect_left(self.years, born_from)
        high = len(self.years) if born_to is None else bisect_right(self.years, born_to)
        return self.sums[high] - self.sums[low] if high > low else 0


class ResidentTable:
    """One gu's cells, published (or exact) once, answering any dong and year range by two
    binary searches: the same sums as `resident_count`, without a pass over the cells per
    answer. Built once per gu and request (aliases share it)."""

    def __init__(self, cells: Iterable[ResidentCell], rounding: RandomRounding | None) -> None:
        by_scope: dict[str | None, dict[int | None, int]] = {None: {}}
        for cell in cells:
            value = cell.count if rounding is None else rounding.publish(cell.cell_id, cell.count)
            scopes = [None] if cell.dong is None else [None, cell.dong]
            for scope in scopes:
                years = by_scope.setdefault(scope, {})
                years[cell.birth_year] = years.get(cell.birth_year, 0) + value
        self._scopes = {scope: _prefix(years) for scope, years in by_scope.items()}

    def count(self, dong: str | None, born_from: int | None, born_to: int | None) -> int:
        """Residents in `dong` (None: the whole gu) born in [born_from, born_to]; a cell of
        unknown birth year only without bounds (as `ResidentCell.covered_by`)."""
        scope = self._scopes.get(dong)
        if scope is None:
            return 0
        if born_from is None and born_to is None:
            return scope.total()
        return scope.born(born_from, born_to)


def _prefix(years: dict[int | None, int]) -> _Scope:
    known = sorted(year for year in years if year is not None)
    return _Scope(known, [0, *accumulate(years[year] for year in known)], years.get(None, 0))


_tables: OrderedDict[tuple[RandomRounding | None, frozenset[tuple[object, ...]]], ResidentTable]
_tables = OrderedDict()
_by_list: OrderedDict[int, tuple[Sequence[ResidentCell], RandomRounding | None, ResidentTable]] = (
    OrderedDict()
)


def resident_table(cells: Sequence[ResidentCell], rounding: RandomRounding | None) -> ResidentTable:
    """The table of one gu's `cells`, built once per process for each distinct cell set and
    rounding (a bounded LRU of `TABLES_CACHED`): a request pays for reading the cells and
    recognising them, not for publishing them again. A changed cell is a new cell set."""
    same = _by_list.get(id(cells))
    if same is not None and same[0] is cells and same[1] is rounding:
        return same[2]  # the very cells a store read was remembered for (ResidentCellsByGuLoader)
    key = (rounding, frozenset((c.gu, c.dong, c.birth_year, c.count) for c in cells))
    found = _tables.get(key)
    if found is not None:
        _tables.move_to_end(key)
        _remember_list(cells, rounding, found)
        return found
    table = _tables[key] = ResidentTable(cells, rounding)
    if len(_tables) > TABLES_CACHED:
        _tables.popitem(last=False)
    _remember_list(cells, rounding, table)
    return table


def _remember_list(
    cells: Sequence[ResidentCell], rounding: RandomRounding | None, table: ResidentTable
) -> None:
    """Recognise the same cells list object next time without hashing its cells (the entry
    holds the list, so its id cannot be reused while it is remembered)."""
    _by_list[id(cells)] = (cells, rounding, table)
    _by_list.move_to_end(id(cells))
    while len(_by_list) > TABLES_CACHED:
        _by_list.popitem(last=False)
