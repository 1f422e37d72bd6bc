"""The one table of reading bands: contiguous per data type, and what the alert rules raise at."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import groupby, pairwise

from subscriptions.alerts import RULES
from subscriptions.bands import READING_BANDS, band_of, lower_of

NOON = datetime(2026, 11, 30, 3, tzinfo=UTC)
"""12:00 in Seoul (UTC+9)."""
MIDNIGHT = datetime(2026, 11, 30, 15, tzinfo=UTC)
"""00:00 in Seoul."""


def test_each_data_type_bands_are_contiguous_from_zero_to_no_end() -> None:
    for _, group in groupby(READING_BANDS, key=lambda b: (b.data_type, b.hours)):
        bands = list(group)
        assert bands[0].lower == 0
        assert bands[-1].upper is None
        assert all(a.upper == b.lower for a, b in pairwise(bands))


def test_a_value_falls_in_the_band_that_starts_at_or_below_it() -> None:
    assert [band_of("pm25", v, NOON) for v in (0, 15.9, 16, 35.9, 36, 76, 900)] == [
        "Good",
        "Good",
        "Moderate",
        "Moderate",
        "Unhealthy",
        "Very unhealthy",
        "Very unhealthy",
    ]
    assert band_of("pm10", 80.5, MIDNIGHT) == "Moderate"
    assert band_of("pm25", None, NOON) is None
    assert band_of("pm25", -1, NOON) is None
    assert band_of("humidity", 50, NOON) is None


def test_noise_is_graded_by_the_day_limits_by_day_and_the_night_limits_by_night() -> None:
    # 55 dB(A) is the residential day limit and the roadside night limit
    assert band_of("noise", 54.9, NOON) == "Within day limit"
    assert band_of("noise", 55, NOON) == "Over residential day limit"
    assert band_of("noise", 65, NOON) == "Over roadside day limit"
    assert band_of("noise", 44.9, MIDNIGHT) == "Within night limit"
    assert band_of("noise", 55, MIDNIGHT) == "Over roadside night limit"
    # the day is 06:00-22:00 in Seoul: 21:59 is day, 22:00 and 05:59 night, 06:00 day
    seoul = {hour: datetime(2026, 11, 30, hour, tzinfo=UTC) for hour in range(24)}
    at = {h: seoul[(h - 9) % 24] for h in (5, 6, 21, 22)}
    assert [band_of("noise", 50, at[h]) for h in (5, 6, 21, 22)] == [
        "Over residential night limit",
        "Within day limit",
        "Within day limit",
        "Over residential night limit",
    ]


def test_the_alert_rules_raise_where_the_bands_start() -> None:
    raised = {rule.data_type: [band.raise_at for band in rule.bands] for rule in RULES}
    assert raised == {
        "pm25": [lower_of("pm25", "Unhealthy"), lower_of("pm25", "Very unhealthy")],
        "pm10": [lower_of("pm10", "Unhealthy"), lower_of("pm10", "Very unhealthy")],
        "noise": [
            lower_of("noise", "Over residential night limit"),
            lower_of("noise", "Over roadside night limit"),
        ],
    }
    assert raised["pm25"] == [36, 76]
    assert raised["pm10"] == [81, 151]
    assert raised["noise"] == [45, 55]
