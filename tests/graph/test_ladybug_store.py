"""The LadybugDB adapter on a small hand-made graph."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from graph.errors import StoreUnavailable, UnknownLabel
from graph.ladybug_store import LadybugStore
from graph.query import BBox, Hop, Near, NodeQuery

WHEN = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def _district(code: str, level: str = "gu", parent: str = "") -> dict[str, object]:
    return {
        "code": code,
        "level": level,
        "name_ko": code,
        "name_en": code,
        "parent_code": parent,
        "lat": 37.5,
        "lon": 127.0,
        "area_km2": 1.0,
        "population": None,
        "boundary": "{}",
    }


def _sensor(sensor_id: str, lat: float, lon: float, district: str) -> dict[str, object]:
    return {
        "id": sensor_id,
        "kind": "sdot",
        "model": "m",
        "serial": sensor_id,
        "lat": lat,
        "lon": lon,
        "district_code": district,
        "data_types": ["pm25"],
        "status": "active",
        "installed_year": 2024,
    }


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[LadybugStore]:
    opened = LadybugStore(tmp_path / "graph.lbug")
    await opened.create_schema()
    await opened.load_nodes(
        "District",
        pa.Table.from_pylist(
            [_district("11110"), _district("11140"), _district("11110101", "dong", "11110")]
        ),
    )
    await opened.load_nodes(
        "Sensor",
        pa.Table.from_pylist(
            [
                _sensor("s-1", 37.50, 127.00, "11110"),
                _sensor("s-2", 37.51, 127.01, "11110"),
                _sensor("s-3", 37.60, 127.10, "11140"),
            ]
        ),
    )
    await opened.load_rels(
        "LOCATED_IN",
        "Sensor",
        "District",
        pa.table({"from": ["s-1", "s-2", "s-3"], "to": ["11110", "11110", "11140"]}),
    )
    await opened.load_rels(
        "LOCATED_IN", "District", "District", pa.table({"from": ["11110101"], "to": ["11110"]})
    )
    yield opened
    await opened.close()


async def test_get_nodes_keeps_key_order_and_marks_misses(store: LadybugStore) -> None:
    nodes = await store.get_nodes("Sensor", ["s-3", "nope", "s-1"])
    assert [n["id"] if n else None for n in nodes] == ["s-3", None, "s-1"]


async def test_neighbors_groups_by_start_key_in_both_directions(store: LadybugStore) -> None:
    inward = await store.neighbors(
        Hop("LOCATED_IN", "District", "Sensor", direction="in"), ["11110", "11140", "99999"]
    )
    assert {k: [n["id"] for n in v] for k, v in inward.items()} == {
        "11110": ["s-1", "s-2"],
        "11140": ["s-3"],
        "99999": [],
    }
    outward = await store.neighbors(Hop("LOCATED_IN", "District", "District"), ["11110101"])
    assert [n["code"] for n in outward["11110101"]] == ["11110"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(
            NodeQuery("Sensor", {"district_code": ["11110"]}), ["s-1", "s-2"], id="equals"
        ),
        pytest.param(
            NodeQuery("Sensor", bbox=BBox(37.505, 127.005, 37.7, 127.2)), ["s-2", "s-3"], id="bbox"
        ),
        pytest.param(
            NodeQuery("Sensor", near=Near(37.50, 127.00, 1500)), ["s-1", "s-2"], id="near-1500m"
        ),
        pytest.param(NodeQuery("Sensor", near=Near(37.50, 127.00, 100)), ["s-1"], id="near-100m"),
        pytest.param(NodeQuery("Sensor", after="s-1", limit=1), ["s-2"], id="keyset-page"),
    ],
)
async def test_find_nodes_filters(
    store: LadybugStore, query: NodeQuery, expected: list[str]
) -> None:
    assert [n["id"] for n in await store.find_nodes(query)] == expected


async def test_count_ignores_paging(store: LadybugStore) -> None:
    assert await store.count_nodes(NodeQuery("Sensor", after="s-1", limit=1)) == 3


async def test_create_node_with_links_is_all_or_nothing(store: LadybugStore) -> None:
    case = {
        "id": "case-1",
        "service_code": "noise",
        "service_name": "Noise",
        "description": "d",
        "status": "open",
        "status_notes": "",
        "agency_responsible": "x",
        "requested_at": WHEN,
        "updated_at": WHEN,
        "expected_at": WHEN,
        "lat": 37.5,
        "lon": 127.0,
        "district_code": "11110",
        "address": "",
    }
    assert not await store.create_node("Case", case, [("LOCATED_IN", "District", "00000")])
    assert await store.get_nodes("Case", ["case-1"]) == [None]
    assert await store.create_node("Case", case, [("LOCATED_IN", "District", "11110")])
    [stored] = await store.get_nodes("Case", ["case-1"])
    assert stored is not None
    assert stored["requested_at"] == WHEN
    linked = await store.neighbors(Hop("LOCATED_IN", "Case", "District"), ["case-1"])
    assert [n["code"] for n in linked["case-1"]] == ["11110"]


async def test_unknown_label_and_property_are_refused(store: LadybugStore) -> None:
    with pytest.raises(UnknownLabel):
        await store.find_nodes(NodeQuery("Spaceship"))
    with pytest.raises(UnknownLabel):
        await store.find_nodes(NodeQuery("Sensor", {"colour": ["red"]}))


async def test_read_only_open_of_a_missing_graph_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable):
        LadybugStore(tmp_path / "absent.lbug", read_only=True)


def test_data_type_enum_matches_the_readings_columns() -> None:
    from graph.records.readings import DATA_TYPES
    from resolvers.sensing.types import DataType

    assert [t.value for t in DataType] == list(DATA_TYPES)
