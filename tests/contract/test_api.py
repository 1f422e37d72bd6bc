"""The API contract: the same seed answers the same on LadybugDB + SQLite and Neo4j + PostgreSQL."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import httpx
import pytest

from graph.records.api_keys import Tier
from graph.records.readings import reading_count
from tests.contract.conftest import Backend
from tests.helpers import graphql

GU = "11680"  # Gangnam-gu
SENSOR = "sdot-11680-0000"

MAIN_QUERIES: dict[str, tuple[str, dict[str, Any], Tier]] = {
    "districts": (
        "{ districts { code nameKo nameEn population areaKm2 centroid { lat lon }"
        " adjacent { code } residentCount } }",
        {},
        Tier.PUBLIC,
    ),
    "district with dong and latest readings": (
        """query ($code: String!) { district(code: $code) {
             code boundary dong { code nameKo parent { code } }
             sensors { id kind dataTypes mountedOn { id kind }
                       latestReading { measuredAt values { dataType value unit } } } } }""",
        {"code": GU},
        Tier.PUBLIC,
    ),
    "sensors of a gu": (
        """query ($f: SensorFilter) { sensors(filter: $f, first: 100) {
             totalCount pageInfo { hasNextPage endCursor }
             edges { cursor node { id kind status location { lat lon } datasets { id } } } } }""",
        {"f": {"district": [GU], "kind": ["SDOT"]}},
        Tier.PUBLIC,
    ),
    "sensors near a point": (
        """query ($f: SensorFilter) { sensors(filter: $f, first: 100) {
             totalCount edges { node { id districtCode } } } }""",
        {"f": {"near": {"lat": 37.5172, "lon": 127.0473, "radiusM": 8000}}},
        Tier.PUBLIC,
    ),
    "assets in a box": (
        """query ($f: AssetFilter) { assets(filter: $f, first: 100) {
             totalCount edges { node { id kind name installedYear sensors { id } } } } }""",
        {"f": {"bbox": {"south": 37.49, "west": 127.02, "north": 37.53, "east": 127.07}}},
        Tier.PUBLIC,
    ),
    "hourly readings of a sensor": (
        """query ($id: ID!) { sensor(id: $id) {
             readings(dataType: PM25, from: "2026-11-23T00:00:00Z", to: "2026-11-25T00:00:00Z",
                      bucketMinutes: 60) { start avg min max count } } }""",
        {"id": SENSOR},
        Tier.PUBLIC,
    ),
    "cases with events": (
        """query ($f: CaseFilter) { cases(filter: $f, first: 50) {
             totalCount edges { node { id serviceCode status requestedAt updatedAt expectedAt
               department { id nameEn } events { kind status department at } } } } }""",
        {"f": {"district": [GU]}},
        Tier.PUBLIC,
    ),
    "datasets": (
        """{ datasets(first: 100) { totalCount edges { node { id titleKo theme keywords issued
             modified distributions { format } publisher { id } derivedFrom { id } } } } }""",
        {},
        Tier.PUBLIC,
    ),
    "citizens for an analyst": (
        """query ($f: CitizenFilter) { citizens(filter: $f, first: 100) { totalCount
             edges { node { id birthYear sex welfareEligible dong { code } } } } }""",
        {"f": {"district": [GU]}},
        Tier.ANALYST,
    ),
}


def same(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two answers differ; floats agree to 12 significant digits (summation order)."""
    if isinstance(a, float) or isinstance(b, float):
        ok = isinstance(a, int | float) and isinstance(b, int | float)
        return (
            []
            if ok and math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
            else [f"{path}: {a!r} != {b!r}"]
        )
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return [f"{path}: keys {list(a)} != {list(b)}"]
        return [d for k in a for d in same(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in same(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


async def ask(
    backend: Backend, query: str, variables: dict[str, Any], tier: Tier
) -> dict[str, Any]:
    key = backend.keys.get(tier)
    async with backend.client() as http:
        body = await graphql(http, query, variables, key)
    assert "errors" not in body, body
    return body


async def test_seeding_gives_identical_counts(embedded: Backend, scale_out: Backend) -> None:
    assert (embedded.stores.graph.backend, embedded.stores.records.dialect) == ("ladybug", "sqlite")
    assert (scale_out.stores.graph.backend, scale_out.stores.records.dialect) == (
        "neo4j",
        "postgres",
    )
    counts = [await b.stores.graph.count_by_label() for b in (embedded, scale_out)]
    assert counts[0] == counts[1]
    readings = [await reading_count(b.stores.records) for b in (embedded, scale_out)]
    assert readings[0] == readings[1] > 0


@pytest.mark.parametrize("name", list(MAIN_QUERIES))
async def test_main_queries_answer_the_same(
    embedded: Backend, scale_out: Backend, name: str
) -> None:
    query, variables, tier = MAIN_QUERIES[name]
    here = await ask(embedded, query, variables, tier)
    there = await ask(scale_out, query, variables, tier)
    assert not same(here, there), same(here, there)[:5]


async def test_open311_answers_the_same(embedded: Backend, scale_out: Backend) -> None:
    paths = [
        "/open311/v2/services.json",
        "/open311/v2/requests.json?start_date=2026-11-01T00:00:00Z&end_date=2026-11-25T00:00:00Z",
    ]
    for path in paths:
        answers = []
        for backend in (embedded, scale_out):
            async with backend.client() as http:
                response = await http.get(path)
            assert response.status_code == 200, response.text
            answers.append(response.json())
        assert answers[0] == answers[1], path


PAGE = """query ($first: Int, $after: String, $last: Int, $before: String, $f: SensorFilter) {
  sensors(filter: $f, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
  }
}"""


async def page(client: httpx.AsyncClient, **variables: Any) -> dict[str, Any]:
    body = await graphql(client, PAGE, variables)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["sensors"]  # type: ignore[index]
    return result


def ids(result: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in result["edges"]]


async def test_paging_forward_and_backward_walk_the_same_nodes(
    client: httpx.AsyncClient,
) -> None:
    forward: list[str] = []
    after = None
    while True:
        result = await page(client, first=7, after=after)
        forward += ids(result)
        assert result["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not result["pageInfo"]["hasNextPage"]:
            break
        after = result["pageInfo"]["endCursor"]
    backward: list[str] = []
    before = None
    while True:
        result = await page(client, last=7, before=before)
        backward = ids(result) + backward
        assert result["pageInfo"]["hasNextPage"] is (before is not None)
        if not result["pageInfo"]["hasPreviousPage"]:
            break
        before = result["pageInfo"]["startCursor"]
    assert forward == backward == sorted(forward)
    assert len(forward) == result["totalCount"] > 7


async def test_edge_pages(client: httpx.AsyncClient) -> None:
    everything = ids(await page(client, first=100))
    first = await page(client, first=1)
    last = await page(client, last=1)
    assert ids(first) == everything[:1]
    assert ids(last) == everything[-1:]
    # past either end: an empty page whose cursors are null, and no page beyond it
    beyond = await page(client, first=5, after=last["pageInfo"]["endCursor"])
    assert beyond["edges"] == []
    assert beyond["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": None,
        "endCursor": None,
    }
    before_start = await page(client, last=5, before=first["pageInfo"]["startCursor"])
    assert before_start["edges"] == []
    assert before_start["pageInfo"]["hasPreviousPage"] is False
    # a window between two cursors
    middle = await page(
        client,
        first=100,
        after=first["pageInfo"]["endCursor"],
        before=last["pageInfo"]["startCursor"],
    )
    assert ids(middle) == everything[1:-1]
    # a filter that matches nothing
    empty = await page(client, first=5, f={"district": ["11110"], "status": ["no-such-status"]})
    assert (empty["edges"], empty["totalCount"]) == ([], 0)


async def test_first_and_last_together_are_refused(client: httpx.AsyncClient) -> None:
    body = await graphql(client, PAGE, {"first": 2, "last": 2})
    assert body["errors"][0]["extensions"]["code"] == "invalid"  # type: ignore[index]
    bad = await graphql(client, PAGE, {"last": 2, "before": "bm90LWEtY3Vyc29y"})
    assert bad["errors"][0]["extensions"]["code"] == "bad_cursor"  # type: ignore[index]


async def test_fifty_concurrent_queries_answer_as_serial_ones(backend: Backend) -> None:
    requests = [MAIN_QUERIES[name] for name in MAIN_QUERIES] * 6
    requests = requests[:50]
    serial = [await ask(backend, q, v, t) for q, v, t in requests]
    concurrent = await asyncio.gather(*(ask(backend, q, v, t) for q, v, t in requests))
    assert len(concurrent) == 50
    for one, other in zip(serial, concurrent, strict=True):
        assert one == other
