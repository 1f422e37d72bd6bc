"""Counted cells of the indicator fields (`caseStatistics`, `alertStatistics`, `polls`' turnout…).

An indicator is a small table: each row a key (a gu code, a status, a service group) and a
count. A count of people (cases filed, ballots cast, certificates held) is published to a
caller who may not see personal data only when it covers at least SMALL_CELL people: a smaller
count is withheld (`count: null`, `suppressed: true`), as Seoul's public release and the usual
k-anonymity rule of official statistics (k = 5) do. A withheld count is never rounded to 0 and
no total is published from which it could be subtracted back unless the total itself is safe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import strawberry

SMALL_CELL = 5
"""Smallest count of people published without a key of the analyst tier (k = 5)."""


@strawberry.federation.type(
    shareable=True,
    description="One cell of an indicator table: a key and its count. A count under 5 people is "
    "withheld from callers without an analyst key (`count: null`, `suppressed: true`).",
)
class KeyCount:
    key: str
    count: int | None
    suppressed: bool


def published(count: int, *, sees_small_cells: bool) -> int | None:
    """`count`, or None when it is a small cell (1..SMALL_CELL-1) the caller may not see.

    Zero is published: an empty cell says nobody, which identifies nobody."""
    if sees_small_cells or count == 0 or count >= SMALL_CELL:
        return count
    return None


def cells(
    counts: Mapping[str, int] | Iterable[tuple[str, int]], *, sees_small_cells: bool
) -> list[KeyCount]:
    """The rows of one indicator table in the order given, small cells withheld as `published`
    decides."""
    pairs = counts.items() if isinstance(counts, Mapping) else counts
    rows = []
    for key, count in pairs:
        shown = published(count, sees_small_cells=sees_small_cells)
        rows.append(KeyCount(key=key, count=shown, suppressed=shown is None))
    return rows
