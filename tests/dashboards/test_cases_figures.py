"""The cases page's figure builders and its panel of routings waiting for an analyst (no
server)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dashboards.figures import cases as figures
from dashboards.figures.answers import Data
from dashboards.pages import cases as page
from dashboards.sources import Answer

WITHHELD = {"key": "11110", "count": None, "suppressed": True}
STATS = {
    "caseStatistics": {
        "open": 12,
        "filedToday": None,
        "closedToday": 0,
        "medianResolutionHours": 25.76,
        "byServiceGroup": [
            {"key": "traffic", "count": 7, "suppressed": False},
            {"key": "flood-disaster", "count": 0, "suppressed": False},
            {"key": "parks", "count": None, "suppressed": True},
        ],
        "ageing": [
            {"key": "<1d", "count": 5, "suppressed": False},
            {"key": "1-3d", "count": 2, "suppressed": False},
            {"key": "3-7d", "count": 0, "suppressed": False},
            {"key": "7-30d", "count": 0, "suppressed": False},
            {"key": ">30d", "count": 1, "suppressed": False},
        ],
        "byDistrict": [
            {"districtCode": "11110", "open": WITHHELD, "medianResolutionHours": None},
            {
                "districtCode": "11680",
                "open": {"key": "11680", "count": 9, "suppressed": False},
                "medianResolutionHours": 12.26,
            },
        ],
    }
}
CATALOGUE = {
    "services": [
        {"code": "noise", "name": "Noise", "nameKo": "소음", "group": "environment"},
        {"code": "flooding", "name": "Flooding or blocked drain", "nameKo": "침수·배수 불량"},
    ],
    "departments": [{"id": "gu-11680", "nameEn": "Gangnam-gu Office", "nameKo": "강남구청"}],
}
NAMES = {"11110": "Jongno-gu", "11680": "Gangnam-gu"}


def test_category_counts_keep_the_api_order_and_withheld_cells_read_in_words() -> None:
    cells = STATS["caseStatistics"]["byServiceGroup"]
    figure, rows = figures.key_counts(cells, {}, "en")
    assert figure is not None
    bar = figure["data"][0]
    assert bar["x"] == ["Traffic", "Flood and disaster", "Parks"]
    # a withheld cell has no bar height of its own, and its label says why: never "0"
    assert bar["y"] == [7, 0, 0]
    assert bar["text"] == ["7", "0", "under 5, withheld"]
    assert rows == [["Traffic", "7"], ["Flood and disaster", "0"], ["Parks", "under 5, withheld"]]


def test_service_mix_uses_the_catalogue_names_in_the_reader_language() -> None:
    names = figures.service_names(CATALOGUE, "ko")
    cells = [{"key": "noise", "count": 6, "suppressed": False}, {"key": "wifi", "count": 1}]
    figure, rows = figures.key_counts(cells, names, "ko", horizontal=True)
    assert figure is not None
    assert figure["data"][0]["orientation"] == "h"
    assert figure["data"][0]["y"] == ["소음", "wifi"]
    assert rows == [["소음", "6"], ["wifi", "1"]]
    assert figures.department_names(CATALOGUE, "en") == {"gu-11680": "Gangnam-gu Office"}
    assert figures.service_names(None, "en") == {}


def test_ageing_buckets_stay_in_their_order() -> None:
    _, rows = figures.key_counts(STATS["caseStatistics"]["ageing"], {}, "ko")
    assert [r[0] for r in rows] == ["1일 미만", "1–3일", "3–7일", "7–30일", "30일 초과"]


def test_by_district_withholds_small_gu_in_words_with_median_hours() -> None:
    figure, rows = figures.by_district(STATS, NAMES, "en")
    assert figure is not None
    assert figure["data"][0]["x"] == ["Jongno-gu", "Gangnam-gu"]
    assert rows == [["Jongno-gu", "under 5, withheld", "–"], ["Gangnam-gu", "9", "12.3"]]


@pytest.mark.parametrize("data", [None, {"caseStatistics": None}, {"caseStatistics": {}}])
def test_a_failed_or_empty_answer_is_no_figure(data: Data) -> None:
    assert figures.by_district(data, NAMES, "en") == (None, [])
    assert figures.key_counts([], {}, "en") == (None, [])


def test_headline_tiles_read_withheld_counts_in_words() -> None:
    tiles = figures.headline(STATS, "en")
    assert [value for _, _, value in tiles] == ["12", "under 5, withheld", "0", "25.8 h"]
    assert [value for _, _, value in figures.headline(None, "ko")] == ["–", "–", "–"]


def test_routings_pending_reads_the_total_count() -> None:
    assert figures.routings_pending({"reviewQueue": {"totalCount": 3}}) == 3
    assert figures.routings_pending({"reviewQueue": {"totalCount": 0}}) == 0
    assert figures.routings_pending({"reviewQueue": {"totalCount": True}}) is None
    assert figures.routings_pending(None) is None
    assert figures.routings_text(1234, "en") == "1,234 waiting"
    assert figures.routings_text(0, "ko") == "대기 중 0건"
    assert figures.routings_text(None, "en") == "–"


def test_the_routings_panel_links_to_the_analytics_page() -> None:
    section = page.routings_section(Answer({"reviewQueue": {"totalCount": 2}}), "/src", "en")
    text = str(section.to_plotly_json())
    assert "Case routings waiting for an analyst" in text
    assert "2 waiting" in text
    links = {c.href: c.children for c in walk(section) if getattr(c, "href", None)}
    assert links == {
        "/dashboard/analytics": "Decide them in the analytics page's review queue",
        "/src": "Source query",
    }


def test_a_refused_routings_count_is_a_failure_notice_not_zero() -> None:
    refused = Answer(None, [{"message": "no", "extensions": {"code": "forbidden"}}])
    text = str(page.routings_section(refused, "/src", "en").to_plotly_json())
    assert "0 waiting" not in text
    assert "your key's tier may not see it (forbidden)" in text


def walk(component: Any) -> Iterator[Any]:
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from walk(child)
