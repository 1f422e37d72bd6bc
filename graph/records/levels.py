"""Sound levels are averaged by energy, never arithmetically.

A level in decibels is `10·log10(p²/p₀²)`: the mean of a set of levels is the level of their
mean energy, the equivalent continuous sound pressure level `Leq = 10·log10(mean(10^(L/10)))`
of ISO 1996-1 (the same for an A-weighted level, LAeq), over equally spaced readings. The
arithmetic mean of dB understates it: 40 and 60 dB average to 57.0 dB, not 50. Every other data
type (PM, temperature, ...) keeps the arithmetic mean.

These build the SQL for both records dialects: `power` and `log10` are built into PostgreSQL
and into SQLite with its math functions (3.35+, the default build); `graph/records/db.py`
registers them on a SQLite connection that lacks them.
"""

from __future__ import annotations

LEVELS: frozenset[str] = frozenset({"noise"})
"""Data types that are sound levels in dB (`graph.ontology`: noise, dB(A))."""


def is_level(data_type: str) -> bool:
    """Whether `data_type`'s readings are sound levels (averaged by energy)."""
    return data_type in LEVELS


def summand(data_type: str, column: str) -> str:
    """SQL of what is summed to average `column`: its energy `power(10, L / 10.0)` for a
    level, the value itself otherwise (NULL stays NULL, so `sum`/`count` skip it alike)."""
    return f"power(10, {column} / 10.0)" if is_level(data_type) else column


def mean_of_sums(data_type: str, total: str, count: str) -> str:
    """SQL of the mean from a `total` of `summand`s over `count` readings (count > 0): the
    equivalent level `10 * log10(total / count)` for a level, `total / count` otherwise."""
    mean = f"{total} / {count}"
    return f"10 * log10({mean})" if is_level(data_type) else mean


def mean(data_type: str, column: str) -> str:
    """SQL of the aggregate mean of `column` (NULL when no row has a value): the equivalent
    level for a level, `avg` otherwise."""
    energy = f"avg({summand(data_type, column)})"
    return f"10 * log10({energy})" if is_level(data_type) else f"avg({column})"
