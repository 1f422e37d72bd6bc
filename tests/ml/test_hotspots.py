"""The hotspot model: its grid, PAI, the KDE baseline, the incident generator, training, serving."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
import shapely

from ml.baselines.kernel_density import KernelDensityHotspots, kernel_density, quartic_kernel
from ml.generators.incidents import (
    EPOCH,
    Incidents,
    IncidentSettings,
    IncidentTruth,
    generate,
)
from ml.hotspot_features import HISTORY_HOURS, same_hours
from ml.hotspot_grid import CELL_M, UnknownGu, build_grid, gu_polygons_m, sub_area
from ml.hotspots import (
    NAME,
    HotspotInputInvalid,
    HotspotInputs,
    HotspotModel,
    InvalidScale,
    origins,
    train,
)
from ml.metrics.hotspots import AreaShareOutOfRange, hotspot_score, top_cells
from ml.registry import Registry
from ml.trained import TrainedModel
from seeds.districts import seoul_gu

TINY = 0.04  # one gu (Jung-gu, 159 cells)
JUNG_GU = ("11140",)


@pytest.fixture(scope="module")
def trained() -> TrainedModel:
    return train(scale=TINY, seed=0)


# grid


def test_grid_cells_are_250_m_squares_covering_seoul_each_in_its_gu() -> None:
    # given every gu of Seoul
    codes = tuple(a.code for a in seoul_gu())
    # when the grid is built
    grid = build_grid(codes)
    # then centres sit on a 250 m lattice
    assert grid.cell_m == CELL_M == 250.0
    assert np.allclose((grid.x - grid.origin[0]) % 250.0, 125.0)
    assert np.allclose((grid.y - grid.origin[1]) % 250.0, 125.0)
    # and the cells cover Seoul's projected area within 1 %
    polygons = gu_polygons_m()
    seoul_km2 = sum(p.area for p in polygons.values()) / 1e6
    assert grid.n_cells * grid.cell_km2 == pytest.approx(seoul_km2, rel=0.01)
    # and each centre lies inside the gu it is labelled with
    for code in codes:
        mine = grid.gu == code
        assert mine.any()
        assert shapely.contains_xy(polygons[code], grid.x[mine], grid.y[mine]).all()
    assert set(grid.gu) == set(codes)


def test_cells_at_finds_each_centre_and_none_outside() -> None:
    grid = build_grid(JUNG_GU)
    assert (grid.cells_at(grid.x, grid.y) == np.arange(grid.n_cells)).all()
    far = grid.cells_at(np.array([grid.origin[0] - 10.0]), np.array([grid.origin[1]]))
    assert far.tolist() == [-1]


def test_sub_area_grows_from_jung_gu_across_borders() -> None:
    assert sub_area(1) == JUNG_GU
    five = sub_area(5)
    assert len(five) == 5
    assert "11140" in five
    assert sub_area(25) == tuple(sorted(a.code for a in seoul_gu()))


@pytest.mark.parametrize("codes", [("11999",), ()], ids=["not-seoul", "empty"])
def test_build_grid_refuses_codes_that_are_not_seoul_gu(codes: tuple[str, ...]) -> None:
    with pytest.raises(UnknownGu):
        build_grid(codes)


# metrics


def test_pai_and_hit_rate_of_a_hand_made_case() -> None:
    # given 20 cells, 10 % of the area flagged (2 cells) in each of two hours
    scores = np.zeros((2, 20))
    scores[0, [3, 7]] = [2.0, 1.0]
    scores[1, [5, 9]] = [1.0, 1.0]
    outcomes = np.zeros((2, 20))
    outcomes[0, [3, 7, 0]] = [2, 1, 1]  # 3 of 4 in the flagged cells
    outcomes[1, [5, 12]] = [1, 3]  # 1 of 4
    # when scored
    score = hotspot_score(scores, outcomes, 0.10)
    # then hit rate = 4 / 8 and PAI = 0.5 / 0.1
    assert score.hits == 4
    assert score.hit_rate == pytest.approx(0.5)
    assert score.area_share == pytest.approx(0.1)
    assert score.pai == pytest.approx(5.0)


def test_top_cells_break_ties_by_lower_index() -> None:
    assert top_cells(np.array([1.0, 3.0, 3.0, 3.0]), 0.5).tolist() == [1, 2]


@pytest.mark.parametrize("share", [0.0, -0.1, 1.5], ids=["zero", "negative", "over-one"])
def test_an_area_share_outside_zero_one_is_refused(share: float) -> None:
    with pytest.raises(AreaShareOutOfRange):
        top_cells(np.ones(10), share)


# KDE baseline


def test_quartic_kernel_integrates_to_one_and_ends_at_the_bandwidth() -> None:
    step = 5.0
    axis = np.arange(-600.0, 600.0 + step, step)
    xx, yy = np.meshgrid(axis, axis)
    assert quartic_kernel(np.hypot(xx, yy), 500.0).sum() * step**2 == pytest.approx(1.0, rel=1e-3)
    assert quartic_kernel(np.array([500.0, 700.0]), 500.0).tolist() == [0.0, 0.0]


def test_kernel_density_of_one_incident_follows_the_kernel() -> None:
    # given one incident in a cell of Jung-gu
    grid = build_grid(JUNG_GU)
    cell = grid.n_cells // 2
    counts = np.zeros(grid.n_cells)
    counts[cell] = 1
    # when mapped with a 500 m bandwidth
    density = kernel_density(grid, counts, 500.0)
    # then each cell's density is the kernel at its distance from the incident's cell
    distance = np.hypot(grid.x - grid.x[cell], grid.y - grid.y[cell])
    assert np.allclose(density, quartic_kernel(distance, 500.0))
    assert density[cell] == pytest.approx(3 / (np.pi * 500.0**2))


def test_kde_fit_chooses_the_bandwidth_that_reaches_next_weeks_incidents() -> None:
    # given past incidents in one cell and the next incidents in the cell beside it
    grid = build_grid(JUNG_GU)
    cell = grid.n_cells // 2
    beside = int(grid.cells_at(grid.x[[cell]] + 250.0, grid.y[[cell]])[0])
    assert beside >= 0
    past = np.zeros((grid.n_cells, 168), dtype=np.int32)
    past[cell, 100] = 3
    future = np.zeros((24, grid.n_cells))
    future[5, beside] = 1
    # when the KDE chooses between 250 m (the cell alone) and 1 km
    kde = KernelDensityHotspots(bandwidths_m=(250.0, 1000.0), history_weeks=(1,))
    kde.fit(grid, [(past, 0, future)])
    # then 1 km wins, and its map flags the cell beside
    assert kde.bandwidth_m_ == 1000.0
    assert beside in top_cells(kde.predict(grid, past, 0, 24)[5], 0.06)


# generator


@pytest.fixture(scope="module")
def draw() -> tuple[Incidents, IncidentTruth]:
    return generate(build_grid(JUNG_GU), seed=3, weeks=3, truth_weeks=(2,))


def test_generator_keeps_the_truth_apart_from_what_the_platform_sees(
    draw: tuple[Incidents, IncidentTruth],
) -> None:
    observed, truth = draw
    # the observable holds no intensity, no unrecorded incident, no true layer
    assert {f.name for f in fields(observed)} == {
        "grid",
        "environment",
        "start",
        "weeks",
        "cell",
        "hour",
    }
    # what is recorded is exactly the truth's recorded incidents
    assert len(observed.cell) == truth.recorded.sum() < len(truth.time)
    assert (observed.cell == truth.cell[truth.recorded]).all()
    assert (observed.hour == np.floor(truth.time[truth.recorded])).all()
    # both self-excited and background incidents occur
    assert 0 < truth.triggered.mean() < 1
    # the intensity counts the week's incidents (a Poisson total: within 4 SD)
    in_week = ((truth.time >= 2 * 168) & (truth.time < 3 * 168)).sum()
    expected = truth.intensity[0].sum()
    assert abs(in_week - expected) < 4 * np.sqrt(expected)
    # knowing less (only incidents before each midnight) never raises the intensity
    assert (truth.day_ahead[0] <= truth.intensity[0] + 1e-12).all()
    assert (truth.background[0] <= truth.day_ahead[0] + 1e-12).all()


def test_generator_is_deterministic_per_seed_and_pins_its_first_rows() -> None:
    grid = build_grid(JUNG_GU)
    one, _ = generate(grid, seed=3, weeks=2)
    again, _ = generate(grid, seed=3, weeks=2)
    other, _ = generate(grid, seed=4, weeks=2)
    assert (one.cell == again.cell).all()
    assert (one.hour == again.hour).all()
    assert np.array_equal(one.environment.foot_traffic, again.environment.foot_traffic)
    assert not np.array_equal(one.environment.lighting, other.environment.lighting)
    # recompute with: generate(build_grid(("11140",)), seed=3, weeks=2)[0].cell[:5] / .hour[:5]
    assert one.cell[:5].tolist() == PINNED_CELLS
    assert one.hour[:5].tolist() == PINNED_HOURS


PINNED_CELLS = [54, 70, 125, 155, 49]
PINNED_HOURS = [22, 36, 43, 60, 66]


def test_a_korean_holiday_is_marked_in_the_hours_that_fall_on_it() -> None:
    grid = build_grid(JUNG_GU)
    observed, _ = generate(grid, seed=1, weeks=1, start=EPOCH + np.timedelta64(39 * 168, "h"))
    # 6–9 October 2025 (Chuseok, its substitute, Hangul Day) are the Monday to Thursday of week
    # 39 after 6 January 2025; Friday 10 October is a working day from its first Seoul hour
    hours = observed.holiday_hours(0, 168)
    assert hours[: 4 * 24].all()
    assert not hours[4 * 24 :].any()


def test_generator_settings_change_the_draw() -> None:
    grid = build_grid(JUNG_GU)
    base, _ = generate(grid, seed=3, weeks=1)
    busier, _ = generate(grid, seed=3, weeks=1, settings=IncidentSettings(weekly_per_km2=12.0))
    assert len(busier.cell) > 2 * len(base.cell)


# features


def test_same_hours_counts_each_past_incident_at_its_hour_of_the_week() -> None:
    grid = build_grid(JUNG_GU)
    past = np.zeros((grid.n_cells, HISTORY_HOURS))
    past[4, -1] = 1  # the hour that just ended: hour of the week 9 when 10 starts now
    cell_same, _ = same_hours(grid, past, next_how=10)
    assert cell_same[4, 9] == 1  # its own hour
    assert cell_same[4, 10] == 1  # ±1 h
    assert cell_same[4, 8] == 1
    assert cell_same[4, 11] == 0


# training, serving, registry


def test_model_beats_kde_on_unseen_cities_at_a_tiny_scale(trained: TrainedModel) -> None:
    pai = {c.metric: c for c in trained.comparisons}
    truth = pai["PAI at 5 % of the area (true intensity)"]
    assert truth.model > truth.baselines["kde"]
    assert truth.model > 1.0  # better than flagging cells at random
    assert truth.model <= truth.baselines["day_ahead_truth"] * 1.05  # no map beats the truth
    assert trained.data.eval_seeds
    assert not set(trained.data.train_seeds) & set(trained.data.eval_seeds)
    assert trained.speed is not None
    assert set(trained.speed.rows_per_second) == {"model", "kde", "kde_by_band"}
    assert "never people" in trained.not_for
    assert "review" in trained.intended_use


def test_a_stored_model_predicts_what_it_predicted_when_trained(
    trained: TrainedModel, tmp_path: Path
) -> None:
    # given the model in a registry
    registry = Registry(tmp_path)
    stored = registry.add(trained)
    registry.promote(NAME, stored.version)
    served = HotspotModel.from_stored(registry.load(NAME))
    # when both predict the same day of an unseen city
    original = HotspotModel(trained.booster, dict(trained.serving))
    origin = next(origins(original.grid, 99_999, EPOCH, truth=False))
    # then their risks agree
    assert np.allclose(
        served.risk_ahead(origin.inputs, 24, origin.holiday),
        original.risk_ahead(origin.inputs, 24, origin.holiday),
    )
    # and a map flags 5 % of the area, best first, awaiting review
    hotspots = served.hotspots(origin.inputs, hour_of_week=23)
    assert len(hotspots.cells) == round(0.05 * served.grid.n_cells)
    expected = [c.expected for c in hotspots.cells]
    assert expected == sorted(expected, reverse=True)
    assert hotspots.review == "awaiting analyst review"
    assert all(c.gu == "11140" and 126.9 < c.lon < 127.1 for c in hotspots.cells)


@pytest.mark.parametrize("scale", [0.0, -1.0, 1.5], ids=["zero", "negative", "over-one"])
def test_train_refuses_a_scale_outside_zero_one(scale: float) -> None:
    with pytest.raises(InvalidScale):
        train(scale=scale)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"past_counts": np.zeros((3, HISTORY_HOURS))}, "past_counts"),
        ({"next_hour_of_week": 168}, "next_hour_of_week"),
        ({"past_counts": -np.ones((159, HISTORY_HOURS))}, "past_counts"),
    ],
    ids=["past-of-another-grid", "hour-of-week-168", "negative-counts"],
)
def test_serving_refuses_inputs_that_do_not_fit(
    trained: TrainedModel, change: dict[str, object], field: str
) -> None:
    model = HotspotModel(trained.booster, dict(trained.serving))
    origin = next(origins(model.grid, 99_999, EPOCH, truth=False))
    inputs = HotspotInputs(
        **{
            "environment": origin.inputs.environment,
            "past_counts": origin.inputs.past_counts,
            "next_hour_of_week": origin.inputs.next_hour_of_week,
            **change,
        }  # type: ignore[arg-type]
    )
    with pytest.raises(HotspotInputInvalid) as raised:
        model.risk(inputs, 5)
    assert raised.value.field == field


def test_serving_refuses_an_area_share_of_zero(trained: TrainedModel) -> None:
    model = HotspotModel(trained.booster, dict(trained.serving))
    origin = next(origins(model.grid, 99_999, EPOCH, truth=False))
    with pytest.raises(HotspotInputInvalid) as raised:
        model.hotspots(origin.inputs, 5, area_share=0.0)
    assert raised.value.field == "area_share"
