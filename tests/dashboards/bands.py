"""The platform's reading bands as `readingBands` answers them, for the figure builders' tests:
the real table (subscriptions/bands.py), not a copy that could drift from it."""

from __future__ import annotations

from typing import Any

from subscriptions.bands import READING_BANDS


def published(data_type: str | None = None) -> list[dict[str, Any]]:
    """`readingBands { dataType name lower upper source fromHour toHour }` rows, all or those of
    `data_type` (a `DataType` value such as "PM25")."""
    rows = [
        {
            "dataType": band.data_type.upper(),
            "name": band.name,
            "lower": band.lower,
            "upper": band.upper,
            "source": band.source,
            "fromHour": band.hours[0] if band.hours else None,
            "toHour": band.hours[1] if band.hours else None,
        }
        for band in READING_BANDS
    ]
    return [r for r in rows if data_type is None or r["dataType"] == data_type]
