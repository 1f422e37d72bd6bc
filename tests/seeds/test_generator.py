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
from seeds.generator import CityRows, Generator, NodeBatch, RelBatch, apportion
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


def test_batches_come_in_an_order_a_bulk_loader_can_follow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every relationship batch names only nodes of batches before it (COPY needs both ends),
    with cases cut into many chunks."""
    monkeypatch.setattr("seeds.generator.CASE_CHUNK", 97)
    loaded: dict[str, set[str]] = {}
    keys = {"District": "code"}
    case_chunks = 0
    for batch in Generator(0.001, UNTIL).batches():
        if isinstance(batch, NodeBatch):
            column = batch.table[keys.get(batch.label, "id")].to_pylist()
            loaded.setdefault(batch.label, set()).update(column)
            case_chunks += batch.label == "Case"
        elif isinstance(batch, RelBatch):
            for end, label in (("from", batch.source), ("to", batch.target)):
                missing = set(batch.table[end].to_pylist()) - loaded.get(label, set())
                assert not missing, (batch.name, label, sorted(missing)[:3])
        else:
            assert set(batch.table["case_id"].to_pylist()) <= loaded["Case"]
    assert case_chunks == -(-1200 // 97)


def test_the_city_does_not_depend_on_how_it_is_cut(
    city: CityRows, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("seeds.generator.CASE_CHUNK", 97)
    again = Generator(0.001, UNTIL).build()
    for label, table in city.nodes.items():
        assert again.nodes[label].equals(table), label
    assert [(n, s, t) for n, s, t, _ in again.rels] == [(n, s, t) for n, s, t, _ in city.rels]
    for (_, _, _, a), (_, _, _, b) in zip(again.rels, city.rels, strict=True):
        assert a.equals(b)
    assert again.cases is not None
    assert city.cases is not None
    assert again.cases.equals(city.cases)


def test_planned_nodes_are_the_nodes_made(city: CityRows) -> None:
    assert Generator(0.001, UNTIL).planned_nodes() == sum(t.num_rows for t in city.nodes.values())
