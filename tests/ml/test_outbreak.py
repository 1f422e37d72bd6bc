"""The outbreak model, its EARS baselines, its generator and its metrics."""

from __future__ import annotations

import dataclasses
import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from ml.baselines.ears import Ears
from ml.errors import InvalidScale, InvalidSeed
from ml.features import gu_adjacency
from ml.generators.outbreaks import (
    STREAMS,
    Episode,
    OutbreakSettings,
    OutbreakTruth,
    SyndromicCounts,
    generate,
)
from ml.metrics.outbreak import days_earlier, score_alarms
from ml.outbreak import (
    NAME,
    InvalidWindow,
    OutbreakModel,
    SeriesWindow,
    city_features,
    train,
    window_at,
    window_features,
)
from ml.outbreak_features import WINDOW_DAYS
from ml.registry import Registry
from ml.trained import TrainedModel

# A series with period 7 whose every 7-day window is {3, 5, 3, 5, 3, 5, 4}: mean 4, sample
# sd 1 (squares 1+1+1+1+1+1+0 = 6, / (7 − 1) = 1). Days 20–22 are set by hand.
PERIOD = [3.0, 5.0, 3.0, 5.0, 3.0, 5.0, 4.0]
SERIES = np.array([PERIOD[t % 7] for t in range(20)] + [6.0, 7.0, 9.0])


# EARS, hand-computed (Fricker, Hegler & Dunfee 2008 §2.1):
#   C1(20): baseline days 13–19 → mean 4, sd 1 → (6 − 4) / 1 = 2
#   C1(21): baseline days 14–20 = {3,5,3,5,3,5,6} → mean 30/7, squares 66/7, sd √(11/7)
#           = 1.2535663
#           → (7 − 30/7) / 1.2535663 = 2.1652510
#   C2(20), C2(21), C2(22): baselines days 11–17, 12–18, 13–19, all periodic → mean 4, sd 1
#           → 2, 3, 5
#   C3(t) = Σ_{t−2..t} max(0, C2 − 1); C2(18) = (3 − 4)/1 = −1, C2(19) = (5 − 4)/1 = 1
#   C3(20) = 0 + 0 + 1 = 1;  C3(21) = 0 + 1 + 2 = 3;  C3(22) = 1 + 2 + 4 = 7
@pytest.mark.parametrize(
    ("method", "day", "expected"),
    [
        pytest.param("C1", 20, 2.0, id="c1-periodic-baseline"),
        pytest.param("C1", 21, 2.1652510, id="c1-baseline-includes-yesterday"),
        pytest.param("C2", 20, 2.0, id="c2-day20"),
        pytest.param("C2", 21, 3.0, id="c2-day21"),
        pytest.param("C2", 22, 5.0, id="c2-guard-band-skips-days-20-21"),
        pytest.param("C3", 20, 1.0, id="c3-day20"),
        pytest.param("C3", 21, 3.0, id="c3-day21"),
        pytest.param("C3", 22, 7.0, id="c3-day22"),
    ],
)
def test_ears_statistic_hand_made_series_matches_hand_computed(
    method: str, day: int, expected: float
) -> None:
    # when
    statistic = Ears(method).statistic(SERIES)  # type: ignore[arg-type]

    # then
    assert statistic[day] == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("method", "alarm_days"),
    [
        pytest.param("C1", [], id="c1-never-above-3"),
        pytest.param("C2", [22], id="c2-exactly-3-is-no-alarm"),
        pytest.param("C3", [21, 22], id="c3-above-2"),
    ],
)
def test_ears_alarms_hand_made_series_signal_above_threshold(
    method: str, alarm_days: list[int]
) -> None:
    # when
    alarms = Ears(method).alarms(SERIES)  # type: ignore[arg-type]

    # then
    assert np.flatnonzero(alarms[20:]).tolist() == [d - 20 for d in alarm_days]


def test_ears_statistic_short_history_is_undefined() -> None:
    # when
    c1, c2 = Ears("C1").statistic(SERIES), Ears("C2").statistic(SERIES)

    # then: C1 needs 3 days of baseline (day 3 on), C2 three days before a 2-day guard band
    assert np.isnan(c1[:3]).all()
    assert not np.isnan(c1[3])
    assert np.isnan(c2[:5]).all()
    assert not np.isnan(c2[5])


def test_ears_missing_day_gives_no_statistic_and_is_left_out_of_baselines() -> None:
    # given: day 15 missing; C2(22)'s baseline (days 13–19) keeps 6 days {4,3,3,5,3,5}
    series = SERIES.copy()
    series[15] = np.nan

    # when
    c2 = Ears("C2").statistic(series)

    # then: mean 23/6, squares 29/6, sd √(29/30) = 0.9831921; (9 − 23/6) / 0.9831921 = 5.2549922
    assert np.isnan(c2[15])
    assert c2[22] == pytest.approx(5.2549922, abs=1e-6)
    assert not Ears("C2").alarms(series)[15]


def test_ears_flat_baseline_uses_min_sigma() -> None:
    # given
    series = np.array([4.0] * 9 + [5.0])

    # when / then: sd 0 counts as min_sigma 0.5 → (5 − 4) / 0.5 = 2
    assert Ears("C2").statistic(series)[9] == pytest.approx(2.0)
    assert Ears("C2", min_sigma=0.25).statistic(series)[9] == pytest.approx(4.0)


def test_ears_statistic_works_along_the_last_axis() -> None:
    # given
    stacked = np.stack([SERIES, SERIES * 2])

    # when
    c2 = Ears("C2").statistic(stacked)

    # then: scaling a series leaves z-scores unchanged
    assert c2.shape == stacked.shape
    np.testing.assert_allclose(c2[0], c2[1], equal_nan=True)


def test_generate_same_seed_same_draw_other_seed_other_draw() -> None:
    # when
    first, truth = generate(3)
    again, truth_again = generate(3)
    other, _ = generate(4)

    # then
    assert np.array_equal(first.counts, again.counts, equal_nan=True)
    assert truth == truth_again
    assert not np.array_equal(first.counts, other.counts, equal_nan=True)


def test_generate_first_rows_are_pinned() -> None:
    # when
    observed, truth = generate(0)

    # then: gu 11110 (Jongno), respiratory, 1–4 January 2024 (New Year's Day a holiday)
    assert observed.counts[:, 0, 0, :4].tolist() == [
        [15.0, 5.0, 9.0, 8.0],
        [5.0, 32.0, 17.0, 24.0],
        [102.0, 66.0, 124.0, 74.0],
    ]
    assert truth.episodes[0].onset == 215
    assert truth.episodes[0].peak == 231


def test_generate_returns_truth_apart_from_observable_counts() -> None:
    # when
    observed, truth = generate(1)

    # then: the observable part carries counts and their axes, nothing about outbreaks
    fields = {f.name for f in dataclasses.fields(SyndromicCounts)}
    assert fields == {"days", "gu", "syndromes", "streams", "counts"}
    assert observed.counts.shape == (3, 25, 3, OutbreakSettings().days)
    assert isinstance(truth, OutbreakTruth)
    assert truth.episodes
    assert all(e.onset < e.peak < e.end for e in truth.episodes)


def test_generate_structure_weekly_missing_and_spread() -> None:
    # given
    observed, truth = generate(2)
    weekday = (observed.days.astype(np.int64) + 3) % 7
    pharmacy = observed.stream("pharmacy")

    # then: pharmacies nearly closed on Sundays
    sunday = np.nanmean(pharmacy[..., weekday == 6])
    midweek = np.nanmean(pharmacy[..., weekday == 2])
    assert sunday < 0.3 * midweek
    # missing days exist but are few
    assert 0.01 < np.isnan(observed.counts).mean() < 0.06
    # outbreaks spread to neighbouring gu, later than the gu they came from
    _, adjacency = gu_adjacency()
    spread = [e for e in truth.episodes if e.generation > 0]
    assert spread
    for e in spread:
        sources = [
            s
            for s in truth.episodes
            if s.outbreak == e.outbreak and s.generation == e.generation - 1
        ]
        assert any(adjacency[s.gu, e.gu] and s.peak < e.peak for s in sources)


def test_generate_searches_and_pharmacies_peak_before_er() -> None:
    # given
    observed, truth = generate(2)
    leads = []
    for e in truth.episodes:
        if e.peak_excess < 1.0:
            continue
        span = slice(e.onset, e.end + 1)
        peaks = [np.nanargmax(observed.counts[s, e.gu, e.syndrome, span]) for s in range(3)]
        leads.append((peaks[0] - peaks[1], peaks[0] - peaks[2]))

    # then: on average pharmacy sales and searches peak days before ER visits
    pharmacy_lead, search_lead = np.mean(leads, axis=0)
    assert len(leads) > 20
    assert pharmacy_lead > 1.0
    assert search_lead > 2.0


def _one_series_truth() -> OutbreakTruth:
    return OutbreakTruth(
        (
            Episode(0, 0, 0, onset=10, peak=15, end=20, peak_excess=1.0, generation=0,
                    er_rise=3, pharmacy_lead=1, search_lead=2),
            Episode(1, 0, 1, onset=10, peak=16, end=22, peak_excess=1.0, generation=0,
                    er_rise=3, pharmacy_lead=1, search_lead=3),
        ),
        warmup_days=8,
    )  # fmt: skip


def test_score_alarms_hand_made_case() -> None:
    # given: series (gu 0, syndrome 0) alarms on day 5 (warm-up, unscored), 12 (in its
    # episode, 3 days before the peak) and 30 (false); syndrome 1 never alarms
    alarms = np.zeros((1, 2, 40), dtype=bool)
    alarms[0, 0, [5, 12, 30]] = True

    # when
    score = score_alarms(alarms, _one_series_truth(), first_day=8)

    # then: 1 of 2 detected, 1 false alarm day over 2 series × 32 days
    assert score.sensitivity == 0.5
    assert score.first_alarm == (12, -1)
    assert score.warning_days_mean == 3.0
    assert score.false_alarm_days == 1
    assert score.false_alarms_per_year == pytest.approx(1 / (64 / 365.25))


def test_score_alarms_alarm_after_peak_is_negative_warning() -> None:
    # given
    alarms = np.zeros((1, 2, 40), dtype=bool)
    alarms[0, 0, 18] = True  # after the peak (15), within the episode (to day 20)
    alarms[0, 1, 21] = True

    # when
    score = score_alarms(alarms, _one_series_truth(), first_day=8)

    # then
    assert score.warning == (-3.0, -5.0)
    assert score.false_alarm_days == 0


def test_days_earlier_counts_only_episodes_both_detected() -> None:
    # given
    truth = _one_series_truth()
    early = np.zeros((1, 2, 40), dtype=bool)
    early[0, 0, 11] = early[0, 1, 12] = True
    late = np.zeros((1, 2, 40), dtype=bool)
    late[0, 0, 15] = True

    # when
    earlier, both = days_earlier(score_alarms(early, truth, 8), score_alarms(late, truth, 8))

    # then
    assert (earlier, both) == (4.0, 1)


def test_window_features_equal_city_features_of_that_day() -> None:
    # given: a drawn city, a few (gu, syndrome, day), one with a missing ER day in its window
    observed, _ = generate(5)
    missing = np.argwhere(np.isnan(observed.counts[0, :, :, 200:300]))[0]
    picks = [(0, 0, WINDOW_DAYS - 1), (12, 2, 400), (int(missing[0]), int(missing[1]), 210 + 200)]

    # when
    windows = [window_at(observed, g, s, t) for g, s, t in picks]
    served = window_features(windows)
    city = city_features(observed)

    # then
    expected = np.array([city[g, s, t] for g, s, t in picks])
    np.testing.assert_allclose(served, expected, rtol=1e-9, atol=1e-12, equal_nan=True)


@pytest.fixture(scope="module")
def trained() -> TrainedModel:
    return train()


def test_train_model_beats_ears_c2_at_default_scale(trained: TrainedModel) -> None:
    # given
    by_metric = {c.metric: c for c in trained.comparisons}
    earlier = by_metric["first alarm earlier than ears_c2 (episodes both detected)"]
    false_alarms = by_metric["false alarms per series-year"]
    sensitivity = by_metric["sensitivity"]

    # then: earlier than C2 at about C2's false-alarm rate, detecting at least as many
    assert earlier.model >= 2.0
    assert false_alarms.model <= 1.25 * false_alarms.baselines["ears_c2"]
    assert sensitivity.model >= sensitivity.baselines["ears_c2"]
    assert set(sensitivity.baselines) == {"ears_c1", "ears_c2", "ears_c3"}
    assert not set(trained.data.train_seeds) & set(trained.data.eval_seeds)


def test_train_registry_round_trip_scores_the_same(trained: TrainedModel, tmp_path: Path) -> None:
    # given
    observed, _ = generate(7)
    windows = [window_at(observed, g, g % 3, 100 + 7 * g) for g in range(25)]
    registry = Registry(tmp_path)

    # when
    version = registry.add(trained).version
    registry.promote(NAME, version)
    stored = OutbreakModel.from_stored(registry.load(NAME)).score_many(windows)
    direct = OutbreakModel.from_trained(trained).score_many(windows)

    # then
    assert [s.score for s in stored] == pytest.approx([s.score for s in direct], abs=1e-12)
    assert [s.alarm for s in stored] == [s.alarm for s in direct]
    assert all(0.0 <= s.score <= 1.0 for s in stored)
    assert all(s.needs_review == s.alarm for s in stored)


@pytest.mark.parametrize("scale", [0.0, -0.1, 1.5, math.nan])
def test_train_scale_outside_unit_interval_is_refused(scale: float) -> None:
    with pytest.raises(InvalidScale):
        train(scale=scale)


@pytest.mark.parametrize("seed", [-1, 10_000])
def test_train_seed_that_would_overlap_evaluation_is_refused(seed: int) -> None:
    with pytest.raises(InvalidSeed):
        train(seed=seed)


def _window(**changes: object) -> SeriesWindow:
    days = [10.0] * WINDOW_DAYS
    base = SeriesWindow(
        end=date(2025, 3, 4),
        own={s: days for s in STREAMS},
        neighbours={s: [days, days] for s in STREAMS},
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("window", "field"),
    [
        pytest.param(_window(own={"er": [1.0] * 36, "pharmacy": [1.0] * 36}), "own.search",
                     id="missing-stream"),
        pytest.param(_window(own={s: [1.0] * 20 for s in STREAMS}), "own.er", id="too-short"),
        pytest.param(_window(own={s: [-1.0] * 36 for s in STREAMS}), "own.er", id="negative"),
        pytest.param(_window(own={s: ["x"] * 36 for s in STREAMS}), "own.er", id="not-numbers"),
        pytest.param(
            _window(neighbours={"er": [[1.0] * 36], "pharmacy": [], "search": []}),
            "neighbours",
            id="neighbours-differ-by-stream",
        ),
    ],
)  # fmt: skip
def test_score_bad_window_raises_typed_error(
    trained: TrainedModel, window: SeriesWindow, field: str
) -> None:
    # given
    model = OutbreakModel.from_trained(trained)

    # when / then
    with pytest.raises(InvalidWindow) as raised:
        model.score(window)
    assert raised.value.field == field


def test_score_window_with_missing_days_and_no_neighbours(trained: TrainedModel) -> None:
    # given
    own: dict[str, list[float | None]] = {s: [10.0] * WINDOW_DAYS for s in STREAMS}
    own["er"][-1] = None

    # when
    result = OutbreakModel.from_trained(trained).score(
        SeriesWindow(end=date(2025, 3, 4), own=own, neighbours={})
    )

    # then
    assert 0.0 <= result.score <= 1.0
    assert result.end == date(2025, 3, 4)
