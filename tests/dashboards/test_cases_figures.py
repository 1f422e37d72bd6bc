"""The cases page's figure builders and its review queue (no server)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dash.exceptions import PreventUpdate
from starlette.requests import HTTPConnection

from dashboards.figures import cases as figures
from dashboards.figures.answers import Data
from dashboards.pages import cases as page
from dashboards.sources import CURRENT, Answer, Reader, Source
from graph.records.api_keys import Tier

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


def test_review_rows_oldest_first_with_confidence_in_percent() -> None:
    items = [
        figures.ReviewItem("r2", "routing", "case 2", "parks", 0.615, "2026-11-30T03:00:00+00:00"),
        figures.ReviewItem("r1", "routing", "case 1", "roads", None, "2026-11-30T02:00:00+00:00"),
    ]
    assert figures.review_rows(items, "en") == [
        ("r1", ["case 1", "routing", "roads", "–", "30 Nov 2026, 11:00"]),
        ("r2", ["case 2", "routing", "parks", "61.5 %", "30 Nov 2026, 12:00"]),
    ]


def test_the_review_queue_is_empty_until_models_exist() -> None:
    # given no analytics models (issue 16), there is no queue source
    assert page.QUEUE is None

    # when the section renders, it says why it is empty: no made-up rows
    section = page.review_section(None, None, "en")

    text = str(section.to_plotly_json())
    assert "Nothing awaiting review: routing models arrive with the analytics models." in text
    assert page.REVIEW not in text


def test_the_review_queue_renders_approve_and_reject_per_row() -> None:
    item = figures.ReviewItem("r1", "routing", "case 1", "roads", 0.5, None)
    queue = page.ReviewQueue(Source("Pending", "query Pending { x }"), lambda _: [item], DECIDE)
    section = page.review_section(queue, Answer({"x": 1}), "en")
    ids = [c.id for c in walk(section) if isinstance(getattr(c, "id", None), dict)]
    assert ids == [
        {"type": page.REVIEW, "decision": "approve", "review": "r1"},
        {"type": page.REVIEW, "decision": "reject", "review": "r1"},
    ]


def walk(component: Any) -> Iterator[Any]:
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from walk(child)


DECIDE = Source("Decide", "mutation Decide($id: ID!, $approve: Boolean!) { x }")
APPROVE = {"type": page.REVIEW, "decision": "approve", "review": "r1"}


class Recorder:
    """An `Execute` that records what ran and answers `answer`."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.ran: list[tuple[str, dict[str, Any]]] = []

    async def __call__(
        self, _connection: HTTPConnection, document: str, variables: dict[str, Any]
    ) -> Answer:
        self.ran.append((document, variables))
        return self.answer


@pytest.fixture
def request_scope() -> Iterator[None]:
    token = CURRENT.set(HTTPConnection({"type": "http", "headers": []}))
    yield
    CURRENT.reset(token)


QUEUE = page.ReviewQueue(Source("Pending", "query Pending { x }"), lambda _: [], DECIDE)


@pytest.mark.parametrize("tier", [Tier.PUBLIC, Tier.DEVELOPER], ids=lambda t: t.value)
async def test_a_decision_below_the_analyst_tier_is_refused_before_anything_runs(
    tier: Tier, request_scope: None
) -> None:
    recorder = Recorder(Answer({"x": 1}))
    said = await page.decide(Reader(recorder), QUEUE, tier, APPROVE, 1, "en")
    assert said == "Only analysts and operators may approve or reject."
    assert recorder.ran == []


@pytest.mark.parametrize("tier", [Tier.ANALYST, Tier.OPERATOR], ids=lambda t: t.value)
async def test_an_analyst_decision_runs_the_mutation(tier: Tier, request_scope: None) -> None:
    recorder = Recorder(Answer({"x": 1}))
    reject = {**APPROVE, "decision": "reject"}
    said = await page.decide(Reader(recorder), QUEUE, tier, reject, 1, "en")
    assert said == "Rejected: r1"
    assert recorder.ran == [(DECIDE.document, {"id": "r1", "approve": False})]


async def test_a_refused_decision_says_so_with_its_code(request_scope: None) -> None:
    refused = Answer(None, [{"message": "no", "extensions": {"code": "not_found"}}])
    said = await page.decide(Reader(Recorder(refused)), QUEUE, Tier.ANALYST, APPROVE, 1, "ko")
    assert said == "결정을 기록하지 못했습니다 (not_found)"


async def test_without_models_an_analyst_decision_has_nothing_to_decide() -> None:
    recorder = Recorder(Answer({"x": 1}))
    said = await page.decide(Reader(recorder), None, Tier.ANALYST, APPROVE, 1, "en")
    assert said.startswith("Nothing awaiting review")
    assert recorder.ran == []


@pytest.mark.parametrize(
    ("triggered", "clicks"),
    [
        (APPROVE, 0),
        (APPROVE, None),
        (None, 1),
        ("review-status", 1),
        ({**APPROVE, "decision": "delete"}, 1),
        ({**APPROVE, "review": ["r1"]}, 1),
    ],
    ids=["rendered", "no-clicks", "nothing", "other-id", "unknown-decision", "odd-review-id"],
)
async def test_a_call_no_click_made_changes_nothing(triggered: Any, clicks: Any) -> None:
    recorder = Recorder(Answer({"x": 1}))
    with pytest.raises(PreventUpdate):
        await page.decide(Reader(recorder), QUEUE, Tier.OPERATOR, triggered, clicks, "en")
    assert recorder.ran == []
