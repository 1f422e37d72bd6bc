"""The one table of reading bands: contiguous per data type, and what the alert rules raise at."""

from __future__ import annotations

from itertools import groupby, pairwise

from subscriptions.alerts import RULES
from subscriptions.bands import READING_BANDS, band_of, lower_of


def test_each_data_type_bands_are_contiguous_from_zero_to_no_end() -> None:
    for _, group in groupby(READING_BANDS, key=lambda b: b.data_type):
        bands = list(group)
        assert bands[0].lower == 0
        assert bands[-1].upper is None
        assert all(a.upper == b.lower for a, b in pairwise(bands))


def test_a_value_falls_in_the_band_that_starts_at_or_below_it() -> None:
    assert [band_of("pm25", v) for v in (0, 15.9, 16, 35.9, 36, 76, 900)] == [
        "Good",
        "Good",
        "Moderate",
        "Moderate",
        "Unhealthy",
        "Very unhealthy",
        "Very unhealthy",
    ]
    assert band_of("pm10", 80.5) == "Moderate"
    assert band_of("noise", 55) == "Over roadside night limit"
    assert band_of("pm25", None) is None
    assert band_of("pm25", -1) is None
    assert band_of("humidity", 50) is None


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
