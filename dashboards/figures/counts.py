"""Counts of people as text. The API withholds a count under 5 (`null`, or a KeyCount cell with
`suppressed: true`; resolvers/core/statistics.py): it reads "under 5, withheld", never 0."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dashboards.i18n import Lang, number, t


def count_text(value: Any, lang: Lang) -> str:
    """A count, or the withheld-cell mark when the API withheld it (None)."""
    return t("panel.suppressed", lang) if value is None else number(value, lang)


def cell_text(cell: Mapping[str, Any] | None, lang: Lang) -> str:
    """A KeyCount cell's count as text; "–" for no cell, the withheld-cell mark for a withheld
    one."""
    if cell is None:
        return "–"
    if cell.get("suppressed") or cell.get("count") is None:
        return t("panel.suppressed", lang)
    return number(cell["count"], lang)
