"""The water model: its generator, baselines, metrics, training at a tiny scale and serving."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from ml.baselines.water_cusum import cusum_scores
from ml.baselines.water_threshold import BudgetThreshold, standard_alarms
from ml.errors import InvalidScale, InvalidSeed
from ml.generators.water import (
    DO,
    MEASURES,
    PH,
    TN,
    PollutionEvent,
    WaterObserved,
    WaterSettings,
    WaterTruth,
    generate,
)
from ml.metrics.water import alarm_episodes, score_alarms, threshold_for_budget
from ml.registry import Registry
from ml.trained import TrainedModel
from ml.water import (
    ReadingsInvalid,
    StationReadings,
    WaterModel,
    WaterScores,
    _river_scores,
    train,
)
from ml.water_deviation import cusum

SMALL = WaterSettings(stations=3, days=30)


def _readings(observed: WaterObserved, station: int) -> StationReadings:
    values = {m: observed.values[station, :, i] for i, m in enumerate(MEASURES)}
    return StationReadings(observed.times, values)


def _quiet_station(hours: int, seed: int = 0) -> np.ndarray:
    """(1, hours, 6) readings with a daily cycle and small noise, no event."""
    rng = np.random.default_rng(seed)
    daily = np.sin(2 * np.pi * np.arange(hours) / 24)
    base = np.array([9.0, 2.5, 0.08, 8.0, 15.0, 7.6])
    swing = np.array([0.4, 0.0, 0.0, 0.0, 0.5, 0.2])
    noise = np.array([0.1, 0.05, 0.004, 0.5, 0.1, 0.03])
    values = base + daily[:, None] * swing + rng.normal(0, 1, (hours, 6)) * noise
    return values[None]


# Generator


def test_generate_same_seed_same_draw_pinned_first_rows() -> None:
    # given / when
    first, truth = generate(7, SMALL)
    again, truth_again = generate(7, SMALL)
    other, _ = generate(8, SMALL)
    # then
    np.testing.assert_array_equal(first.values, again.values)
    assert truth.events == truth_again.events
    assert not np.array_equal(first.values, other.values, equal_nan=True)
    assert str(first.times[0]) == "2024-04-05T00"
    assert first.values[0, 0].tolist() == [10.195, 2.285, 0.054, 4.309, 10.449, 7.641]
    assert first.stations == ("Han River km 0", "Han River km 6", "Han River km 12")


def test_generate_truth_apart_from_observed() -> None:
    # given
    observed, truth = generate(7, SMALL)
    # then: the observable part holds readings only, the truth the events and their hours
    assert {f.name for f in dataclasses.fields(WaterObserved)} == {
        "times",
        "stations",
        "km",
        "values",
    }
    assert observed.values.shape == (3, 30 * 24, 6)
    assert truth.affected.shape == observed.values.shape[:2]
    assert truth.events
    for event in truth.events:
        stations = [s for s, _, _ in event.reached]
        assert stations[0] == event.origin
        starts = [start for _, start, _ in event.reached]
        assert starts == sorted(starts)  # it travels downstream
        for s, start, end in event.reached:
            assert truth.affected[s, start : end + 1].all()
    assert np.isnan(observed.values).any()
    assert (np.isnan(observed.values) <= truth.faults).all()  # every gap is a recorded fault


def test_generate_sewage_raises_nitrogen_at_its_origin() -> None:
    # given: a draw with a sewage event
    for seed in range(20):
        observed, truth = generate(seed, SMALL)
        sewage = [e for e in truth.events if e.kind == "sewage"]
        if sewage:
            break
    event = sewage[0]
    s, start, end = event.reached[0]
    # then
    before = np.nanmean(observed.values[s, start - 24 : start, TN])
    during = np.nanmean(observed.values[s, start + 4 : end - 4, TN])
    assert during > before + 0.3


# Baselines


def test_cusum_signals_a_step_at_the_hour_it_crosses() -> None:
    # given: z = 0, then a 3σ step at hour 100 (S grows by 3 − 0.5 an hour)
    z = np.zeros((200, 1))
    z[100:] = 3.0
    z[50] = np.nan  # a missing hour holds the statistic
    # when
    s = cusum(z)
    # then
    assert s[99, 0] == 0
    assert s[100, 0] == 2.5
    assert int(np.argmax(s[:, 0] >= 5.0)) == 101


def test_cusum_scores_find_a_nitrogen_step() -> None:
    # given
    values = _quiet_station(24 * 30)
    values[0, 600:, TN] += 1.0
    # when
    scores = cusum_scores(values)[0]
    # then
    h = scores[24 * 16 : 600].max() + 1.0
    assert 600 <= int(np.argmax(scores >= h)) <= 602


def test_standard_thresholds_alarm_from_the_step_hour() -> None:
    # given
    values = _quiet_station(100)
    values[0, 50:, DO] = 4.0  # below grade III's 5.0 mg/L
    values[0, 70, PH] = 9.0
    values[0, 10, DO] = np.nan
    # when
    alarms = standard_alarms(values)[0]
    # then
    assert not alarms[:50].any()
    assert alarms[50:].all()


def test_budget_threshold_scores_exceedance_in_iqrs() -> None:
    # given
    quiet = _quiet_station(24 * 20)
    fixed = BudgetThreshold().fit([quiet])
    values = _quiet_station(200, seed=1)
    values[0, 120:, TN] += 2.0
    # when
    scores = fixed.score(values)[0]
    # then
    k = scores[:120].max() + 0.5
    assert int(np.argmax(scores >= k)) == 120


# Metrics


def _truth(stations: int, hours: int, events: tuple[PollutionEvent, ...]) -> WaterTruth:
    affected = np.zeros((stations, hours), dtype=bool)
    for event in events:
        for s, start, end in event.reached:
            affected[s, start : end + 1] = True
    return WaterTruth(events, affected, np.zeros((stations, hours)), np.zeros((0,), dtype=bool))


def test_score_alarms_delay_false_alarms_and_precision() -> None:
    # given: one event from hour 10, at station 0 hours 12–20, at station 1 hours 15–25
    event = PollutionEvent("sewage", 0, 10, 8, 1.0, ((0, 12, 20), (1, 15, 25)))
    truth = _truth(2, 200, (event,))
    alarms = np.zeros((2, 200), dtype=bool)
    alarms[1, 16:18] = True  # found at station 1, 6 h after onset
    alarms[0, 40] = True  # false: after the grace hours (20 + 6)
    alarms[0, [100, 101, 104]] = True  # one false episode (gap < 6 h)
    # when
    score = score_alarms(alarms, truth)
    # then
    assert score.delays == (6.0,)
    assert (score.false_alarms, score.true_alarms) == (2, 1)
    assert score.precision == pytest.approx(1 / 3)
    assert score.false_alarms_per_station_month == pytest.approx(2 / (2 * 200 / 730.5))
    assert alarm_episodes(alarms[0]) == [(40, 40), (100, 104)]


def test_score_alarms_counts_a_miss_as_infinite_delay() -> None:
    event = PollutionEvent("industrial", 0, 10, 8, 1.0, ((0, 10, 20),))
    score = score_alarms(np.zeros((1, 100), dtype=bool), _truth(1, 100, (event,)))
    assert score.delays == (float("inf"),)
    assert score.median_delay == float("inf")
    assert score.detected == 0.0


def test_threshold_for_budget_keeps_false_alarms_within_it() -> None:
    # given: scores with three isolated false peaks of 5, 4 and 3 over 1 station-month
    hours = 731
    scores = np.zeros((1, hours))
    scores[0, [100, 300, 500]] = [5.0, 4.0, 3.0]
    truth = _truth(1, hours, ())
    # when
    threshold = threshold_for_budget([scores], [truth], 2.0)
    # then: a budget of 2 allows the peaks of 5 and 4, not 3
    assert 3.0 < threshold <= 4.0


# Training and serving


@pytest.fixture(scope="module")
def trained() -> TrainedModel:
    return train(scale=0.1, seed=0)


def test_train_tiny_model_beats_baselines(trained: TrainedModel) -> None:
    # then: at the same false-alarm budget the model finds events sooner than both baselines
    by_metric = {c.metric: c for c in trained.comparisons}
    matched = by_metric["median detection delay, thresholds matched on the evaluation draws"]
    assert matched.met
    assert by_metric["events found within 4 h"].met
    assert set(trained.data.train_seeds).isdisjoint(trained.data.eval_seeds)
    assert trained.features == tuple(trained.serving["features"])


def test_registry_round_trip_predicts_the_same(trained: TrainedModel, tmp_path: Path) -> None:
    # given
    stored = Registry(tmp_path).add(trained)
    model = WaterModel.from_stored(stored)
    observed, _ = generate(10_000, WaterSettings(stations=2, days=20))
    # when
    served = model.predict(_readings(observed, 1), _readings(observed, 0))
    # then: the same scores as the evaluation path, and alarms by the stored threshold
    expected = _river_scores(trained.booster, observed)[1]
    np.testing.assert_allclose(served.scores, expected)
    assert model.threshold == trained.serving["threshold"]
    np.testing.assert_array_equal(served.alarms, expected >= model.threshold)
    assert served.times.shape == served.scores.shape == (20 * 24,)
    assert set(served.alarm_onsets.tolist()) <= set(served.times[served.alarms].tolist())


def test_alarm_onsets_start_each_episode() -> None:
    # given: alarms at hours 2–3, 6 (same episode: 3 h apart) and 20
    times = np.datetime64("2025-07-01T00", "h") + np.arange(24).astype("timedelta64[h]")
    alarms = np.zeros(24, dtype=bool)
    alarms[[2, 3, 6, 20]] = True
    # when
    scores = WaterScores(times, alarms.astype(float), alarms, 0.5)
    # then
    assert scores.alarm_onsets.tolist() == [times[2].item(), times[20].item()]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param(lambda r, u: (StationReadings(r.times, {}), u), "readings", id="no-measures"),
        pytest.param(
            lambda r, u: (StationReadings(r.times, {**r.values, "cod": r.values["ph"]}), u),
            "readings",
            id="unknown-measure",
        ),
        pytest.param(
            lambda r, u: (
                StationReadings(r.times[::2], {m: v[::2] for m, v in r.values.items()}),
                u,
            ),
            "readings",
            id="gappy-times",
        ),
        pytest.param(
            lambda r, u: (r, StationReadings(u.times[:5], {m: v[:5] for m, v in u.values.items()})),
            "upstream",
            id="upstream-other-hours",
        ),
        pytest.param(
            lambda r, u: (StationReadings(r.times, {**r.values, "ph": [7.0]}), u),
            "readings",
            id="short-measure",
        ),
    ],
)
def test_predict_malformed_readings_raise_typed_error(
    trained: TrainedModel, change: object, field: str
) -> None:
    # given
    model = WaterModel(trained.booster, float(trained.serving["threshold"]))
    observed, _ = generate(3, WaterSettings(stations=2, days=3))
    readings, upstream = change(_readings(observed, 1), _readings(observed, 0))  # type: ignore[operator]
    # when / then
    with pytest.raises(ReadingsInvalid) as error:
        model.predict(readings, upstream)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("scale", "seed", "error"),
    [(0.0, 0, InvalidScale), (1.5, 0, InvalidScale), (0.1, -1, InvalidSeed)],
)
def test_train_refuses_bad_scale_or_seed(scale: float, seed: int, error: type[Exception]) -> None:
    with pytest.raises(error):
        train(scale=scale, seed=seed)
