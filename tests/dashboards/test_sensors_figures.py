"""The sensors page's figure builders: answers in, figure data and table rows out (no server)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dashboards import theme
from dashboards.figures import bands as band_rules
from dashboards.figures import sensors as figures
from subscriptions.alerts import RULES_BY_TYPE
from tests.dashboards.bands import published

PM25_BANDS = published("PM25")
BANDS = published()
NAMES = {"11680": "Gangnam-gu", "11110": "Jongno-gu"}


def bucket(start: str, avg: float | None, count: int = 30) -> dict[str, Any]:
    low = None if avg is None else avg - 5
    high = None if avg is None else avg + 5
    return {"start": start, "avg": avg, "min": low, "max": high, "count": count}


def test_series_draws_mean_range_and_every_band_below_the_top_named() -> None:
    # given two hourly buckets, the second with a mean in the Unhealthy band
    buckets = [bucket("2026-11-30T01:00:00+00:00", 20.0), bucket("2026-11-30T02:00:00+00:00", 40.0)]

    # when
    figure, rows = figures.series(buckets, BANDS, "PM25", "en")

    # then the mean line is in Seoul time, over a min-max range
    assert figure is not None
    mean = figure["data"][2]
    assert mean["x"] == ["2026-11-30 10:00", "2026-11-30 11:00"]
    assert mean["y"] == [20.0, 40.0]
    assert figure["data"][1]["fill"] == "tonexty"
    # bands up to the top (45 * 1.1 = 49.5): Good, Moderate, Unhealthy, shaded and named
    names = [a["text"] for a in figure["layout"]["annotations"]]
    assert names == ["Good", "Moderate", "Unhealthy"]
    rects = [s for s in figure["layout"]["shapes"] if s["type"] == "rect"]
    assert [(r["y0"], r["y1"]) for r in rects] == [
        (0.0, 16.0),
        (16.0, 36.0),
        (36.0, pytest.approx(49.5)),
    ]
    assert {r["fillcolor"] for r in rects} <= set(theme.BANDS)
    assert rows == [
        ["30 Nov 2026, 10:00", "20.0", "15.0", "25.0", "30", "Moderate"],
        ["30 Nov 2026, 11:00", "40.0", "35.0", "45.0", "30", "Unhealthy"],
    ]


def test_series_names_bands_in_korean() -> None:
    figure, rows = figures.series([bucket("2026-11-30T01:00:00+00:00", 10.0)], BANDS, "PM25", "ko")
    assert figure is not None
    # the top is 15 * 1.1 = 16.5: Moderate's lower bound (16) shows too
    assert [a["text"] for a in figure["layout"]["annotations"]] == ["좋음", "보통"]
    assert rows[0][-1] == "좋음"


def test_series_with_missing_buckets_leaves_gaps_and_dashes() -> None:
    buckets = [
        bucket("2026-11-30T01:00:00+00:00", 20.0),
        bucket("2026-11-30T02:00:00+00:00", None, count=0),
    ]
    figure, rows = figures.series(buckets, BANDS, "PM25", "en")
    assert figure is not None
    assert figure["data"][2]["y"] == [20.0, None]
    assert figure["data"][2]["connectgaps"] is False
    assert rows[1][1:] == ["–", "–", "–", "0", "–"]


@pytest.mark.parametrize(
    "buckets",
    [[], [bucket("2026-11-30T01:00:00+00:00", None, count=0)], None],
    ids=["no-buckets", "no-readings", "failed-source"],
)
def test_series_without_readings_is_no_figure(buckets: Any) -> None:
    assert figures.series(buckets or [], BANDS, "PM25", "en") == (None, [])


def test_series_of_a_type_without_bands_has_no_band_shapes() -> None:
    figure, rows = figures.series(
        [bucket("2026-11-30T01:00:00+00:00", 10.0)], BANDS, "TEMPERATURE", "en"
    )
    assert figure is not None
    assert figure["layout"]["shapes"] == []
    assert figure["layout"]["annotations"] == []
    assert rows[0][-1] == "–"
    assert figures.bands_note([], "TEMPERATURE", "en") == "No bands are defined for this data type."


def test_bands_note_names_every_band_with_bounds_as_the_standard_and_its_source() -> None:
    # the CAI writes its ranges in whole numbers: [0, 16) is "0–15"
    note = figures.bands_note(band_rules.of_type(BANDS, "PM25"), "PM25", "en")
    assert note.startswith(
        "Bands: Good 0–15 µg/m³, Moderate 16–35 µg/m³, Unhealthy 36–75 µg/m³, "
        "Very unhealthy ≥ 76 µg/m³. Korea Environment Corporation"
    )
    ko = figures.bands_note(band_rules.of_type(BANDS, "PM25"), "PM25", "ko")
    assert ko.startswith("등급 구간: 좋음 0–15 µg/m³, 보통 16–35 µg/m³")
    assert "한국환경공단" in ko
    assert "Korea" not in ko


def test_bands_note_names_noise_by_day_and_by_night() -> None:
    note = figures.bands_note(band_rules.of_type(BANDS, "NOISE"), "NOISE", "en")
    assert note.startswith(
        "Bands: by day 06:00–22:00: Within day limit under 55 dB, Over residential day limit "
        "55 to under 65 dB, Over roadside day limit ≥ 65 dB; by night 22:00–06:00: Within "
        "night limit under 45 dB, Over residential night limit 45 to under 55 dB, Over "
        "roadside night limit ≥ 55 dB."
    )
    ko = figures.bands_note(band_rules.of_type(BANDS, "NOISE"), "NOISE", "ko")
    # readings have decimals: 54.6 is under 55, in no gap between "0–54" and "55–64"
    assert (
        "낮 06:00–22:00: 주간 기준 이내 55 미만 dB, 주거지역 주간 기준 초과 55 이상 65 미만 dB"
        in ko
    )
    assert "Korea" not in ko


def test_the_band_holding_a_value_is_lower_inclusive_upper_exclusive() -> None:
    assert band_rules.holding(16.0, PM25_BANDS) == 1
    assert band_rules.holding(15.99, PM25_BANDS) == 0
    assert band_rules.holding(500.0, PM25_BANDS) == 3
    assert band_rules.holding(None, PM25_BANDS) is None
    assert band_rules.holding(-1.0, PM25_BANDS) is None


def test_a_noise_series_is_shaded_by_the_limits_in_force_each_hour() -> None:
    # given hourly noise buckets from 20:00 to 23:00 in Seoul, all at 50 dB(A)
    buckets = [bucket(f"2026-11-30T{h:02d}:00:00+00:00", 50.0) for h in (11, 12, 13, 14)]

    # when
    figure, rows = figures.series(buckets, BANDS, "NOISE", "en")

    # then 20:00-22:00 is shaded by the day limits and 22:00-24:00 by the night limits
    assert figure is not None
    rects = [s for s in figure["layout"]["shapes"] if s["type"] == "rect"]
    day = [(r["x0"], r["x1"], r["y0"]) for r in rects if r["x0"] == "2026-11-30 20:00"]
    night = [(r["x0"], r["x1"], r["y0"]) for r in rects if r["x0"] == "2026-11-30 22:00"]
    # (the y axis' top is 55 * 1.1: the day's bands from 0 and 55, the night's from 0, 45, 55)
    assert day == [("2026-11-30 20:00", "2026-11-30 22:00", y) for y in (0.0, 55.0)]
    assert [y0 for _, x1, y0 in night if x1 == "2026-12-01 00:00"] == [0.0, 45.0, 55.0]
    # the bands named are the ones in force at the end of the window
    names = [a["text"] for a in figure["layout"]["annotations"]]
    assert names == [
        "Within night limit",
        "Over residential night limit",
        "Over roadside night limit",
    ]
    # and each hour's band in the table is graded by the limits in force then
    assert [row[-1] for row in rows] == [
        "Within day limit",
        "Within day limit",
        "Over residential night limit",
        "Over residential night limit",
    ]


def test_window_is_24_hours_ending_after_the_bucket_holding_now() -> None:
    now = datetime(2026, 11, 30, 3, 17, 5, tzinfo=UTC)
    assert figures.window(now, 60) == (
        datetime(2026, 11, 29, 4, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 4, 0, tzinfo=UTC),
    )
    start, end = figures.window(now, 10)
    assert end == datetime(2026, 11, 30, 3, 20, tzinfo=UTC)
    assert end - start == timedelta(hours=24)


@pytest.mark.parametrize(
    ("given", "chosen"),
    [(None, "PM25"), ("NOISE", "NOISE"), ("TEMPERATURE", "PM25"), ("pm25", "PM25")],
    ids=["none", "allowed", "not-offered", "wrong-case"],
)
def test_choice_falls_back_for_a_stale_or_edited_address(given: str | None, chosen: str) -> None:
    assert figures.choice(given, figures.AIR_TYPES, "PM25") == chosen


def test_bucket_is_hourly_unless_ten_minutes_is_named() -> None:
    assert [figures.bucket_of(v) for v in (None, "10", "60", "5", "x")] == [60, 10, 60, 60, 60]


def test_type_options_list_what_the_gu_sensors_measure_in_order() -> None:
    sensors = [{"dataTypes": ["NOISE", "PM25"]}, {"dataTypes": ["DISSOLVED_OXYGEN"]}]
    options = figures.type_options(sensors, "en")
    assert [o["value"] for o in options] == ["PM25", "NOISE", "DISSOLVED_OXYGEN"]
    assert options[0]["label"] == "PM2.5 (µg/m³)"
    assert len(figures.type_options([], "en")) == 17


def test_city_air_bars_every_gu_and_marks_a_gu_without_readings() -> None:
    air = {
        "airQuality": [
            {
                "districtCode": "11110",
                "pm25": 12.5,
                "pm25Band": "Good",
                "sensorsReporting": 2,
                "measuredAt": "2026-11-30T03:00:00+00:00",
            },
            {"districtCode": "11680", "pm25": None, "pm25Band": None, "sensorsReporting": 0},
        ]
    }
    figure, rows = figures.city_air(air, BANDS, NAMES, "PM25", "ko")
    assert figure is not None
    assert figure["data"][0]["x"] == ["Jongno-gu", "Gangnam-gu"]
    assert figure["data"][0]["y"] == [12.5, None]
    assert rows == [
        ["Jongno-gu", "12.5", "좋음", "2", "2026. 11. 30. 12:00"],
        ["Gangnam-gu", "–", "–", "0", "–"],
    ]


def test_city_air_without_any_reading_or_answer_is_no_figure() -> None:
    empty = {"airQuality": [{"districtCode": "11110", "noise": None}]}
    assert figures.city_air(empty, BANDS, NAMES, "NOISE", "en") == (None, [])
    assert figures.city_air(None, BANDS, NAMES, "NOISE", "en") == (None, [])


def test_alert_rows_newest_first_with_severity_and_state_in_words() -> None:
    alerts = {
        "alerts": [
            {
                "at": "2026-11-30T03:00:00+00:00",
                "districtCode": "11680",
                "severity": "WARNING",
                "state": "CLEARED",
                "sensorId": "sdot-11680-0000",
                "dataType": "PM25",
                "value": 28.57,
                "threshold": 31.0,
                "rule": RULES_BY_TYPE["pm25"].name,
            },
            {
                "at": "2026-11-30T03:05:00+00:00",
                "districtCode": "11680",
                "severity": "CRITICAL",
                "state": "RAISED",
                "sensorId": "sdot-11680-0000",
                "dataType": "NOISE",
                "value": 81.0,
                "threshold": 80.0,
                "rule": RULES_BY_TYPE["noise"].name,
            },
        ]
    }
    rows = figures.alert_rows(alerts, NAMES, "ko")
    assert [r[2:4] for r in rows] == [["심각", "발령"], ["주의", "해제"]]
    assert rows[0][:2] == ["2026. 11. 30. 12:05", "Gangnam-gu"]
    assert rows[1][6:8] == ["28.6 µg/m³", "31.0 µg/m³"]
    # the rules too are in Korean, with the thresholds the rules raise at
    assert rows[0][8] == "야간 소음 (주거지역 45, 도로변 55 dB(A), 22:00~06:00)"
    assert rows[1][8] == "통합대기환경지수 초미세먼지 PM2.5 (나쁨 36, 매우나쁨 76 ㎍/㎥부터)"
    assert figures.alert_rows(alerts, NAMES, "en")[1][8] == RULES_BY_TYPE["pm25"].name
    assert figures.alert_rows(None, NAMES, "en") == []


def test_alert_statistics_read_withheld_cells_in_words_never_zero() -> None:
    stats = {
        "alertStatistics": {
            "activeNow": 3,
            "raisedToday": 0,
            "bySeverity": [
                {"key": "warning", "count": 3, "suppressed": False},
                {"key": "critical", "count": None, "suppressed": True},
            ],
            "byDataType": [{"key": "pm25", "count": 0, "suppressed": False}],
        }
    }
    rows = figures.alert_stat_rows(stats, "en")
    assert rows == [
        ["Alerts now", "3"],
        ["Alerts raised today", "0"],
        ["Severity: warning", "3"],
        ["Severity: critical", "under 5, withheld"],
        ["PM2.5 (µg/m³)", "0"],
    ]
    assert figures.alert_stat_rows(None, "en") == []


def test_sensor_picker_and_latest_reading() -> None:
    gu = {
        "district": {
            "sensors": [
                {"id": "sdot-11680-0001", "model": "SDOT-2020", "status": "active"},
                {"id": "sdot-11680-0000", "model": "SDOT-2020", "status": "offline"},
            ]
        }
    }
    assert [o["value"] for o in figures.sensor_options(gu, "en")] == [
        "sdot-11680-0000",
        "sdot-11680-0001",
    ]
    # each sensor's status in words in the reader's language
    assert [o["label"] for o in figures.sensor_options(gu, "ko")] == [
        "sdot-11680-0000 · SDOT-2020 · 연결 끊김",
        "sdot-11680-0001 · SDOT-2020 · 운영 중",
    ]
    assert figures.sensor_options(None, "en") == []
    sensor = {
        "sensor": {
            "latestReading": {
                "measuredAt": "2026-11-30T03:00:00+00:00",
                "values": [
                    {"dataType": "SO2", "value": 0.0037, "unit": "ppm"},
                    {"dataType": "PM25", "value": 34.2013, "unit": "µg/m³"},
                ],
            }
        }
    }
    assert figures.latest_rows(sensor, "en") == [
        ["PM2.5 (µg/m³)", "34.20 µg/m³"],
        ["Sulphur dioxide SO₂ (ppm)", "0.004 ppm"],
    ]
    assert figures.latest_time(sensor, "en") == "30 Nov 2026, 12:00"
    missing = {"sensor": {"latestReading": None}}
    assert figures.latest_rows(missing, "en") == []
    assert figures.latest_time(missing, "en") == "–"


def test_the_sensor_picker_offers_only_sensors_measuring_the_chosen_type() -> None:
    answer = {
        "district": {
            "sensors": [
                {"id": "wq-11500-0000", "model": "WQ", "status": "active", "dataTypes": ["PH"]},
                {"id": "sdot-11500-0000", "model": "S", "status": "active", "dataTypes": ["PM25"]},
            ]
        }
    }
    assert [o["value"] for o in figures.sensor_options(answer, "en", "PM25")] == ["sdot-11500-0000"]
    assert len(figures.sensor_options(answer, "en")) == 2
