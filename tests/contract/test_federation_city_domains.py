"""The city, sensing, services and data subgraphs' entities on both backends: each owner
resolves District, Asset, Citizen, Sensor, Case, Department and Dataset through `_entities`,
a missing one is NOT_FOUND in its slot, a Citizen below the analyst tier FORBIDDEN in its slot;
the fields other domains add (District.sensors, Asset.sensors, District.cases,
Department.datasets, Sensor.datasets) answer through `_entities` on the extending subgraph as
on the merged server; 100 representations cost at most 2 store calls; District.cases is
`cases(filter: {district: [code]})`."""

from __future__ import annotations

from typing import Any

import pytest

from graph.ontology import NODE_TYPES
from graph.query import NodeQuery
from graph.records.api_keys import Tier
from resolvers.schema import build_schema
from resolvers.subgraphs import subgraph_schema
from tests.contract.conftest import Backend
from tests.contract.entities import BATCH, context_of, entities

OWNED = {
    "District": ("city", "... on District { code nameEn level parentCode }"),
    "Asset": ("city", "... on Asset { id kind name }"),
    "Citizen": ("city", "... on Citizen { id birthYear }"),
    "Sensor": ("sensing", "... on Sensor { id kind districtCode }"),
    "Case": ("services", "... on Case { id status serviceCode }"),
    "Department": ("services", "... on Department { id nameEn }"),
    "Dataset": ("data", "... on Dataset { id titleEn }"),
}
MISSING = {
    "District": "99999",
    "Asset": "asset-nothing",
    "Citizen": "cz-nothing",
    "Sensor": "sdot-nothing",
    "Case": "case-nothing",
    "Department": "department-nothing",
    "Dataset": "ds-nothing",
}
GANGNAM = "11680"


def store_calls(backend: Backend) -> int:
    """Queries sent to the graph's and the records' drivers so far."""
    return backend.stores.graph.calls + backend.stores.records.calls


async def keys_of(backend: Backend, label: str, query: NodeQuery | None = None) -> list[str]:
    """BATCH keys of `label` nodes, distinct where the seeded city has that many (it has 50
    sensors, 36 departments and 18 datasets: those repeat, as a gateway's batch may)."""
    nodes = await backend.stores.graph.find_nodes(query or NodeQuery(label, limit=BATCH))
    keys = [node[NODE_TYPES[label].key] for node in nodes]
    assert len(keys) >= 10, (label, keys)
    return (keys * BATCH)[:BATCH]


def representations(label: str, keys: list[str]) -> list[dict[str, Any]]:
    return [{"__typename": label, NODE_TYPES[label].key: key} for key in keys]


async def merged(backend: Backend, query: str, variables: dict[str, Any] | None = None) -> Any:
    result = await build_schema().execute(
        query, variable_values=variables, context_value=context_of(backend)
    )
    assert result.errors is None, result.errors
    return result.data


@pytest.mark.parametrize("label", list(OWNED))
async def test_owner_resolves_100_representations_with_at_most_2_store_calls(
    backend: Backend, label: str
) -> None:
    # given BATCH keys of the entity on this backend
    keys = await keys_of(backend, label)
    subgraph, selection = OWNED[label]
    # when a gateway asks the owner subgraph for all of them at once
    before = store_calls(backend)
    result = await entities(backend, subgraph, selection, representations(label, keys))
    calls = store_calls(backend) - before
    # then each comes back in its slot, for at most 2 store calls in all
    assert result.errors is None, result.errors
    key = NODE_TYPES[label].key
    key_field = "code" if key == "code" else "id"
    assert [entity[key_field] for entity in result.data["_entities"]] == keys
    assert calls <= 2, calls


@pytest.mark.parametrize("label", list(OWNED))
async def test_owner_answers_a_missing_one_not_found_in_its_slot(
    backend: Backend, label: str
) -> None:
    # given a real entity, then one that does not exist
    real = (await keys_of(backend, label))[0]
    subgraph, selection = OWNED[label]
    reps = representations(label, [real, MISSING[label]])
    # when both are asked
    result = await entities(backend, subgraph, selection, reps)
    # then the real one resolves and the missing one is NOT_FOUND in slot 1
    assert result.data["_entities"][0] is not None
    assert result.data["_entities"][1] is None
    assert [(e.path, (e.extensions or {}).get("code")) for e in result.errors] == [
        (["_entities", 1], "not_found")
    ]


@pytest.mark.parametrize("tier", [Tier.PUBLIC, Tier.DEVELOPER])
async def test_citizens_below_the_analyst_tier_are_forbidden_in_their_slots(
    backend: Backend, tier: Tier
) -> None:
    # given a district (anyone may see it) and two citizens
    citizens = (await keys_of(backend, "Citizen"))[:2]
    reps = [{"__typename": "District", "code": GANGNAM}, *representations("Citizen", citizens)]
    selection = "... on District { code } ... on Citizen { id }"
    # when a public or developer caller asks for them
    before = store_calls(backend)
    result = await entities(backend, "city", selection, reps, tier)
    # then the district answers and each citizen is FORBIDDEN in its own slot, unread
    assert result.data["_entities"] == [{"code": GANGNAM}, None, None]
    assert sorted((e.path[1], (e.extensions or {}).get("code")) for e in result.errors) == [
        (1, "forbidden"),
        (2, "forbidden"),
    ]
    assert store_calls(backend) - before <= 1  # the district's, none for people


@pytest.mark.parametrize("tier", [Tier.ANALYST, Tier.OPERATOR])
async def test_citizens_from_the_analyst_tier_resolve(backend: Backend, tier: Tier) -> None:
    citizens = (await keys_of(backend, "Citizen"))[:3]
    result = await entities(
        backend, "city", OWNED["Citizen"][1], representations("Citizen", citizens), tier
    )
    assert result.errors is None, result.errors
    assert [c["id"] for c in result.data["_entities"]] == citizens


def by_key(items: list[dict[str, Any]], key: str = "id") -> dict[str, Any]:
    return {item[key]: item for item in items}


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]


async def district_codes(backend: Backend) -> list[str]:
    """The 25 gu and 75 dong: dong have no sensors or cases of their own."""
    gu = await backend.stores.graph.find_nodes(NodeQuery("District", {"level": ["gu"]}))
    dong = await backend.stores.graph.find_nodes(
        NodeQuery("District", {"level": ["dong"]}, limit=BATCH - len(gu))
    )
    return [node["code"] for node in (*gu, *dong)]


async def test_sensing_adds_district_sensors_in_one_batch(backend: Backend) -> None:
    # given every gu and some dong, and each gu's sensors on the merged server
    codes = await district_codes(backend)
    expected = by_key(
        (await merged(backend, "{ districts { code sensors { id kind } } }"))["districts"], "code"
    )
    # when a gateway asks the sensing subgraph for their sensors
    before = store_calls(backend)
    result = await entities(
        backend,
        "sensing",
        "... on District { code sensors { id kind } }",
        representations("District", codes),
    )
    calls = store_calls(backend) - before
    # then each gu has its sensors, each dong none, in at most 2 store calls
    assert result.errors is None, result.errors
    found = by_key(result.data["_entities"], "code")
    assert {c: found[c] for c in expected} == expected
    assert all(not found[c]["sensors"] for c in codes if c not in expected)
    assert any(found[c]["sensors"] for c in expected)
    assert calls <= 2, calls


async def test_sensing_adds_asset_sensors_in_one_batch(backend: Backend) -> None:
    # given 100 assets, smart poles (which carry sensors) among them, and their sensors
    query = NodeQuery("Asset", {"kind": ["smart_pole", "cctv"]}, limit=BATCH)
    keys = await keys_of(backend, "Asset", query)
    listing = """{ assets(first: 100, filter: {kind: [SMART_POLE, CCTV]}) {
      edges { node { id sensors { id } } } } }"""
    expected = by_key(nodes((await merged(backend, listing))["assets"]))
    assert any(item["sensors"] for item in expected.values())
    # when a gateway asks the sensing subgraph for their sensors
    before = store_calls(backend)
    result = await entities(
        backend, "sensing", "... on Asset { id sensors { id } }", representations("Asset", keys)
    )
    calls = store_calls(backend) - before
    # then they are the merged server's, in at most 2 store calls
    assert result.errors is None, result.errors
    assert result.data["_entities"] == [expected[k] for k in keys]
    assert calls <= 2, calls


@pytest.mark.parametrize(
    ("label", "listing"),
    [
        ("Department", "{ departments { id datasets { id titleEn } } }"),
        ("Sensor", "{ sensors(first: 100) { edges { node { id datasets { id titleEn } } } } }"),
    ],
)
async def test_data_adds_datasets_in_one_batch(backend: Backend, label: str, listing: str) -> None:
    # given the departments (or sensors) and their datasets on the merged server
    answer = await merged(backend, listing)
    items = answer["departments"] if label == "Department" else nodes(answer["sensors"])
    expected = by_key(items)
    keys = await keys_of(backend, label)
    # when a gateway asks the data subgraph for their datasets
    before = store_calls(backend)
    result = await entities(
        backend,
        "data",
        f"... on {label} {{ id datasets {{ id titleEn }} }}",
        representations(label, keys),
    )
    calls = store_calls(backend) - before
    # then each has the merged server's datasets, some have any, in at most 2 store calls
    assert result.errors is None, result.errors
    found = result.data["_entities"]
    assert found == [expected[k] for k in keys]
    assert any(item["datasets"] for item in found)
    assert calls <= 2, calls


DISTRICT_CASES = """
query ($r: [_Any!]!, $first: Int, $status: [CaseStatus!]) {
  _entities(representations: $r) { ... on District {
    code cases(first: $first, status: $status) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status } }
    }
  } }
}"""
PAGE = "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } " + (
    "edges { cursor node { id status serviceCode districtCode } }"
)
ROOT_CASES = """query ($code: String!, $status: [CaseStatus!], $service: [String!], $first: Int,
  $after: String, $last: Int, $before: String) {
  cases(filter: {district: [$code], status: $status, serviceCode: $service}, first: $first,
        after: $after, last: $last, before: $before) { PAGE }
}""".replace("PAGE", PAGE)
DISTRICT_CASES_ROOT = """query ($code: String!, $status: [CaseStatus!], $service: [String!],
  $first: Int, $after: String, $last: Int, $before: String) {
  district(code: $code) { cases(status: $status, serviceCode: $service, first: $first,
        after: $after, last: $last, before: $before) { PAGE } }
}""".replace("PAGE", PAGE)


async def test_services_adds_district_cases_in_one_batch(backend: Backend) -> None:
    # given every gu and some dong
    codes = await district_codes(backend)
    # when a gateway asks the services subgraph for each one's first open cases and count
    before = store_calls(backend)
    result = await subgraph_schema("services").execute(
        DISTRICT_CASES,
        variable_values={"r": representations("District", codes), "first": 5, "status": ["OPEN"]},
        context_value=context_of(backend),
    )
    calls = store_calls(backend) - before
    # then the pages are cases(filter: {district: [gu]})'s, in 2 store calls (pages, counts)
    assert result.errors is None, result.errors
    found = by_key(result.data["_entities"], "code")
    for gu in (c for c in codes if len(c) == 5):
        root = await merged(backend, ROOT_CASES, {"code": gu, "status": ["OPEN"], "first": 5})
        assert found[gu]["cases"]["totalCount"] == root["cases"]["totalCount"], gu
        assert nodes(found[gu]["cases"]) == [
            {"id": n["id"], "status": n["status"]} for n in nodes(root["cases"])
        ], gu
    assert found[GANGNAM]["cases"]["totalCount"] > 0
    dong = [c for c in codes if len(c) == 8]
    assert all(found[c]["cases"] == EMPTY_PAGE for c in dong)
    assert calls <= 2, calls


EMPTY_PAGE = {"totalCount": 0, "pageInfo": {"hasNextPage": False, "endCursor": None}, "edges": []}


async def busiest_service(backend: Backend, code: str) -> str:
    found = await merged(backend, ROOT_CASES, {"code": code, "first": 100})
    services = [n["serviceCode"] for n in nodes(found["cases"])]
    return max(set(services), key=services.count)


async def test_district_cases_equal_cases_filtered_by_the_district(backend: Backend) -> None:
    # given a gu with cases, its busiest service and paging arguments of every kind
    service = await busiest_service(backend, GANGNAM)
    filters: list[dict[str, Any]] = [
        {},
        {"status": ["OPEN"]},
        {"status": ["CLOSED", "OPEN"]},
        {"service": [service]},
        {"service": [service], "status": ["CLOSED"]},
        {"service": ["no-such-service"]},
    ]
    for where in filters:
        for paging in ({"first": 3}, {"last": 2}, {}):
            variables = {"code": GANGNAM, **where, **paging}
            # when District.cases and cases(filter: {district}) are asked the same
            own = (await merged(backend, DISTRICT_CASES_ROOT, variables))["district"]["cases"]
            root = (await merged(backend, ROOT_CASES, variables))["cases"]
            # then they answer the same page, count and cursors
            assert own == root, variables
            # and the next page (or the previous one) is the same too
            cursor = root["pageInfo"]["endCursor" if "last" not in paging else "startCursor"]
            if cursor is None:
                continue
            nearer = {"after": cursor} if "last" not in paging else {"before": cursor}
            own = await merged(backend, DISTRICT_CASES_ROOT, {**variables, **nearer})
            root = await merged(backend, ROOT_CASES, {**variables, **nearer})
            assert own["district"]["cases"] == root["cases"], (variables, nearer)
    assert (await merged(backend, ROOT_CASES, {"code": GANGNAM}))["cases"]["totalCount"] > 3


async def test_a_dong_has_no_cases_of_its_own(backend: Backend) -> None:
    # given a dong of a gu with cases
    dong = await backend.stores.graph.find_nodes(
        NodeQuery("District", {"parent_code": [GANGNAM]}, limit=1)
    )
    code = dong[0]["code"]
    # when its cases are asked, then there are none
    found = (await merged(backend, DISTRICT_CASES_ROOT, {"code": code}))["district"]["cases"]
    assert found["totalCount"] == 0
    assert found["edges"] == []
    assert found["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    ("paging", "code"),
    [
        ({"first": 0}, "out_of_range"),
        ({"first": 101}, "out_of_range"),
        ({"first": 1, "last": 1}, "invalid"),
        ({"after": "bm9wZQ=="}, "bad_cursor"),
    ],
)
async def test_district_cases_paging_mistakes_are_coded(
    backend: Backend, paging: dict[str, Any], code: str
) -> None:
    result = await build_schema().execute(
        DISTRICT_CASES_ROOT,
        variable_values={"code": GANGNAM, **paging},
        context_value=context_of(backend, Tier.PUBLIC),
    )
    assert [(e.extensions or {}).get("code") for e in result.errors or []] == [code]
