"""The overview's builders: answers in, tile texts and figure data out (no server)."""

from __future__ import annotations

from typing import Any

from dashboards import theme
from dashboards.figures import overview as figures

CASES = {
    "caseStatistics": {
        "open": 1234,
        "filedToday": 3,
        "closedToday": None,  # withheld: a small cell of people
        "medianResolutionHours": 25.75,
        "byDistrict": [
            {
                "districtCode": "11110",
                "open": {"count": 12, "suppressed": False},
                "medianResolutionHours": 20.0,
            },
            {
                "districtCode": "11140",
                "open": {"count": None, "suppressed": True},
                "medianResolutionHours": None,
            },
        ],
    }
}
SENSING = {
    "airQuality": [
        {
            "districtCode": "11110",
            "pm25": 20.0,
            "pm10": 40.0,
            "noise": 60.0,
            "pm25Band": "Moderate",
            "pm10Band": "Good",
            "noiseBand": "Over",
        },
        {
            "districtCode": "11140",
            "pm25": None,
            "pm10": None,
            "noise": None,
            "pm25Band": None,
            "pm10Band": None,
            "noiseBand": None,
        },
        {
            "districtCode": "11170",
            "pm25": 40.0,
            "pm10": 60.0,
            "noise": 50.0,
            "pm25Band": "Unhealthy",
            "pm10Band": "Moderate",
            "noiseBand": "Within",
        },
    ],
    "alertStatistics": {"activeNow": 4, "raisedToday": 12},
    "ingestStatistics": {"readingsLastMinute": 150, "readingsToday": 18450, "sensorsReporting": 50},
}
TRUST = {
    "certificateStatistics": {"issued": 10, "issuedToday": 1, "revoked": 2, "verifiedToday": 5},
    "procurementStatistics": {
        "inFlight": 3,
        "completed": 4,
        "medianCycleDays": 9.5,
        "manualBaselineDays": 23.0,
    },
    "logHead": {"treeSize": 42, "signedAt": "2026-11-30T03:00:00Z"},
}
NAMES = {"11110": "Jongno-gu", "11140": "Jung-gu", "11170": "Yongsan-gu"}
BANDS = [
    {"dataType": "PM25", "name": "Good", "lower": 0.0},
    {"dataType": "PM25", "name": "Moderate", "lower": 16.0},
    {"dataType": "PM10", "name": "Moderate", "lower": 31.0},
]


def by_id(tiles: list[figures.Tile]) -> dict[str, figures.Tile]:
    return {tile.id: tile for tile in tiles}


def test_the_overview_has_at_least_20_indicators_in_both_languages() -> None:
    for lang in ("ko", "en"):
        tiles = figures.tiles(
            CASES, SENSING, {"polls": []}, {"catalogueStatistics": {}}, TRUST, lang
        )
        assert len(tiles) >= 20
        assert len({t.id for t in tiles}) == len(tiles)
        assert all(t.label for t in tiles)


def test_tiles_read_values_units_and_withheld_cells() -> None:
    en = by_id(
        figures.tiles(
            CASES, SENSING, {"polls": [{"totalBallots": 7}, {"totalBallots": 5}]}, None, TRUST, "en"
        )
    )
    assert en["open_cases"].value == "1,234"
    assert en["closed_today"].value == "under 5, withheld"
    assert en["median_resolution"].value == "25.8 h"
    assert en["pm25"].value == "30.0 µg/m³"  # the mean of the gu that have a reading
    assert en["ballots"].value == "12"
    assert en["open_polls"].value == "2"
    assert en["cycle_time"].value == "9.5 days"
    assert en["cycle_time"].note == "manual baseline: 23 days"
    assert en["log_signed"].value == "30 Nov 2026, 12:00"  # Asia/Seoul
    ko = by_id(figures.tiles(CASES, SENSING, None, None, TRUST, "ko"))
    assert ko["closed_today"].value == "5 미만 비공개"
    assert ko["log_signed"].value == "2026. 11. 30. 12:00"


def test_a_refused_or_missing_answer_reads_a_dash_not_zero() -> None:
    tiles = by_id(figures.tiles(None, None, None, None, None, "en"))
    assert {tile.value for tile in tiles.values()} == {"–"}


def test_open_cases_by_gu_draws_withheld_cells_as_nothing_and_names_them() -> None:
    figure, rows = figures.open_cases_by_gu(CASES, NAMES, "en")
    assert figure is not None
    assert figure["data"][0]["x"] == ["Jongno-gu", "Jung-gu"]
    assert figure["data"][0]["y"] == [12, None]  # withheld: no bar, never 0
    assert figure["data"][0]["customdata"] == ["12", "under 5, withheld"]
    mark = figure["data"][1]  # and marked on the chart
    assert (mark["x"], mark["y"], mark["name"]) == (["Jung-gu"], [0], "under 5, withheld")
    assert rows == [["Jongno-gu", "12", "20.0"], ["Jung-gu", "under 5, withheld", "–"]]


def test_an_empty_gu_list_is_no_figure() -> None:
    assert figures.open_cases_by_gu({"caseStatistics": {"byDistrict": []}}, NAMES, "en") == (
        None,
        [],
    )
    assert figures.air_by_gu({"airQuality": []}, BANDS, NAMES, "en") == (None, [])


def test_air_by_gu_draws_the_pm25_bands_and_keeps_missing_readings_as_gaps() -> None:
    figure, rows = figures.air_by_gu(SENSING, BANDS, NAMES, "en")
    assert figure is not None
    assert figure["data"][0]["y"] == [20.0, None, 40.0]
    lines = [(s["y0"], s["line"]["color"]) for s in figure["layout"]["shapes"]]
    assert lines == [(16.0, theme.band_colour(1))]  # the PM2.5 bands above zero only
    assert [a["text"] for a in figure["layout"]["annotations"]] == ["Moderate"]
    assert rows[1] == ["Jung-gu", "–", "–", "–", "–", "–", "–"]


def test_air_bands_are_named_in_the_readers_language() -> None:
    figure, rows = figures.air_by_gu(SENSING, BANDS, NAMES, "ko")
    assert figure is not None
    assert [a["text"] for a in figure["layout"]["annotations"]] == ["보통"]
    assert rows[0][2] == "보통"


def fig_values(figure: dict[str, Any] | None) -> Any:
    return figure["data"][0]["y"] if figure else None


def test_the_api_indicator_reads_todays_calls_in_both_languages() -> None:
    # given the catalogue's figures with today's API calls (the usage records)
    catalogue = {"catalogueStatistics": {"datasets": 18, "apiCallsToday": 12345}}
    # when the tiles are built in English and Korean
    en = by_id(figures.tiles(None, None, None, catalogue, None, "en"))["api_calls_today"]
    ko = by_id(figures.tiles(None, None, None, catalogue, None, "ko"))["api_calls_today"]
    # then the tile shows the figure, labelled, from the catalogue's source
    assert (en.label, en.value, en.source) == ("API calls today", "12,345", "catalogue")
    assert (ko.label, ko.value) == ("오늘 API 호출", "12,345")
    assert en.note
    assert ko.note
