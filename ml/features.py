"""Features every model shares: the Korean calendar, hours of the week, and neighbouring gu.

Holidays are Korea's public holidays from the `holidays` package (substitute holidays
included); neighbours are the gu adjacency the seed computes from the real boundaries
(`seeds.districts.adjacent_pairs`), so a model sees the same city the graph holds.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import holidays
import numpy as np

from seeds.districts import adjacent_pairs, seoul_gu

HOURS_PER_WEEK = 168


@cache
def _korean_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("KR", years=year))


def is_korean_holiday(days: np.ndarray) -> np.ndarray:
    """True for each day (datetime64[D] array) that is a Korean public holiday."""
    as_dates = days.astype("datetime64[D]").astype(object)
    return np.fromiter(
        (d in _korean_holidays(d.year) for d in as_dates), dtype=bool, count=len(as_dates)
    )


def calendar_features(days: np.ndarray) -> dict[str, np.ndarray]:
    """Calendar features of each day (a datetime64[D] array), each an array of the same length.

    weekday (0 = Monday), weekend, Korean public holiday, and the day of the year as a point on
    the unit circle (so 31 December sits beside 1 January).
    """
    days = days.astype("datetime64[D]")
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    years = days.astype("datetime64[Y]")
    day_of_year = (days - years.astype("datetime64[D]")).astype(np.int64)
    angle = 2 * np.pi * day_of_year / 365.25
    return {
        "weekday": weekday.astype(np.int8),
        "weekend": weekday >= 5,
        "holiday": is_korean_holiday(days),
        "season_sin": np.sin(angle),
        "season_cos": np.cos(angle),
    }


def hour_of_week(times: np.ndarray, utc_offset_hours: int = 9) -> np.ndarray:
    """Hour of the week (0 = Monday 00:00 to 167) of each time (datetime64), in Seoul (UTC+9)."""
    hours = times.astype("datetime64[h]").astype(np.int64) + utc_offset_hours
    return ((hours + 3 * 24) % HOURS_PER_WEEK).astype(np.int16)


@cache
def gu_adjacency() -> tuple[tuple[str, ...], np.ndarray]:
    """The 25 gu codes in order and their adjacency matrix (25 × 25 bool, no self-loops)."""
    areas = seoul_gu()
    codes = tuple(a.code for a in areas)
    position = {code: i for i, code in enumerate(codes)}
    matrix = np.zeros((len(codes), len(codes)), dtype=bool)
    for a, b in adjacent_pairs(areas):
        matrix[position[a], position[b]] = matrix[position[b], position[a]] = True
    matrix.setflags(write=False)
    return codes, matrix


def neighbour_mean(values: np.ndarray, adjacency: np.ndarray) -> np.ndarray:
    """For values shaped (gu, …), each gu's mean over its neighbours, the same shape.

    A gu without neighbours gets its own values.
    """
    weights = adjacency.astype(float)
    counts = weights.sum(axis=1)
    flat = values.reshape(values.shape[0], -1).astype(float)
    summed = weights @ flat
    mean = np.where(counts[:, None] > 0, summed / np.maximum(counts, 1)[:, None], flat)
    return mean.reshape(values.shape)
