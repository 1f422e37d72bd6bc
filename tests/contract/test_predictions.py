"""The models' predictions as records, the same on SQLite and PostgreSQL: a scoring's rows
replace the window they score, the newest window is found, a subject's history reads back."""

from __future__ import annotations

from dataclasses import replace

import pytest

from graph.records import Records
from graph.records.predictions import (
    PredictionRow,
    WindowSummary,
    latest_window,
    predictions_by_key,
    predictions_in_window,
    put_predictions,
    subject_history,
    window_summary,
)

HOUR = 3600
T0 = 1_796_000_400  # a whole UTC hour


@pytest.fixture
def records(empty_records: Records) -> Records:
    return empty_records


def row(
    subject: str, start: int, score: float, *, gu: str = "11110", version: str = "v1"
) -> PredictionRow:
    return PredictionRow(
        model="water",
        model_version=version,
        kind="water_anomaly",
        subject=subject,
        district_code=gu,
        window_start=start,
        window_end=start + HOUR,
        score=score,
        alarm=score >= 0.5,
        detail=None,
        scored_at=start + HOUR,
    )


async def test_a_window_scored_again_is_replaced_and_the_newest_window_is_read(
    records: Records,
) -> None:
    # given two hours of two stations
    await put_predictions(
        records,
        [row("wq-a", T0, 0.1), row("wq-b", T0, 0.7, gu="11140"), row("wq-a", T0 + HOUR, 0.2)],
    )
    # when the second hour of wq-a is scored again by a new version
    await put_predictions(records, [row("wq-a", T0 + HOUR, 0.9, version="v2")])
    # then that hour holds the new answer, alone
    assert await latest_window(records, "water_anomaly") == T0 + HOUR
    newest = await predictions_in_window(records, "water_anomaly", T0 + HOUR)
    assert [(p.subject, p.score, p.alarm, p.model_version) for p in newest] == [
        ("wq-a", 0.9, True, "v2")
    ]
    # and the first hour reads highest score first, filtered by gu and by alarm
    first = await predictions_in_window(records, "water_anomaly", T0)
    assert [p.subject for p in first] == ["wq-b", "wq-a"]
    assert [
        p.subject
        for p in await predictions_in_window(records, "water_anomaly", T0, alarms_only=True)
    ] == ["wq-b"]
    assert await latest_window(records, "water_anomaly", "11140") == T0
    assert await latest_window(records, "outbreak_risk") is None
    # and a subject's history is oldest first
    history = await subject_history(records, "water_anomaly", "wq-a", since=T0)
    assert [(p.window_start, p.score) for p in history] == [(T0, 0.1), (T0 + HOUR, 0.9)]


async def test_a_row_of_no_known_kind_or_an_empty_window_writes_nothing(records: Records) -> None:
    bad = row("wq-a", T0, 0.3)
    with pytest.raises(ValueError, match="kind"):
        await put_predictions(records, [row("wq-b", T0, 0.1), replace(bad, kind="mood")])
    with pytest.raises(ValueError, match="window"):
        await put_predictions(records, [replace(bad, window_end=T0)])
    assert await latest_window(records, "water_anomaly") is None


async def test_a_window_pages_by_score_then_subject_and_is_counted(records: Records) -> None:
    # given one hour of five stations, two of them tied at 0.5, and another hour
    scores = {"wq-a": 0.2, "wq-b": 0.5, "wq-c": 0.9, "wq-d": 0.5, "wq-e": 0.1}
    await put_predictions(
        records,
        [row(s, T0, v, gu="11140" if s in ("wq-b", "wq-c") else "11110") for s, v in scores.items()]
        + [row("wq-a", T0 + HOUR, 0.3, version="v2")],
    )
    # when the window is read two rows at a time, each page after the last row's key
    pages: list[list[str]] = []
    after: tuple[float, str] | None = None
    for _ in range(5):  # more pages than rows: a key that did not advance shows as a repeat
        page = await predictions_in_window(records, "water_anomaly", T0, after=after, limit=2)
        if not page:
            break
        pages.append([p.subject for p in page])
        after = (page[-1].score, page[-1].subject)
    # then the pages run highest score first, ties by subject, with no row twice or missed
    assert pages == [["wq-c", "wq-b"], ["wq-d", "wq-a"], ["wq-e"]]
    # and a page of one gu's alarms after a key keeps both filters
    alarms = await predictions_in_window(
        records, "water_anomaly", T0, district_code="11140", alarms_only=True, after=(0.9, "wq-c")
    )
    assert [p.subject for p in alarms] == ["wq-b"]
    # and the window's summary counts its rows and alarms, in the city and in one gu
    assert await window_summary(records, "water_anomaly", T0) == WindowSummary(
        rows=5, alarms=3, window_end=T0 + HOUR, model_versions=("v1",)
    )
    assert await window_summary(records, "water_anomaly", T0, "11140") == WindowSummary(
        rows=2, alarms=2, window_end=T0 + HOUR, model_versions=("v1",)
    )
    assert await window_summary(records, "outbreak_risk", T0) == WindowSummary(0, 0, None, ())


async def test_predictions_are_found_by_their_keys_in_one_query(records: Records) -> None:
    await put_predictions(records, [row("wq-a", T0, 0.2), row("wq-a", T0 + HOUR, 0.6)])
    before = records.calls
    found = await predictions_by_key(
        records,
        [
            ("water_anomaly", "wq-a", T0 + HOUR),
            ("water_anomaly", "wq-a", T0),
            ("water_anomaly", "wq-z", T0),
            ("hotspot_risk", "wq-a", T0),
            ("water_anomaly", "wq-a", T0),
        ],
    )
    assert records.calls - before == 1
    assert {key: p.score for key, p in found.items()} == {
        ("water_anomaly", "wq-a", T0 + HOUR): 0.6,
        ("water_anomaly", "wq-a", T0): 0.2,
    }
    assert await predictions_by_key(records, []) == {}
