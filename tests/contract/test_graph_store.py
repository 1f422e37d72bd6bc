"""The `GraphStore` contract: every node type, every relationship, every filter, on each backend."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
import pytest

from graph.errors import InvalidKey, QueryFailed, UnknownLabel
from graph.ontology import CITIZEN, NODE_TYPES, REL_TYPES, NodeType, PropertyType
from graph.query import BBox, Hop, Near, NodeQuery
from graph.store import GraphStore
from tests.contract.conftest import Backend, unique
from tests.helpers import resident_id

WHEN = datetime(2026, 11, 25, 3, 0, 7, 123456, tzinfo=UTC)
SAMPLE: dict[PropertyType, Any] = {
    PropertyType.STRING: "서울 value",
    PropertyType.INT: 7,
    PropertyType.FLOAT: 1.25,
    PropertyType.BOOL: True,
    PropertyType.TIMESTAMP: WHEN,
    PropertyType.STRING_LIST: ["a", "b"],
}


def sample(kind: NodeType, key: str, district: str = "99999") -> dict[str, Any]:
    """A node of `kind` with every property set to a value of its type."""
    props = {p.name: SAMPLE[p.type] for p in kind.properties}
    props[kind.key] = key
    if "district_code" in props:
        props["district_code"] = district
    return props


def new_key(label: str) -> str:
    """A key for a new node of `label` that no other case uses; a resident's is an id of the
    form residents' keys take (`graph.numbered_key`)."""
    return resident_id() if NODE_TYPES[label].numbered else unique(label.lower())


@pytest.fixture
async def graph(backend: Backend) -> AsyncIterator[GraphStore]:
    """The backend's graph; nodes a case made are deleted after it (see `made`)."""
    store = backend.stores.graph
    made.clear()
    yield store
    for label, key in made:
        await store.delete_node(label, key)


made: list[tuple[str, str]] = []


async def create(
    store: GraphStore, label: str, props: dict[str, Any], links: list[Any] | None = None
) -> bool:
    created = await store.create_node(label, props, links or [])
    if created:
        made.append((label, props[NODE_TYPES[label].key]))
    return created


@pytest.mark.parametrize("label", list(NODE_TYPES))
async def test_create_read_update_delete_each_node_type(graph: GraphStore, label: str) -> None:
    kind = NODE_TYPES[label]
    key = new_key(label)
    props = sample(kind, key)
    assert await create(graph, label, props)
    [stored] = await graph.get_nodes(label, [key])
    assert stored == props  # every property, its type and its order, timestamps in UTC
    assert list(stored) == list(kind.property_names)

    changed = {
        p.name: {"STRING": "바뀐 value", "INT64": 8, "DOUBLE": 2.5, "BOOL": False}.get(p.type.value)
        for p in kind.properties
        if p.name != kind.key and p.type.value in {"STRING", "INT64", "DOUBLE", "BOOL"}
    }
    await graph.update_node(label, key, changed)
    [updated] = await graph.get_nodes(label, [key])
    assert updated == {**props, **changed}

    await graph.delete_node(label, key)
    assert await graph.get_nodes(label, [key]) == [None]


async def test_a_duplicate_key_is_refused(graph: GraphStore) -> None:
    key = unique("sensor")
    assert await create(graph, "Sensor", sample(NODE_TYPES["Sensor"], key))
    with pytest.raises(QueryFailed):
        await graph.create_node("Sensor", sample(NODE_TYPES["Sensor"], key))


async def test_a_missing_property_reads_back_as_none(graph: GraphStore) -> None:
    key = unique("district")
    props = sample(NODE_TYPES["District"], key)
    del props["population"]
    assert await create(graph, "District", props)
    [stored] = await graph.get_nodes("District", [key])
    assert stored is not None
    assert stored["population"] is None


RELATIONSHIPS = [(rel.name, a, b) for rel in REL_TYPES.values() for a, b in rel.pairs]


@pytest.mark.parametrize(("rel", "source", "target"), RELATIONSHIPS)
async def test_every_relationship_links_and_is_walked_both_ways(
    graph: GraphStore, rel: str, source: str, target: str
) -> None:
    target_key, source_key = new_key(target), new_key(source)
    assert await create(graph, target, sample(NODE_TYPES[target], target_key))
    assert await create(
        graph, source, sample(NODE_TYPES[source], source_key), [(rel, target, target_key)]
    )
    outward = await graph.neighbors(Hop(rel, source, target), [source_key])
    inward = await graph.neighbors(Hop(rel, target, source, direction="in"), [target_key])
    assert [n[NODE_TYPES[target].key] for n in outward[source_key]] == [target_key]
    assert [n[NODE_TYPES[source].key] for n in inward[target_key]] == [source_key]


async def test_a_link_to_a_missing_node_creates_nothing(graph: GraphStore) -> None:
    key = unique("case")
    links = [("LOCATED_IN", "District", unique("nowhere"))]
    assert not await create(graph, "Case", sample(NODE_TYPES["Case"], key), links)
    assert await graph.get_nodes("Case", [key]) == [None]


async def test_relink_moves_a_case_to_another_department_atomically(graph: GraphStore) -> None:
    first, second, case = unique("dept"), unique("dept"), unique("case")
    for department in (first, second):
        assert await create(graph, "Department", sample(NODE_TYPES["Department"], department))
    props = {**sample(NODE_TYPES["Case"], case), "agency_responsible": first}
    assert await create(graph, "Case", props, [("ASSIGNED_TO", "Department", first)])
    hop = Hop("ASSIGNED_TO", "Case", "Department")

    assert await graph.relink_node(
        "Case", case, {"agency_responsible": second}, ("ASSIGNED_TO", "Department", second)
    )
    [moved] = await graph.get_nodes("Case", [case])
    assert moved is not None
    assert moved["agency_responsible"] == second
    assigned = await graph.neighbors(hop, [case])
    assert [n["id"] for n in assigned[case]] == [second]  # replaced, not added

    # a target that does not exist changes nothing, the properties included
    missing = ("ASSIGNED_TO", "Department", unique("nowhere"))
    assert not await graph.relink_node("Case", case, {"agency_responsible": "x"}, missing)
    [kept] = await graph.get_nodes("Case", [case])
    assert kept is not None
    assert kept["agency_responsible"] == second
    assert [n["id"] for n in (await graph.neighbors(hop, [case]))[case]] == [second]
    # nor does a case that does not exist
    link = ("ASSIGNED_TO", "Department", first)
    assert not await graph.relink_node("Case", unique("case"), {"agency_responsible": first}, link)


@pytest.fixture
async def three_sensors(graph: GraphStore) -> tuple[str, list[str]]:
    """Three sensors of a district of their own, loaded through the bulk path."""
    district = unique("gu")
    await create(graph, "District", sample(NODE_TYPES["District"], district))
    ids = [f"{district}-s{i}" for i in (1, 2, 3)]
    spots = [(37.50, 127.00), (37.51, 127.01), (37.60, 127.10)]
    rows = []
    for sensor_id, (lat, lon), status in zip(
        ids, spots, ("active", "active", "fault"), strict=True
    ):
        row = sample(NODE_TYPES["Sensor"], sensor_id, district)
        rows.append({**row, "lat": lat, "lon": lon, "status": status})
    await graph.load_nodes("Sensor", pa.Table.from_pylist(rows))
    made.extend(("Sensor", i) for i in ids)
    await graph.load_rels(
        "LOCATED_IN", "Sensor", "District", pa.table({"from": ids, "to": [district] * 3})
    )
    return district, ids


async def test_bulk_loaded_nodes_and_relationships_read_back(
    graph: GraphStore, three_sensors: tuple[str, list[str]]
) -> None:
    district, ids = three_sensors
    nodes = await graph.get_nodes("Sensor", [ids[2], "absent", ids[0]])
    assert [n["id"] if n else None for n in nodes] == [ids[2], None, ids[0]]
    inward = await graph.neighbors(Hop("LOCATED_IN", "District", "Sensor", "in"), [district])
    assert [n["id"] for n in inward[district]] == ids


async def test_neighbors_of_many_start_nodes_each_ordered_by_key(
    graph: GraphStore, three_sensors: tuple[str, list[str]]
) -> None:
    """Several start keys at once (a DataLoader's batch), one of them twice and one absent;
    each list ordered by key whatever order the relationships were loaded in."""
    district, ids = three_sensors
    other = unique("gu")
    await create(graph, "District", sample(NODE_TYPES["District"], other))
    later = [f"{other}-s{i}" for i in (3, 1, 2)]
    rows = [sample(NODE_TYPES["Sensor"], sensor_id, other) for sensor_id in later]
    await graph.load_nodes("Sensor", pa.Table.from_pylist(rows))
    made.extend(("Sensor", i) for i in later)
    await graph.load_rels(
        "LOCATED_IN", "Sensor", "District", pa.table({"from": later, "to": [other] * 3})
    )
    hop = Hop("LOCATED_IN", "District", "Sensor", "in")
    found = await graph.neighbors(hop, [other, district, "absent", other])
    assert list(found) == [other, district, "absent"]
    assert [n["id"] for n in found[other]] == sorted(later)
    assert [n["id"] for n in found[district]] == ids
    assert found["absent"] == []
    faulty = Hop("LOCATED_IN", "District", "Sensor", "in", target_equals={"status": ["fault"]})
    assert {
        k: [n["id"] for n in v]
        for k, v in (await graph.neighbors(faulty, [district, other])).items()
    } == {
        district: [ids[2]],
        other: [],
    }


def _queries(district: str, ids: list[str]) -> list[tuple[NodeQuery, list[str]]]:
    mine = {"district_code": [district]}
    return [
        (NodeQuery("Sensor", mine), ids),
        (NodeQuery("Sensor", {**mine, "status": ["fault"]}), [ids[2]]),
        (NodeQuery("Sensor", mine, bbox=BBox(37.505, 127.005, 37.7, 127.2)), ids[1:]),
        (NodeQuery("Sensor", mine, bbox=BBox(10, 10, 11, 11)), []),
        (NodeQuery("Sensor", mine, near=Near(37.50, 127.00, 1500)), ids[:2]),
        (NodeQuery("Sensor", mine, near=Near(37.50, 127.00, 100)), ids[:1]),
        (NodeQuery("Sensor", mine, after=ids[0], limit=1), ids[1:2]),
        (NodeQuery("Sensor", mine, before=ids[2], descending=True, limit=1), ids[1:2]),
        (NodeQuery("Sensor", mine, after=ids[0], before=ids[2]), ids[1:2]),
        (NodeQuery("Sensor", mine, descending=True), ids[::-1]),
        (NodeQuery("Sensor", mine, after=ids[2]), []),
        (NodeQuery("Sensor", mine, ranges={"lat": (37.505, None)}), ids[1:]),
    ]


async def test_filters_and_keyset_pages(
    graph: GraphStore, three_sensors: tuple[str, list[str]]
) -> None:
    district, ids = three_sensors
    for query, expected in _queries(district, ids):
        assert [n["id"] for n in await graph.find_nodes(query)] == expected, query
        assert await graph.count_nodes(query) == len(
            await graph.find_nodes(
                NodeQuery(query.label, query.equals, query.bbox, query.near, ranges=query.ranges)
            )
        )


async def test_pages_of_many_values_in_one_query(
    graph: GraphStore, three_sensors: tuple[str, list[str]]
) -> None:
    # given our three sensors' district, a seeded gu with sensors of its own, and no district
    district, ids = three_sensors
    values = [district, "11680", "absent", district]
    for query, _ in _queries(district, ids):
        # when each value's page is asked at once
        before = graph.calls
        found = await graph.find_nodes_each(query, "district_code", values)
        # then it is one query, and each value's page is what find_nodes gives for it alone
        assert graph.calls - before == 1
        for value in values:
            alone = replace(query, equals={**query.equals, "district_code": [value]})
            expected = [n["id"] for n in await graph.find_nodes(alone)]
            assert [n["id"] for n in found[value]] == expected, (query, value)
        assert list(found) == [district, "11680", "absent"]
    assert await graph.find_nodes_each(NodeQuery("Sensor"), "district_code", []) == {}


async def test_residents_are_read_and_paged_by_their_ids_stored_as_numbers(
    graph: GraphStore,
) -> None:
    """Residents are keyed by their id's number in both backends: lookups, hops, filters, pages
    and loads still speak ids. Text that is no id finds nobody, bounds a page as the text would
    and is refused as a new resident's key."""
    gu = unique("gu")
    assert await create(graph, "District", sample(NODE_TYPES["District"], gu))
    ids = sorted(resident_id() for _ in range(5))
    await graph.load_nodes("Citizen", pa.Table.from_pylist([sample(CITIZEN, i, gu) for i in ids]))
    made.extend(("Citizen", i) for i in ids)
    await graph.load_rels(
        "LIVES_IN", "Citizen", "District", pa.table({"from": ids, "to": [gu] * 5})
    )
    mine = {"district_code": [gu]}

    found = await graph.get_nodes("Citizen", [ids[1], "cz-nobody", ids[1].upper()])
    assert [n and n["id"] for n in found] == [ids[1], None, None]
    assert [
        n["id"]
        for n in (await graph.neighbors(Hop("LIVES_IN", "District", "Citizen", "in"), [gu]))[gu]
    ] == ids
    homes = await graph.neighbors(Hop("LIVES_IN", "Citizen", "District"), [ids[0], "cz-nobody"])
    assert {k: [n["code"] for n in v] for k, v in homes.items()} == {ids[0]: [gu], "cz-nobody": []}
    chosen = NodeQuery("Citizen", {**mine, "id": [ids[3], "cz-nobody"]})
    assert [n["id"] for n in await graph.find_nodes(chosen)] == [ids[3]]
    between = NodeQuery("Citizen", mine, ranges={"id": (ids[1], ids[3])})
    assert [n["id"] for n in await graph.find_nodes(between)] == ids[1:4]
    assert await graph.count_grouped("Citizen", "id", mine, {}) == dict.fromkeys(ids, 1)
    for text in ("", "cz-", ids[2], ids[2][:-4], f"{ids[2]}0", ids[2].upper(), "cz-8", "zz"):
        after = await graph.find_nodes(NodeQuery("Citizen", mine, after=text, limit=10))
        assert [n["id"] for n in after] == [i for i in ids if i > text], text
        before = NodeQuery("Citizen", mine, before=text, descending=True)
        assert [n["id"] for n in await graph.find_nodes(before)] == [
            i for i in reversed(ids) if i < text
        ], text

    nobody = sample(CITIZEN, "cz-nobody", gu)
    with pytest.raises(InvalidKey):
        await graph.create_node("Citizen", nobody)
    with pytest.raises(InvalidKey):
        await graph.load_nodes("Citizen", pa.Table.from_pylist([nobody]))
    await graph.update_node("Citizen", "cz-nobody", {"sex": "F"})  # names nobody: no change
    await graph.delete_node("Citizen", "cz-nobody")
    assert await graph.count_nodes(NodeQuery("Citizen", mine)) == len(ids)


async def test_grouped_counts(graph: GraphStore, three_sensors: tuple[str, list[str]]) -> None:
    district, _ = three_sensors
    counts = await graph.count_grouped("Sensor", "status", {"district_code": [district]}, {})
    assert counts == {"active": 2, "fault": 1}


async def test_cell_counts(graph: GraphStore, three_sensors: tuple[str, list[str]]) -> None:
    district, _ = three_sensors
    counts = await graph.count_cells(
        "Sensor", ("district_code", "status"), {"district_code": [district]}
    )
    assert counts == {(district, "active"): 2, (district, "fault"): 1}


async def test_cell_counts_keep_missing_values_as_cells_of_their_own(graph: GraphStore) -> None:
    gu = unique("gu")
    people = [("d1", 1990), ("d1", 1990), ("d1", None), (None, 1990)]
    for dong, year in people:
        props = {
            **sample(NODE_TYPES["Citizen"], resident_id(), gu),
            "dong_code": dong,
            "birth_year": year,
        }
        assert await create(graph, "Citizen", props)
    counts = await graph.count_cells(
        "Citizen", ("dong_code", "birth_year"), {"district_code": [gu]}
    )
    assert counts == {("d1", 1990): 2, ("d1", None): 1, (None, 1990): 1}


async def test_cell_counts_by_band_of_a_timestamp(graph: GraphStore) -> None:
    """A band counts the edges a value reaches: on an edge is in the band above it; a node
    without the property is in band 0 with those below the first edge."""
    gu = unique("gu")
    hours = [-30, -2, 0, 0, 1, 5, 9, None]  # relative to WHEN; None: no requested_at
    for offset in hours:
        props = {**sample(NODE_TYPES["Case"], unique("case"), gu), "status": "open"}
        props["requested_at"] = None if offset is None else WHEN + timedelta(hours=offset)
        assert await create(graph, "Case", props)
    edges = [WHEN - timedelta(hours=24), WHEN, WHEN + timedelta(hours=5)]
    counts = await graph.count_cells(
        "Case", ("status",), {"district_code": [gu]}, {"requested_at": edges}
    )
    assert counts == {("open", 0): 2, ("open", 1): 1, ("open", 2): 3, ("open", 3): 2}
    with pytest.raises(ValueError, match="ascending"):
        await graph.count_cells("Case", ("status",), {}, {"requested_at": edges[::-1]})


async def test_unknown_label_relationship_and_property_are_refused(graph: GraphStore) -> None:
    with pytest.raises(UnknownLabel):
        await graph.find_nodes(NodeQuery("Spaceship"))
    with pytest.raises(UnknownLabel):
        await graph.find_nodes(NodeQuery("Sensor", {"colour": ["red"]}))
    with pytest.raises(UnknownLabel):
        await graph.neighbors(Hop("ORBITS", "Sensor", "District"), ["x"])
    with pytest.raises(UnknownLabel):
        await graph.create_node("Sensor", {"id": unique(), "colour": "red"})


async def test_a_property_no_node_holds_yet_logs_nothing(
    graph: GraphStore, caplog: pytest.LogCaptureFixture
) -> None:
    """Reads name every property of their label (`cypher.node_columns`), and Neo4j stores no
    nulls: a property no node holds yet is unknown to it, which it answers with a warning the
    driver would log on every query. LadybugDB knows every column from its schema and refuses
    an unknown one."""
    text = f"MATCH (n:`District`) RETURN n.`{unique('never_stored')}` LIMIT 1"
    read = graph._rows  # type: ignore[attr-defined]
    with caplog.at_level(logging.INFO, logger="neo4j"):
        if graph.backend == "neo4j":
            await read(text)
        else:
            with pytest.raises(QueryFailed):
                await read(text)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("neo4j")] == []


LISTS: list[list[str] | None] = [[], [""], ["a,b", "쉼표, 있음", " "], ["pm25"], None]
"""List values that a store keeping lists as one string (LadybugDB: `graph.packed_list`) must
tell apart: none, one empty item, items with commas and spaces, and no value at all."""


async def test_list_properties_read_back_as_written_on_every_path(graph: GraphStore) -> None:
    district = unique("gu")
    await create(graph, "District", sample(NODE_TYPES["District"], district))
    kind = NODE_TYPES["Sensor"]
    created = [new_key("Sensor") for _ in LISTS]
    for key, items in zip(created, LISTS, strict=True):
        props = {**sample(kind, key, district), "data_types": items}
        assert await create(graph, "Sensor", props, [("LOCATED_IN", "District", district)])
    loaded = [new_key("Sensor") for _ in LISTS]
    rows = [
        {**sample(kind, key, district), "data_types": items}
        for key, items in zip(loaded, LISTS, strict=True)
    ]
    await graph.load_nodes("Sensor", pa.Table.from_pylist(rows))
    made.extend(("Sensor", key) for key in loaded)
    await graph.load_rels(
        "LOCATED_IN", "Sensor", "District", pa.table({"from": loaded, "to": [district] * 5})
    )
    expected = dict(zip(created, LISTS, strict=True)) | dict(zip(loaded, LISTS, strict=True))

    by_key = await graph.get_nodes("Sensor", list(expected))
    assert {n["id"]: n["data_types"] for n in by_key if n} == expected
    hop = await graph.neighbors(Hop("LOCATED_IN", "District", "Sensor", "in"), [district])
    assert {n["id"]: n["data_types"] for n in hop[district]} == expected
    found = await graph.find_nodes(NodeQuery("Sensor", equals={"district_code": [district]}))
    assert {n["id"]: n["data_types"] for n in found} == expected

    for key, items in zip(created, reversed(LISTS), strict=True):
        await graph.update_node("Sensor", key, {"data_types": items})
    updated = await graph.get_nodes("Sensor", created)
    assert [n["data_types"] for n in updated if n] == list(reversed(LISTS))
