"""The map's figure builders (dashboards/figures/map.py) and its bounded list reads: answers in,
deck.gl spec, legends and table rows out. Pure: no server."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from dashboards import theme
from dashboards.figures import map as figures
from dashboards.pages import map as page
from dashboards.sources import Answer, Source
from tests.dashboards.bands import published


def square(west: float, south: float, size: float = 0.01) -> dict[str, Any]:
    ring = [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


DISTRICTS = {
    "districts": [
        {
            "code": "11110",
            "nameKo": "종로구",
            "nameEn": "Jongno-gu",
            "population": 139858,
            "boundary": square(126.97, 37.57),
        },
        {
            "code": "11140",
            "nameKo": "중구",
            "nameEn": "Jung-gu",
            "population": 119319,
            "boundary": square(126.99, 37.55),
        },
        {
            "code": "11170",
            "nameKo": "용산구",
            "nameEn": "Yongsan-gu",
            "population": None,
            "boundary": {"type": "Polygon", "coordinates": "broken"},
        },
    ]
}
MEASURES = {
    "caseStatistics": {
        "byDistrict": [
            {"districtCode": "11110", "open": {"count": 12, "suppressed": False}},
            {"districtCode": "11140", "open": {"count": None, "suppressed": True}},
            {"districtCode": "11170", "open": {"count": 0, "suppressed": False}},
        ]
    },
    "airQuality": [
        {"districtCode": "11110", "pm25": 40.2, "noise": 50.0},
        {"districtCode": "11140", "pm25": None, "noise": None},
        {"districtCode": "11170", "pm25": 10.0, "noise": 60.0},
    ],
}
BANDS = published("PM25") + published("NOISE")
NIGHT = datetime(2026, 11, 30, 15, tzinfo=UTC)
"""00:00 in Seoul: the noise bands in force are the night limits."""
NOON = datetime(2026, 11, 30, 3, tzinfo=UTC)
DONG = {
    "districts": [
        {
            "code": "11110101",
            "nameKo": "청운동",
            "areaKm2": 0.5,
            "residentCount": 25,
            "boundary": square(126.971, 37.571, 0.002),
        }
    ]
}


def table(lang: figures.Lang = "en") -> dict[str, dict[str, figures.Cell]]:
    cells, _ = figures.cells(figures.raw_values(MEASURES, DISTRICTS), BANDS, lang, NIGHT)
    return cells


def test_cells_withheld_count_is_named_never_zero() -> None:
    # given a gu whose open cases the API withheld
    cells = table("en")
    # then its cell says so in words, in the no-data grey, with no number
    jung = cells["11140"]["open_cases"]
    assert jung.value is None
    assert jung.text == "under 5, withheld"
    assert jung.fill == figures.NO_DATA
    assert table("ko")["11140"]["open_cases"].text == "5 미만 비공개"


def test_cells_missing_reading_reads_dash_in_grey() -> None:
    cells = table()
    assert cells["11140"]["pm25"].text == "–"
    assert cells["11140"]["pm25"].fill == figures.NO_DATA
    assert cells["11170"]["population"].text == "–"


def test_cells_pm25_coloured_and_named_by_band() -> None:
    cells = table()
    assert cells["11110"]["pm25"].fill[:3] == figures.rgba(theme.band_colour(2))[:3]
    assert cells["11110"]["pm25"].text == "40.2 µg/m³ (Unhealthy)"
    assert cells["11170"]["pm25"].fill[:3] == figures.rgba(theme.band_colour(0))[:3]
    assert table("ko")["11170"]["noise"].text.endswith("(도로변 야간 기준 초과)")


def test_cells_grade_noise_by_the_limits_in_force_at_the_moment() -> None:
    # given 50 and 60 dB(A): over the residential night limit (45) and the roadside one (55)
    values = figures.raw_values(MEASURES, DISTRICTS)
    night, _ = figures.cells(values, BANDS, "en", NIGHT)
    day, legends = figures.cells(values, BANDS, "en", NOON)
    assert night["11110"]["noise"].text == "50.0 dB(A) (Over residential night limit)"
    # by day they are within the day limit (55) and over the residential one (55-64)
    assert day["11110"]["noise"].text == "50.0 dB(A) (Within day limit)"
    assert day["11170"]["noise"].text == "60.0 dB(A) (Over residential day limit)"
    assert [e.text for e in legends["noise"]][:3] == [
        "Within day limit: under 55 dB(A)",
        "Over residential day limit: 55 to under 65 dB(A)",
        "Over roadside day limit: ≥ 65 dB(A)",
    ]


def test_cells_counts_in_quantile_classes_with_a_written_legend() -> None:
    cells, legends = figures.cells(figures.raw_values(MEASURES, DISTRICTS), BANDS, "en", NIGHT)
    # 0 and 12 open cases (Jung-gu withheld): the lowest and highest class
    assert cells["11170"]["open_cases"].fill[:3] == figures.rgba(theme.SEQUENTIAL[0])[:3]
    assert cells["11110"]["open_cases"].fill[:3] == figures.rgba(theme.SEQUENTIAL[-1])[:3]
    texts = [entry.text for entry in legends["open_cases"]]
    assert texts[0] == "0"
    assert texts[-1] == "no data"
    assert [e.text for e in legends["pm25"]][:2] == ["Good: 0–15 µg/m³", "Moderate: 16–35 µg/m³"]


@pytest.mark.parametrize(
    ("values", "breaks"),
    [
        pytest.param([], [], id="empty"),
        pytest.param([5.0], [5.0] * 5, id="one"),
        pytest.param([float(v) for v in range(1, 11)], [2.0, 4.0, 6.0, 8.0, 10.0], id="ten"),
    ],
)
def test_quantile_breaks(values: list[float], breaks: list[float]) -> None:
    assert figures.quantile_breaks(values) == breaks


def test_gu_features_skip_broken_boundaries_and_fade_others_when_drilled() -> None:
    # when drilled into Jongno-gu
    layer = figures.gu_features(DISTRICTS, table(), "11110", "en")
    # then the unreadable boundary is left out, and only the other gu are faded
    by_code = {f["properties"]["code"]: f["properties"] for f in layer["features"]}
    assert set(by_code) == {"11110", "11140"}
    assert by_code["11110"]["fill"]["pm25"][3] == 220
    assert by_code["11140"]["fill"]["open_cases"][3] == 90
    assert by_code["11110"]["level"] == "GU"
    assert by_code["11110"]["name"] == "Jongno-gu"
    assert by_code["11140"]["text"]["open_cases"] == "under 5, withheld"


def test_gu_features_of_no_answer_are_empty() -> None:
    layer = figures.gu_features(None, {}, None, "ko")
    assert layer == {"type": "FeatureCollection", "features": []}
    assert figures.bounds_of(layer) is None


def test_deck_spec_has_our_polygons_and_no_base_map() -> None:
    gu_layer = figures.gu_features(DISTRICTS, table(), None, "en")
    spec = figures.deck_spec(gu_layer, None, [], [], [], None, "en")
    assert [layer["@@type"] for layer in spec["layers"]] == [
        "GeoJsonLayer",
        "HexagonLayer",
        "ScatterplotLayer",
        "ScatterplotLayer",
    ]
    assert spec["layers"][0]["getFillColor"] == "@@=properties.fill.{measure}"
    assert "mapStyle" not in spec
    assert "mapProvider" not in spec
    assert spec["bounds"] == pytest.approx([126.97, 37.55, 127.0, 37.58])
    assert spec["gu"] is None


def test_deck_spec_drilled_fits_the_dong() -> None:
    gu_layer = figures.gu_features(DISTRICTS, table(), "11110", "en")
    dong_layer = figures.dong_features(DONG, "en")
    spec = figures.deck_spec(gu_layer, dong_layer, [], [], [], "11110", "en")
    assert [layer["id"] for layer in spec["layers"]][:2] == ["gu", "dong"]
    assert spec["bounds"] == pytest.approx([126.971, 37.571, 126.973, 37.573])
    assert spec["labels"]["gu"] == "Jongno-gu"
    assert dong_layer["features"][0]["properties"]["text"]["pm25"] == "Residents in the graph: 25"


def test_points_of_sensors_assets_and_cases() -> None:
    sensors = {
        "districts": [
            {
                "code": "11110",
                "sensors": [
                    {
                        "id": "s1",
                        "kind": "SDOT",
                        "status": "active",
                        "location": {"lat": 1, "lon": 2},
                    }
                ],
            },
            {
                "code": "11140",
                "sensors": [
                    {
                        "id": "s2",
                        "kind": "WATER_QUALITY",
                        "status": "active",
                        "location": {"lat": 3, "lon": 4},
                    }
                ],
            },
        ]
    }
    assert len(figures.sensor_points(sensors, None, "en")) == 2
    only = figures.sensor_points(sensors, "11140", "en")
    assert only == [
        {
            "position": [4, 3],
            "fill": figures.rgba(figures.POINT_COLOURS["WATER_QUALITY"]),
            "label": "Water-quality station: s2 (active)",
        }
    ]
    asset_page = {
        "assets": {
            "totalCount": 7,
            "edges": [
                {"node": {"kind": "SMART_POLE", "name": "P1", "location": {"lat": 5, "lon": 6}}}
            ],
        }
    }
    assert figures.asset_points([asset_page, None], "ko")[0]["label"] == "스마트폴: P1"
    assert figures.total_count([None, asset_page], "assets") == 7
    case_page = {"cases": {"edges": [{"node": {"location": {"lat": 7, "lon": 8}}}]}}
    assert figures.case_points([case_page, None]) == [{"position": [8, 7]}]
    assert figures.total_count([None], "cases") is None


def test_tables_list_every_measure_per_gu_and_residents_per_dong() -> None:
    header, rows = figures.gu_table(DISTRICTS, table(), "en")
    assert header == ["District", "Open cases", *header[2:]]
    assert len(header) == 5
    assert rows[1] == ["Jung-gu", "under 5, withheld", "–", "–", "119,319"]
    assert rows[2][0] == "Yongsan-gu"  # no boundary, still in the table
    _, dong_rows = figures.dong_table(DONG, "ko")
    assert dong_rows == [["청운동", "0.50", "25"]]
    assert figures.dong_table(None, "en")[1] == []


class PagedReader:
    """Answers a connection query with `pages` pages of one item each, newest last."""

    def __init__(self, pages: int, errors_at: int | None = None) -> None:
        self.pages, self.errors_at, self.calls = pages, errors_at, []  # type: ignore[var-annotated]

    async def read(self, source: Source, variables: dict[str, Any] | None = None) -> Answer:
        self.calls.append(variables)
        index = len(self.calls)
        if index == self.errors_at:
            return Answer(None, [{"message": "no", "extensions": {"code": "cost_exceeded"}}])
        info = {"hasPreviousPage": index < self.pages, "startCursor": f"c{index}"}
        return Answer({"cases": {"totalCount": self.pages, "pageInfo": info, "edges": []}})


@pytest.mark.parametrize(
    ("pages", "errors_at", "reads"),
    [
        pytest.param(2, None, 2, id="all-pages"),
        pytest.param(50, None, page.MAX_PAGES, id="bounded"),
        pytest.param(50, 2, 2, id="stops-at-an-error"),
    ],
)
async def test_read_pages_is_bounded(pages: int, errors_at: int | None, reads: int) -> None:
    reader = PagedReader(pages, errors_at)
    got = await page.read_pages(reader, page.CASES, {"filter": {}}, "cases", backward=True)  # type: ignore[arg-type]
    assert len(got) == reads
    assert reader.calls[0] == {"filter": {}, "before": None}
    if reads > 1:
        assert reader.calls[1] == {"filter": {}, "before": "c1"}
