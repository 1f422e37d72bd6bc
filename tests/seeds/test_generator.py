"""The generator: deterministic, scaled, and every gu gets one of each kind."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime

import pytest
import shapely

from graph.catalogue import services
from graph.ontology import ASSET_KINDS, SENSOR_KINDS
from seeds.districts import seoul_gu
from seeds.generator import CityRows, Generator, apportion
from seeds.history import ticks

UNTIL = datetime(2026, 11, 25, tzinfo=UTC)


@pytest.fixture(scope="module")
def city() -> CityRows:
    return Generator(0.001, UNTIL).build()


def test_same_scale_gives_the_same_city(city: CityRows) -> None:
    again = Generator(0.001, UNTIL).build()
    assert set(again.nodes) == set(city.nodes) >= {"District", "Sensor", "Asset", "Case"}
    for label, table in city.nodes.items():
        assert table.num_rows > 0, label
        assert again.nodes[label].equals(table), label


def test_every_gu_has_each_kind_of_sensor_asset_and_case(city: CityRows) -> None:
    gu = [g.code for g in seoul_gu()]
    sensors = Counter(
        zip(
            city.nodes["Sensor"]["district_code"].to_pylist(),
            city.nodes["Sensor"]["kind"].to_pylist(),
            strict=True,
        )
    )
    assets = Counter(
        zip(
            city.nodes["Asset"]["district_code"].to_pylist(),
            city.nodes["Asset"]["kind"].to_pylist(),
            strict=True,
        )
    )
    cases = Counter(
        zip(
            city.nodes["Case"]["district_code"].to_pylist(),
            city.nodes["Case"]["service_code"].to_pylist(),
            strict=True,
        )
    )
    for code in gu:
        assert all(sensors[(code, kind)] >= 1 for kind in SENSOR_KINDS)
        assert all(assets[(code, kind)] >= 1 for kind in ASSET_KINDS)
        assert all(cases[(code, s.code)] >= 1 for s in services())


def test_assets_and_sensors_lie_inside_their_gu(city: CityRows) -> None:
    boundary = {g.code: g.geometry for g in seoul_gu()}
    for label in ("Asset", "Sensor"):
        table = city.nodes[label]
        for code, lat, lon in zip(
            table["district_code"].to_pylist(),
            table["lat"].to_pylist(),
            table["lon"].to_pylist(),
            strict=True,
        ):
            assert shapely.contains_xy(boundary[code], lon, lat), (label, code)


def test_residents_follow_census_populations(city: CityRows) -> None:
    per_gu = Counter(city.nodes["Citizen"]["district_code"].to_pylist())
    populations = {g.code: g.population or 0 for g in seoul_gu()}
    biggest = max(populations, key=populations.__getitem__)
    smallest = min(populations, key=populations.__getitem__)
    assert per_gu[biggest] > per_gu[smallest]


def test_scale_one_counts_are_seouls_figures() -> None:
    from seeds.figures import Scale

    assert Scale(1.0).count("sdot_sensors") == 1100
    assert Scale(1.0).count("smart_poles") == 812
    assert Scale(0.01).count("residents") == 96_000


@pytest.mark.parametrize(
    ("total", "weights", "minimum", "expected"),
    [
        pytest.param(10, [1, 1], 0, [5, 5], id="even"),
        pytest.param(3, [1, 1, 1, 1], 1, [1, 1, 1, 1], id="minimum-wins"),
        pytest.param(10, [3, 1], 1, [7, 3], id="largest-remainder"),
    ],
)
def test_apportion(total: int, weights: list[float], minimum: int, expected: list[int]) -> None:
    assert apportion(total, weights, minimum) == expected


def test_ticks_are_two_minutes_apart_in_the_days_before_until() -> None:
    times = ticks(UNTIL, 1)
    assert len(times) == 720
    assert times[-1] == int(UNTIL.timestamp())
    assert all(b - a == 120 for a, b in itertools.pairwise(times))
