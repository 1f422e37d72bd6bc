"""Resident counts below the analyst tier: sums of one randomly rounded table, so differencing
any combination of answers recovers no count under 5 (issue 13 §2, docs/security.md).

The truth is computed from the store directly; the attacks go through the API.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest

from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.query import NodeQuery
from graph.records.api_keys import Tier
from resolvers.city.dataloaders import forget_read_cells
from resolvers.city.residents import TABLE
from resolvers.core.rounding import RandomRounding
from resolvers.core.rounding_key import load_rounding
from tests.helpers import error_codes, graphql, resident_id

GU = "11680"  # Gangnam-gu
DONG = "11680107"  # the dong: 30 residents at the test scale, most cells 1-4 people
ATTACK = """
query ($code: String!, $year: Int!, $next: Int!, $prev: Int!) { district(code: $code) {
  single: residentCount(bornFrom: $year, bornTo: $year)
  a: residentCount(bornFrom: $year) b: residentCount(bornFrom: $next)
  c: residentCount(bornTo: $year) d: residentCount(bornTo: $prev)
} }
"""
COUNT = """
query ($code: String!, $from: Int, $to: Int) {
  district(code: $code) { residentCount(bornFrom: $from, bornTo: $to) }
}
"""
GU_AND_DONG = """
query ($code: String!, $from: Int, $to: Int) { district(code: $code) {
  residentCount(bornFrom: $from, bornTo: $to)
  dong { code residentCount(bornFrom: $from, bornTo: $to) }
} }
"""
Cells = Counter[tuple[str | None, int | None]]


async def true_cells(stores: Stores, gu: str) -> Cells:
    """(dong, birth year) -> residents of `gu`, read from the store, not through the API."""
    nodes = await stores.graph.find_nodes(NodeQuery("Citizen", {"district_code": [gu]}))
    return Counter((n["dong_code"], n["birth_year"]) for n in nodes)


def in_years(year: int | None, low: int | None, high: int | None) -> bool:
    """Whether a cell of birth `year` counts in [low, high] (unknown years: only unbounded)."""
    if low is None and high is None:
        return True
    return year is not None and (low is None or year >= low) and (high is None or year <= high)


def published(rounding: RandomRounding, gu: str, cells: Cells, chosen: Cells) -> int:
    """The sum of the published values of the `chosen` cells of `gu` (their truth in `cells`)."""
    return sum(
        rounding.publish((TABLE, gu, dong, year), cells[dong, year]) for dong, year in chosen
    )


@pytest.fixture(scope="module")
def rounding(settings: Settings) -> RandomRounding:
    return load_rounding(settings.rounding_key_path, create=False)


def below_analyst(keys: dict[Tier, str]) -> list[str | None]:
    return [None, keys[Tier.DEVELOPER]]


async def count(client: httpx.AsyncClient, code: str, key: str | None, **years: int) -> int:
    variables: dict[str, object] = {
        "code": code,
        "from": years.get("born_from"),
        "to": years.get("born_to"),
    }
    body = await graphql(client, COUNT, variables, key)
    assert "errors" not in body, body
    return int(body["data"]["district"]["residentCount"])  # type: ignore[index]


async def test_differencing_attack_recovers_no_hidden_cell_of_the_dong(
    client: httpx.AsyncClient, stores: Stores, keys: dict[Tier, str]
) -> None:
    # given the dong's true cells, most of them 1 to 4 people
    cells = await true_cells(stores, GU)
    hidden = {
        year: n
        for (dong, year), n in cells.items()
        if dong == DONG and year is not None and 0 < n < 5
    }
    assert len(hidden) >= 15
    for key in below_analyst(keys):
        for year, n in sorted(hidden.items()):
            # when the attack, and its mirror through bornTo, is run on each hidden cell
            variables: dict[str, object] = {
                "code": DONG,
                "year": year,
                "next": year + 1,
                "prev": year - 1,
            }
            body = await graphql(client, ATTACK, variables, key)
            assert "errors" not in body, body
            got = body["data"]["district"]  # type: ignore[index]
            # then every difference is the one published cell: a multiple of 5, never the truth
            assert got["a"] - got["b"] == got["c"] - got["d"] == got["single"]
            assert got["single"] % 5 == 0
            assert abs(got["single"] - n) < 5
            assert got["single"] != n, (year, n, got)


async def test_gu_minus_its_dong_yields_only_published_cells(
    client: httpx.AsyncClient, stores: Stores, keys: dict[Tier, str], rounding: RandomRounding
) -> None:
    # given the gu's true cells (residents with no dong, made by other tests, count in the gu only)
    cells = await true_cells(stores, GU)
    for key in below_analyst(keys):
        for years in ({}, {"from": 1950, "to": 1969}, {"from": 1990}):
            # when the gu and each of its dong are asked in one query
            body = await graphql(client, GU_AND_DONG, {"code": GU, **years}, key)
            assert "errors" not in body, body
            gu = body["data"]["district"]  # type: ignore[index]
            dong_codes = {d["code"] for d in gu["dong"]}
            low, high = years.get("from"), years.get("to")
            # then the gu is the sum of its dong, plus the published cells of no dong
            rest = Counter(
                {
                    c: n
                    for c, n in cells.items()
                    if c[0] not in dong_codes and in_years(c[1], low, high)
                }
            )
            rest_published = published(rounding, GU, cells, rest)
            difference = gu["residentCount"] - sum(d["residentCount"] for d in gu["dong"])
            assert difference == rest_published
            assert difference % 5 == 0


async def test_overlapping_ranges_with_aliases_are_sums_of_published_cells(
    client: httpx.AsyncClient, stores: Stores, keys: dict[Tier, str], rounding: RandomRounding
) -> None:
    # given overlapping year ranges of the dong, all asked in one query under aliases
    cells = await true_cells(stores, GU)
    ranges = [(low, low + width) for low in range(1940, 2010, 9) for width in (0, 3, 40)]
    fields = " ".join(
        f"r{i}: residentCount(bornFrom: {low}, bornTo: {high})"
        for i, (low, high) in enumerate(ranges)
    )
    query = f'{{ district(code: "{DONG}") {{ {fields} }} }}'
    for key in below_analyst(keys):
        body = await graphql(client, query, key=key)
        assert "errors" not in body, body
        got = body["data"]["district"]  # type: ignore[index]
        for i, (low, high) in enumerate(ranges):
            # then each answer is a multiple of 5 and the sum of the published cells it covers
            chosen = Counter(
                {c: n for c, n in cells.items() if c[0] == DONG and in_years(c[1], low, high)}
            )
            expected = published(rounding, GU, cells, chosen)
            assert got[f"r{i}"] == expected, (low, high)
            assert expected % 5 == 0


async def test_repeated_queries_give_identical_answers(
    client: httpx.AsyncClient, keys: dict[Tier, str]
) -> None:
    variables = {"code": DONG, "year": 1971, "next": 1972, "prev": 1970}
    answers = [
        (await graphql(client, ATTACK, variables, key))["data"]
        for _ in range(20)
        for key in below_analyst(keys)
    ]
    assert all(answer == answers[0] for answer in answers)


async def test_analysts_and_operators_get_exact_counts(
    client: httpx.AsyncClient, stores: Stores, keys: dict[Tier, str]
) -> None:
    cells = await true_cells(stores, GU)
    for tier in (Tier.ANALYST, Tier.OPERATOR):
        assert await count(client, GU, keys[tier]) == sum(cells.values())
        dong_1951 = sum(n for (d, y), n in cells.items() if d == DONG and y == 1951)
        assert await count(client, DONG, keys[tier], born_from=1951, born_to=1951) == dong_1951
        in_dong = sum(n for (d, _), n in cells.items() if d == DONG)
        assert await count(client, DONG, keys[tier]) == in_dong


async def test_ranges_outside_the_data_count_zero_for_everyone(
    client: httpx.AsyncClient, keys: dict[Tier, str]
) -> None:
    for key in [*below_analyst(keys), keys[Tier.ANALYST]]:
        assert await count(client, GU, key, born_from=1800, born_to=1900) == 0
        assert await count(client, DONG, key, born_from=2100) == 0
        assert await count(client, DONG, key, born_to=1800) == 0


async def test_bad_year_range_is_a_typed_refusal(client: httpx.AsyncClient) -> None:
    body = await graphql(client, COUNT, {"code": DONG, "from": 1990, "to": 1980})
    assert error_codes(body) == ["invalid"]


async def test_a_resident_added_to_a_cell_moves_only_that_published_cell(
    client: httpx.AsyncClient, stores: Stores, keys: dict[Tier, str], rounding: RandomRounding
) -> None:
    # given a cell of the dong with 0 people (born 1905) and its published neighbours
    year = 1905
    before = {key: await count(client, DONG, key) for key in below_analyst(keys)}
    assert await count(client, DONG, None, born_from=year, born_to=year) == 0
    added = []
    try:
        for size in range(1, 12):
            # when residents arrive in it one by one
            resident = resident_id()
            props = {"id": resident, "district_code": GU, "dong_code": DONG, "birth_year": year,
                     "sex": "F", "welfare_eligible": False}  # fmt: skip
            assert await stores.graph.create_node("Citizen", props)
            added.append(resident)
            cell = rounding.publish((TABLE, GU, DONG, year), size)
            for key in below_analyst(keys):
                # then the cell shows its published value (within 4 of the truth) and every
                # other answer moves by exactly as much: nothing else is revealed
                assert await count(client, DONG, key, born_from=year, born_to=year) == cell
                assert await count(client, DONG, key) == before[key] + cell
            assert abs(cell - size) < 5
            assert cell % 5 == 0
            assert cell == size if size % 5 == 0 else cell in (size - size % 5, size + 5 - size % 5)
    finally:
        for resident in added:
            await stores.graph.delete_node("Citizen", resident)
    assert await count(client, DONG, None) == before[None]


async def test_counts_of_every_district_cost_one_aggregate_per_level(
    client: httpx.AsyncClient, stores: Stores, keys: dict[Tier, str]
) -> None:
    # given the 25 gu and all their dong, each asked two ranges
    query = """{ districts { a: residentCount b: residentCount(bornFrom: 1980)
                 dong { a: residentCount b: residentCount(bornTo: 1960) } } }"""
    one_gu = """{ district(code: "11680") { a: residentCount b: residentCount(bornFrom: 1980)
                 dong { a: residentCount b: residentCount(bornTo: 1960) } } }"""
    costs = []
    for text in (one_gu, query):
        forget_read_cells()  # each query reads its cells from the store
        start = stores.graph.calls
        body = await graphql(client, text, key=keys[Tier.OPERATOR])  # a budget for 492 districts
        assert "errors" not in body, body
        costs.append(stores.graph.calls - start)
    # then all 25 gu and 467 dong cost what one gu and its dong cost: no query per district
    assert costs[0] == costs[1] <= 3


async def test_cells_are_read_again_only_after_a_write_through_the_store(
    client: httpx.AsyncClient, stores: Stores
) -> None:
    # given every dong's count asked once
    query = "{ districts(level: DONG) { residentCount } }"
    forget_read_cells()
    first = await graphql(client, query)
    # when it is asked again, nothing having changed
    start = stores.graph.calls
    again = await graphql(client, query)
    # then the cells are not read again (only the dong list is), and the answer is the same
    assert (again, stores.graph.calls - start) == (first, 1)
    # when a resident is registered through the store, the next answer reads the cells again
    resident = resident_id()
    props = {"id": resident, "district_code": GU, "dong_code": DONG, "birth_year": 1990,
             "sex": "F", "welfare_eligible": False}  # fmt: skip
    assert await stores.graph.create_node("Citizen", props)
    try:
        start = stores.graph.calls
        await graphql(client, query)
        assert stores.graph.calls - start == 2
    finally:
        await stores.graph.delete_node("Citizen", resident)


async def test_people_cannot_be_listed_or_counted_below_analyst(
    client: httpx.AsyncClient, stores: Stores, keys: dict[Tier, str], subgraph_client: Any
) -> None:
    someone = (await stores.graph.find_nodes(NodeQuery("Citizen", limit=1)))[0]["id"]
    doors: dict[str, tuple[str, dict[str, object]]] = {
        "citizens": ('{ citizens(filter: {district: ["11680"]}) { totalCount } }', {}),
        "pages": ("{ citizens(first: 100) { edges { node { id district { code } } } } }", {}),
        "citizen": ("query ($id: ID!) { citizen(id: $id) { id district { code } } }", {}),
    }
    entities = (
        "query ($r: [_Any!]!) { _entities(representations: $r)"
        " { ... on Citizen { id district { code } } } }"
    )
    async with subgraph_client("city") as city:  # what a gateway asks the city subgraph
        for name, (query, variables), http in [
            *((name, door, client) for name, door in doors.items()),
            ("_entities", (entities, {"r": [{"__typename": "Citizen", "id": someone}]}), city),
        ]:
            variables = {"id": someone, **variables} if "$id" in query else variables
            for key in below_analyst(keys):
                body = await graphql(http, query, variables, key)
                assert error_codes(body) == ["forbidden"], (name, body)
            body = await graphql(http, query, variables, keys[Tier.ANALYST])
            assert "errors" not in body, (name, body)
    # and the health check's node counts leave people out below analyst
    public = (await client.get("/healthz")).json()["nodes"]
    analyst = (await client.get("/healthz", headers={"X-API-Key": keys[Tier.ANALYST]})).json()
    assert "Citizen" not in public
    assert analyst["nodes"]["Citizen"] > 0
