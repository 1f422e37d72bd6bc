"""The analytics page's builders without a browser: the metrics table with met and missed in
words, a proposal in the reader's language, the queue's ages, and a decision's outcome."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from dashboards.figures import analytics as figures
from dashboards.figures import proposals
from dashboards.figures.analytics import QueueItem

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
WATER = {
    "name": "water",
    "trained": True,
    "version": "20261130T090000Z-0123abcd",
    "trainedAt": "2026-11-30T09:00:00+00:00",
    "meetsTargets": False,
    "intendedUse": "Send a sampling team.",
    "notFor": "Blaming a plant.",
    "metrics": [
        {
            "metric": "precision",
            "unit": "",
            "model": 0.9134,
            "baselines": [{"name": "cusum", "value": 0.72}, {"name": "threshold", "value": 0.5}],
            "target": "≥ cusum",
            "met": True,
        },
        {
            "metric": "median detection delay",
            "unit": "h",
            "model": 7.25,
            "baselines": [{"name": "cusum", "value": 9.0}],
            "target": "< 6 h",
            "met": False,
        },
    ],
}
UNTRAINED = {"name": "outbreak", "trained": False, "metrics": []}
DEPARTMENTS = {
    "departments": [
        {"id": "roads", "nameEn": "Road Management Division", "nameKo": "도로관리과"},
        {"id": "parks", "nameEn": "Parks and Green Space Bureau", "nameKo": "푸른도시여가국"},
    ]
}


def item(kind: str = "CASE_ROUTING", **proposal: object) -> QueueItem:
    return QueueItem("RV-1", kind, "case-1", "11710", proposal, "2026-11-30T11:00:00+00:00")


def test_every_label_has_korean_and_english() -> None:
    for pairs in (figures.LABELS, figures.METRICS):
        assert [k for k, (ko, en) in pairs.items() if not ko.strip() or not en.strip()] == []


@pytest.mark.parametrize(
    ("lang", "met", "missed", "delay"),
    [
        ("en", "✓ met", "✗ missed", "median detection delay (h)"),
        ("ko", "✓ 달성", "✗ 미달", "탐지 지연 중앙값 (시간)"),
    ],
    ids=["en", "ko"],
)
def test_metric_rows_name_each_baseline_and_say_met_in_words(
    lang: str, met: str, missed: str, delay: str
) -> None:
    (card,) = figures.cards({"models": [WATER]})
    rows = figures.metric_rows(card, lang)  # type: ignore[arg-type]
    assert rows[0][1:] == ["0.9134", "cusum 0.72; threshold 0.5", "≥ cusum", met]
    assert rows[1] == [delay, "7.25", "cusum 9", "< 6 h", missed]
    assert figures.meets_text(card, lang).startswith(missed)  # type: ignore[arg-type]


def test_cards_of_an_untrained_model_and_of_no_answer() -> None:
    (card,) = figures.cards({"models": [UNTRAINED]})
    assert not card.trained
    assert card.how_to_train == "civicgraph ml train outbreak"
    assert figures.metric_rows(card, "en") == []
    assert figures.cards(None) == []
    assert figures.cards({"models": None}) == []


@pytest.mark.parametrize(
    ("lang", "want"),
    [
        ("en", "department: Road Management Division (confidence 41.0 %)"),
        ("ko", "부서: 도로관리과 (신뢰도 41.0 %)"),
    ],
    ids=["en", "ko"],
)
def test_a_routing_proposal_names_its_department_in_the_readers_language(
    lang: str, want: str
) -> None:
    names = figures.department_names(DEPARTMENTS, lang)  # type: ignore[arg-type]
    routing = item(department="roads", confidence="0.41")
    assert proposals.proposal_text(routing, names, lang) == want  # type: ignore[arg-type]


def test_other_proposals_read_in_words_and_unknown_departments_stay_codes() -> None:
    names = figures.department_names(DEPARTMENTS, "en")
    water = item("WATER_ALARM", score="0.93", station="S1")
    assert proposals.proposal_text(water, names, "en") == "station S1; score 0.93"
    assert proposals.proposal_text(item(department="moon"), names, "en") == "department: moon"
    assert proposals.proposal_text(item("WATER_ALARM"), names, "en") == "–"


def test_a_proposal_of_an_unknown_kind_never_shows_a_repr_and_names_its_gu() -> None:
    # given a kind this page does not know, with nested values and gu codes
    odd = item(
        "NEW_KIND",
        district_code="11350",
        cells=[{"cell": "250m-1", "expected": "0.03"}],
        counts={"ed": 3},
        neighbours=["11680", "11740"],
        expected="1234.56",
        station="12345",
    )
    gu = {"11350": "Nowon-gu", "11680": "Gangnam-gu"}
    # when it is read
    text = proposals.proposal_text(odd, {}, "en", gu)
    # then nested values are summarised, gu codes are names or bare codes, numbers are in the
    # locale and identifiers stay as given
    assert text == (
        "district_code Nowon-gu; cells 1 items; counts 1 fields; "
        "neighbours Gangnam-gu, 11740; expected 1,235; station 12345"
    )
    assert "{" not in text
    assert "[" not in text


@pytest.mark.parametrize(
    ("created", "en", "ko"),
    [
        ("2026-11-30T12:00:30+00:00", "just now", "방금"),
        ("2026-11-30T13:00:00+00:00", "just now", "방금"),  # from a clock ahead of ours
        ("2026-11-30T11:48:00+00:00", "12 min", "12분"),
        ("2026-11-30T09:30:00+00:00", "2 h", "2시간"),
        ("2026-11-25T12:00:00+00:00", "5 days", "5일"),
        (None, "–", "–"),
    ],
    ids=["seconds", "future", "minutes", "hours", "days", "none"],
)
def test_age_in_words(created: str | None, en: str, ko: str) -> None:
    assert figures.age(created, "en", NOW) == en
    assert figures.age(created, "ko", NOW) == ko


def test_queue_reads_the_connection_and_survives_a_failed_answer() -> None:
    data = {
        "reviewQueue": {
            "totalCount": 60,
            "edges": [
                {"node": {"id": "RV-2", "kind": "WATER_ALARM", "subject": "s", "proposal": {}}},
                {"node": None},
                "junk",
            ],
        }
    }
    items, total = figures.queue(data)
    assert [i.id for i in items] == ["RV-2"]
    assert total == 60
    assert figures.queue(None) == ([], 0)


@pytest.mark.parametrize(
    ("result", "lang", "want"),
    [
        ({"review": {"leafIndex": 42}}, "en", (True, "RV-1 approved. (log leaf #42)")),
        (
            {"code": "ALREADY_DECIDED", "field": None},
            "en",
            (
                False,
                "The decision was not recorded: it was decided already (perhaps a moment ago "
                "by another analyst) (ALREADY_DECIDED)",
            ),
        ),
        (
            {"code": "ALREADY_DECIDED"},
            "ko",
            (
                False,
                "결정을 기록하지 못했습니다: 이미 결정된 항목입니다 (다른 분석가가 먼저 결정했을 "
                "수 있습니다) (ALREADY_DECIDED)",
            ),
        ),
        (
            {"code": "SOMETHING_NEW"},
            "en",
            (False, "The decision was not recorded: an unexpected error (SOMETHING_NEW)"),
        ),
        (None, "en", (False, "The decision was not recorded: an unexpected error")),
    ],
    ids=["approved", "already-en", "already-ko", "unknown-code", "nothing"],
)
def test_outcome_in_words(result: object, lang: str, want: tuple[bool, str]) -> None:
    assert figures.outcome(result, "RV-1", True, lang) == want  # type: ignore[arg-type]


def test_figures_keep_four_significant_digits() -> None:
    assert figures.figure(0.91166, "en") == "0.9117"
    assert figures.figure(1234.5, "en") == "1,234"
    assert figures.figure(0, "en") == "0"
    assert figures.figure(None, "en") == "–"
    assert figures.figure(True, "en") == "–"


# --- the prediction sections (dashboards/figures/predictions.py, prediction_charts.py) -------


def test_window_text_is_a_seoul_day_or_an_hour_in_the_locale() -> None:
    from dashboards.figures.predictions import window_text

    day = ("2026-11-30T15:00:00+00:00", "2026-12-01T15:00:00+00:00")
    assert window_text(*day, "en") == "1 Dec 2026"
    assert window_text(*day, "ko") == "2026. 12. 1."
    hour = ("2026-11-30T11:00:00+00:00", "2026-11-30T12:00:00+00:00")
    assert window_text(*hour, "en") == "30 Nov 2026, 20:00 – 21:00"
    assert window_text(None, None, "en") == "–"


def test_hexagons_sum_their_cells_and_keep_every_cell() -> None:
    from dashboards.figures.predictions import HEX_COLOURS, hexagons

    points = [{"position": [127.0 + i * 0.0028, 37.5], "weight": 1.0 + i} for i in range(10)]
    found = hexagons(points, "en")
    assert sum(h["cells"] for h in found) == 10
    assert sum(h["sum"] for h in found) == sum(1.0 + i for i in range(10))
    assert 1 < len(found) < 10  # 10 cells 250 m apart share hexagons of 500 m
    darkest = max(found, key=lambda h: h["sum"])
    assert darkest["fill"][:3] == list(bytes.fromhex(HEX_COLOURS[-1].lstrip("#")))
    assert all(len(h["polygon"]) == 6 for h in found)


def test_stations_run_east_to_west_and_moved_measures_read_in_words() -> None:
    from dashboards.figures.prediction_charts import moved_text, stations

    nodes: list[dict[str, object]] = [
        {"subject": "b", "lon": 126.9},
        {"subject": "a", "lon": 127.1},
        {"subject": "c"},
    ]
    assert [n["subject"] for n in stations(nodes)] == ["a", "b", "c"]
    moved = [{"measure": "dissolved_oxygen", "z": -3.2}, {"measure": "ph", "z": 2.0}]
    assert moved_text(moved, "en") == "Dissolved oxygen −3.2 σ; pH +2.0 σ"
    assert moved_text(None, "ko") == "–"


def test_outbreak_alarms_find_their_pending_review_by_subject_and_day() -> None:
    from dashboards.figures.prediction_charts import outbreak_alarms, pending_reviews

    queue = {
        "reviewQueue": {
            "edges": [{"node": {"id": "RV-9", "subject": "11680/respiratory@2026-12-01"}}]
        }
    }
    nodes = [
        {
            "subject": "11680/respiratory",
            "districtCode": "11680",
            "syndrome": "respiratory",
            "score": 0.93,
            "alarm": True,
        },
        {
            "subject": "11110/respiratory",
            "districtCode": "11110",
            "syndrome": "respiratory",
            "score": 0.91,
            "alarm": True,
        },
        {
            "subject": "11710/respiratory",
            "districtCode": "11710",
            "syndrome": "respiratory",
            "score": 0.1,
            "alarm": False,
        },
    ]
    found = outbreak_alarms(
        nodes, "2026-11-30T15:00:00+00:00", pending_reviews(queue), {"11680": "Gangnam-gu"}, "en"
    )
    assert [(a.gu, a.review) for a in found] == [("Gangnam-gu", "RV-9"), ("11110", None)]
    assert found[0].score == "0.93"


def test_a_baseline_that_never_detected_reads_never() -> None:
    metric = {"metric": "median detection delay", "unit": "h", "model": 7.25, "target": "< 6 h"}
    never = {**WATER, "metrics": [{**metric, "baselines": [{"name": "cusum", "value": None}]}]}
    (card,) = figures.cards({"models": [never]})
    assert figures.metric_rows(card, "en")[0][2] == "cusum never"
    assert figures.metric_rows(card, "ko")[0][2] == "cusum 감지 못 함"


def _published_metrics() -> tuple[set[str], set[str]]:
    """The metric names and units the models' cards publish, read from ml/'s source: each
    Comparison's metric (a string, an f-string of ml.water's target) and unit, and the hotspot
    model's table of (metric, key, which, unit)."""
    import ast

    from ml.water import TARGET_MEDIAN_DELAY_H

    root = Path(__file__).resolve().parents[2] / "ml"
    names: set[str] = set()
    units: set[str] = set()
    for module in ("water", "outbreak", "hotspots", "routing"):
        for node in ast.walk(ast.parse((root / f"{module}.py").read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Comparison":
                keywords = {k.arg: k.value for k in node.keywords}
                metric = node.args[0] if node.args else keywords.get("metric")
                if isinstance(metric, ast.Constant):
                    names.add(str(metric.value))
                elif isinstance(metric, ast.JoinedStr):
                    text = ast.unparse(metric)
                    names.add(eval(text, {"TARGET_MEDIAN_DELAY_H": TARGET_MEDIAN_DELAY_H}))
                unit = keywords.get("unit")
                if isinstance(unit, ast.Constant) and unit.value:
                    units.add(str(unit.value))
            if isinstance(node, ast.For) and isinstance(node.iter, ast.Tuple):
                for row in node.iter.elts:
                    if isinstance(row, ast.Tuple) and len(row.elts) == 4:
                        first, *_, last = (ast.literal_eval(e) for e in row.elts)
                        names.add(first)
                        if last:
                            units.add(last)
    return names, units


def test_every_metric_the_models_publish_has_its_korean_name() -> None:
    from dashboards.figures.analytics import METRICS, UNITS

    names, units = _published_metrics()
    assert len(names) >= 14
    assert names <= set(METRICS), names - set(METRICS)
    assert units <= set(UNITS) | {"station-hours", "series-days", "cell-hours", "complaints"}
