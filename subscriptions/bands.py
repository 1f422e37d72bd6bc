"""The bands the platform grades readings by: one table, read by the alert rules
(subscriptions/alerts.py) and served as `readingBands` (resolvers/sensing).

PM2.5 and PM10 follow Korea's Comprehensive Air-quality Index (CAI, 통합대기환경지수) of the
Korea Environment Corporation (airkorea.or.kr): its sub-index breakpoints on 24-hour mean
concentrations in ㎍/㎥ (Good 0-15 / 0-30, Moderate 16-35 / 31-80, Unhealthy 36-75 / 81-150,
Very unhealthy 76+ / 151+). Noise follows Korea's environmental noise standard (환경정책기본법
시행령 별표 1, Leq dB(A)) for a general residential area (나 지역) and beside its roads: 55 and
65 by day (06:00-22:00), 45 and 55 by night (22:00-06:00), so noise has two sets of bands, each
in force for its hours of the Seoul day. Sources: ../shared/reference/seoul-domain-facts.md §2.

A band holds the values in [lower, upper): the CAI's integer ranges made continuous, so 15.5
㎍/㎥ is still Good and 36 starts Unhealthy, as the alert rules raise at 36. The top band has
no upper end (the CAI's index stops at 500, concentrations do not).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from graph.city_day import in_hours

CAI_SOURCE = (
    "Korea Environment Corporation, Comprehensive Air-quality Index (CAI) {} sub-index "
    "breakpoints, 24-hour mean ㎍/㎥ (airkorea.or.kr)"
)
NOISE_SOURCE = (
    "Korea environmental noise standard (환경정책기본법 시행령 별표 1), Leq dB(A): general "
    "residential area (나) 55 by day (06:00-22:00) and 45 by night (22:00-06:00), its roadside "
    "65 and 55"
)
DAY_HOURS, NIGHT_HOURS = (6, 22), (22, 6)
"""The noise standard's day and night as [from, to) hours of the Seoul clock (night wraps)."""

GOOD, MODERATE, UNHEALTHY, VERY_UNHEALTHY = "Good", "Moderate", "Unhealthy", "Very unhealthy"
"""The CAI's English band names (AirKorea): 좋음, 보통, 나쁨, 매우나쁨."""
WITHIN_DAY_LIMIT = "Within day limit"
OVER_RESIDENTIAL_DAY = "Over residential day limit"
OVER_ROADSIDE_DAY = "Over roadside day limit"
WITHIN_NIGHT_LIMIT = "Within night limit"
OVER_RESIDENTIAL_NIGHT = "Over residential night limit"
OVER_ROADSIDE_NIGHT = "Over roadside night limit"


@dataclass(frozen=True)
class ReadingBand:
    """Values of `data_type` in [lower, upper) (upper None: no end), named as the source does,
    in force during `hours` of the Seoul clock ([from, to), wrapping past midnight; None: all
    day)."""

    data_type: str
    name: str
    lower: float
    upper: float | None
    source: str
    hours: tuple[int, int] | None = None

    def holds(self, value: float) -> bool:
        return self.lower <= value and (self.upper is None or value < self.upper)

    def in_force(self, at: datetime) -> bool:
        """Whether the band applies at `at` (an aware datetime), by its hour in Seoul."""
        return self.hours is None or in_hours(at, self.hours)


def _bands(
    data_type: str,
    source: str,
    starts: tuple[tuple[str, float], ...],
    hours: tuple[int, int] | None = None,
) -> list[ReadingBand]:
    """Contiguous bands from (name, lower) pairs in ascending order."""
    uppers = [lower for _, lower in starts[1:]] + [None]
    return [
        ReadingBand(data_type, name, lower, upper, source, hours)
        for (name, lower), upper in zip(starts, uppers, strict=True)
    ]


READING_BANDS: tuple[ReadingBand, ...] = (
    *_bands(
        "pm25",
        CAI_SOURCE.format("PM2.5"),
        ((GOOD, 0), (MODERATE, 16), (UNHEALTHY, 36), (VERY_UNHEALTHY, 76)),
    ),
    *_bands(
        "pm10",
        CAI_SOURCE.format("PM10"),
        ((GOOD, 0), (MODERATE, 31), (UNHEALTHY, 81), (VERY_UNHEALTHY, 151)),
    ),
    *_bands(
        "noise",
        NOISE_SOURCE,
        ((WITHIN_DAY_LIMIT, 0), (OVER_RESIDENTIAL_DAY, 55), (OVER_ROADSIDE_DAY, 65)),
        DAY_HOURS,
    ),
    *_bands(
        "noise",
        NOISE_SOURCE,
        ((WITHIN_NIGHT_LIMIT, 0), (OVER_RESIDENTIAL_NIGHT, 45), (OVER_ROADSIDE_NIGHT, 55)),
        NIGHT_HOURS,
    ),
)
"""Every band, grouped by data type (and, for noise, by day then night), each group ascending
and contiguous from 0; at any moment one group per data type is in force."""


def band_of(data_type: str, value: float | None, at: datetime) -> str | None:
    """The name of the band holding `value` at the moment `at` (aware), or None for no value, a
    value below 0 or a data type without bands."""
    if value is None:
        return None
    for band in READING_BANDS:
        if band.data_type == data_type and band.in_force(at) and band.holds(value):
            return band.name
    return None


def lower_of(data_type: str, name: str) -> float:
    """Where the band `name` of `data_type` starts. Raises KeyError if there is no such band."""
    for band in READING_BANDS:
        if (band.data_type, band.name) == (data_type, name):
            return band.lower
    raise KeyError(f"no band {name!r} of {data_type!r}")
