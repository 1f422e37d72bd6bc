"""The static cost function on documents alone (no server), and its table against the data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
    parse,
)

from resolvers.core.cost import analysis
from resolvers.core.cost.analysis import CostLimits, operation_cost
from resolvers.core.cost.bounds import ListBounds
from resolvers.core.cost.budgets import CostBudgets
from resolvers.core.cost.weights import FIELD_COSTS, MUTATION_WEIGHT
from resolvers.core.pagination import DEFAULT_PAGE_SIZE
from resolvers.schema import build_schema
from resolvers.subgraphs import SUBGRAPHS, subgraph_schema
from tests.helpers import REPO

SCHEMA = build_schema()._schema
SUBGRAPH_SCHEMAS = {name: subgraph_schema(name)._schema for name in SUBGRAPHS}
LIMITS = CostLimits(ListBounds())
"""Seoul at scale 1.0: what production is charged, whatever the test city's size."""
PUBLIC = CostBudgets().public
B = ListBounds()


def cost(
    query: str,
    variables: dict[str, Any] | None = None,
    name: str | None = None,
    schema: GraphQLSchema = SCHEMA,
) -> int:
    found = operation_cost(schema, parse(query), variables, name, LIMITS)
    assert found is not None
    return found


def nested_adjacent(levels: int) -> str:
    return '{ district(code: "11680") { ' + "adjacent { " * levels + "code" + " }" * levels + " } }"


DONG_BOUNDARIES = "{ districts(level: DONG) { code boundary } }"
ALIAS_BOMB = (
    "{ " + " ".join(f"a{i}: districts(level: DONG) {{ code boundary }}" for i in range(30)) + " }"
)


def test_cost_of_recursive_adjacency_multiplies_per_level() -> None:
    # given/when/then: 1 for the district, each level 7 more objects per object above
    assert cost(nested_adjacent(1)) == 1 + 7
    assert cost(nested_adjacent(2)) == 1 + 7 * (1 + 7)
    assert cost(nested_adjacent(10)) > 7**10 > 1_000 * PUBLIC


def test_cost_of_the_alias_bomb_is_thirty_times_every_dong_boundary() -> None:
    one = B.dong * (1 + 4)  # each dong: the object and its boundary's weight
    assert cost(DONG_BOUNDARIES) == one
    assert cost(ALIAS_BOMB) == 30 * one
    assert len(ALIAS_BOMB) < 1_500


def test_cost_of_a_connection_follows_first_from_variables_or_the_default_page() -> None:
    query = "query ($n: Int) { sensors(first: $n) { edges { node { id district { code } } } } }"
    # connection 1 + n edges x (edge 1 + node 1 + district 1)
    assert cost(query, {"n": 5}) == 1 + 5 * 3
    assert cost(query, {"n": 50}) == 1 + 50 * 3
    assert cost(query, {}) == 1 + 20 * 3  # DEFAULT_PAGE_SIZE
    # paging the resolver refuses (out_of_range) reads nothing: its error, not ours, answers
    assert cost(query, {"n": 10**9}) == cost(query, {"n": 0}) == 1
    assert cost(query.replace("first", "last"), {"n": 7}) == 1 + 7 * 3


def test_cost_counts_named_and_inline_fragments_where_they_are_spread() -> None:
    plain = '{ district(code: "11680") { adjacent { code } } districts { adjacent { code } } }'
    named = """
    fragment Near on District { adjacent { code } }
    { district(code: "11680") { ...Near } districts { ...Near } }"""
    inline = """
    { district(code: "11680") { ... on District { adjacent { code } } }
      districts { ... { adjacent { code } } } }"""
    assert cost(named) == cost(plain) == cost(inline) == (1 + 7) + 25 * (1 + 7)


def test_cost_of_aliases_adds_up() -> None:
    one = '{ a: district(code: "11680") { adjacent { code } } }'
    two = """{ a: district(code: "11680") { adjacent { code } }
               b: district(code: "11110") { adjacent { code } } }"""
    assert cost(two) == 2 * cost(one)


def test_cost_leaves_out_what_skip_and_include_drop() -> None:
    query = "query ($x: Boolean!) { districts { code adjacent @include(if: $x) { code } } }"
    assert cost(query, {"x": False}) == 25
    assert cost(query, {"x": True}) == 25 * (1 + 7)


def test_cost_of_a_union_is_its_costliest_member() -> None:
    query = """mutation ($input: FileCaseInput!) { fileCase(input: $input) {
      ... on FileCaseSuccess { case { id department { nameEn } events { kind } } }
      ... on ServicesError { code } } }"""
    variables = {"input": {"serviceCode": "noise", "description": "x", "lat": 37.5, "lon": 127.0}}
    # mutation weight + result 1 + success: case 1 + department 1 + events
    assert cost(query, variables) == MUTATION_WEIGHT + 1 + 1 + 1 + DEFAULT_PAGE_SIZE


def test_cost_of_readings_is_one_per_bucket_of_the_window() -> None:
    query = """query ($from: DateTime!, $to: DateTime!, $m: Int!) { sensor(id: "s") {
      readings(dataType: PM25, from: $from, to: $to, bucketMinutes: $m) { avg } } }"""
    day = {"from": "2026-11-24T00:00:00+09:00", "to": "2026-11-25T00:00:00+09:00"}
    assert cost(query, {**day, "m": 60}) == 1 + 5 + 24
    assert cost(query, {**day, "m": 1}) == 1 + 5 + 1440
    month = {"from": "2026-10-25T00:00:00+09:00", "to": "2026-11-24T00:00:00+09:00", "m": 22}
    assert cost(query, month) == 1 + 5 + 1964
    # windows the resolver refuses (window_too_large, invalid) read nothing
    assert cost(query, {**month, "m": 1}) == 1 + 5
    year = {"from": "2026-01-01T00:00:00Z", "to": "2026-11-24T00:00:00Z", "m": 1440}
    assert cost(query, year) == 1 + 5
    assert cost(query, {**day, "to": day["from"], "m": 60}) == 1 + 5


def test_cost_of_federation_entities_follows_the_representations() -> None:
    query = """query ($r: [_Any!]!) {
      _entities(representations: $r) { ... on District { code adjacent { code } } } }"""
    reps = [{"__typename": "District", "code": "11680"}] * 3
    assert cost(query, {"r": reps}, schema=SUBGRAPH_SCHEMAS["city"]) == 3 * (1 + 7)


def test_cost_is_none_when_execution_would_refuse_the_request_anyway() -> None:
    two = "query A { districts { code } } query B { districts { code } }"
    assert operation_cost(SCHEMA, parse(two), None, None, LIMITS) is None
    assert operation_cost(SCHEMA, parse(two), None, "C", LIMITS) is None
    assert operation_cost(SCHEMA, parse(two), None, "B", LIMITS) == 25
    bad = "query ($n: Int!) { sensors(first: $n) { totalCount } }"
    assert operation_cost(SCHEMA, parse(bad), {"n": "ten"}, None, LIMITS) is None


def test_cost_of_a_fragment_cycle_is_finite() -> None:
    # refused by validation before costing; the walk must not loop on it either
    cyclic = """fragment A on District { adjacent { ...B } }
      fragment B on District { adjacent { ...A } } { districts { ...A } }"""
    assert cost(cyclic) == 25 * (1 + 7 * (1 + 7))


def test_cost_of_fragments_spread_many_times_is_worked_out_once_per_fragment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: F0 spreads F1 twice, F1 spreads F2 twice, ...: 2**16 paths, 17 fragments
    depth = 16
    parts = [f"fragment F{i} on District {{ ...F{i + 1} ...F{i + 1} }}" for i in range(depth)]
    parts.append(f"fragment F{depth} on District {{ parent {{ code }} }}")
    query = " ".join(parts) + " { districts { ...F0 } }"
    walks = 0
    on_type = analysis._Walk.on_type

    def counted(self: analysis._Walk, *args: Any) -> int:
        nonlocal walks
        walks += 1
        return on_type(self, *args)

    monkeypatch.setattr(analysis._Walk, "on_type", counted)
    # when/then: the sum is over every path, the work over every fragment
    assert cost(query) == 25 * (1 + 2**depth)
    assert walks < 4 * depth


def test_every_list_of_objects_has_a_size_in_the_table() -> None:
    missing = []
    for named in SCHEMA.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for name, field in named.fields.items():
            nullable = get_nullable_type(field.type)  # type: ignore[type-var]
            if not is_list_type(nullable) or is_leaf_type(get_named_type(field.type)):
                continue
            edges = named.name.endswith("Connection") and name == "edges"
            entry = FIELD_COSTS.get(f"{named.name}.{name}")
            if not edges and (entry is None or entry.size is None):
                missing.append(f"{named.name}.{name}")
    assert missing == []


def test_every_table_entry_names_a_field_of_the_schema() -> None:
    """Of the merged schema, or of a subgraph (`_entities`, `_service`)."""
    for key in FIELD_COSTS:
        parent, name = key.split(".")
        owners = [schema.get_type(parent) for schema in (SCHEMA, *SUBGRAPH_SCHEMAS.values())]
        fields = [o.fields for o in owners if isinstance(o, GraphQLObjectType)]
        assert any(name in found for found in fields), key


def test_list_bounds_are_never_below_the_seed_at_scale_one() -> None:
    from graph.catalogue import departments, services
    from graph.ontology import SDOT_DATA_TYPES
    from resolvers.sensing.windows import MAX_BUCKETS
    from seeds.districts import adjacent_pairs, seoul_dong, seoul_gu
    from seeds.figures import Scale
    from seeds.generator import FORMATS, apportion
    from zk.polls.model import MAX_OPTIONS

    gu, dong = seoul_gu(), seoul_dong()
    areas = [g.area_km2 for g in gu]
    scale = Scale(1.0)
    sdot = apportion(scale.count("sdot_sensors"), areas, 1)
    water = apportion(scale.count("water_stations"), areas, 1)
    per_gu: dict[str, int] = {}
    for d in dong:
        per_gu[d.parent_code] = per_gu.get(d.parent_code, 0) + 1
    degree: dict[str, int] = {}
    for a, b in adjacent_pairs(gu):
        degree[a], degree[b] = degree.get(a, 0) + 1, degree.get(b, 0) + 1
    assert B.gu >= len(gu)
    assert B.dong >= len(dong)
    assert B.dong_per_gu >= max(per_gu.values())
    assert B.adjacent_gu >= max(degree.values())
    assert B.sensors_per_gu >= max(s + w for s, w in zip(sdot, water, strict=True))
    assert B.services >= len(services())
    assert B.departments >= len(departments()) + len(gu)
    assert B.distributions_per_dataset >= len(FORMATS)
    assert B.values_per_reading >= len(SDOT_DATA_TYPES)
    assert B.poll_options >= MAX_OPTIONS
    assert LIMITS.max_buckets == MAX_BUCKETS


def documents(path: str) -> Iterator[tuple[str, DocumentNode]]:
    """Each operation of each ```graphql block of a doc, with the block's fragments."""
    text = (REPO / path).read_text(encoding="utf-8")
    for n, block in enumerate(re.findall(r"```graphql\n(.*?)```", text, re.S)):
        parsed = parse(block)
        fragments = [d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)]
        for d in parsed.definitions:
            if isinstance(d, OperationDefinitionNode):
                yield f"{path}#{n}", DocumentNode(definitions=(d, *fragments))


DOCUMENTED = [
    pytest.param(doc, id=name) for name, doc in (*documents("README.md"), *documents("docs/api.md"))
]


@pytest.mark.parametrize("document", DOCUMENTED)
def test_documented_queries_fit_the_public_budget(document: DocumentNode) -> None:
    found = operation_cost(SCHEMA, document, None, None, LIMITS)
    assert found is not None
    assert found <= PUBLIC


def test_budgets_grow_from_public_to_operator() -> None:
    assert CostBudgets(1, 1, 1, 1).for_tier
    with pytest.raises(ValueError, match="grow"):
        CostBudgets(public=60_000)
    with pytest.raises(ValueError, match="positive"):
        CostBudgets(0, 1, 2, 3)


def test_cost_of_case_events_follows_first() -> None:
    events = '{{ case(id: "c") {{ events{args} {{ status }} }} }}'
    assert cost(events.format(args="")) == 1 + DEFAULT_PAGE_SIZE
    assert cost(events.format(args="(first: 60)")) == 1 + 60
    assert cost(events.format(args="(first: 1000)")) == 1  # refused by the resolver: reads none


def test_cost_of_district_cases_is_a_connection_priced_by_its_page() -> None:
    query = """query ($n: Int) { district(code: "11680") {
      cases(first: $n, status: [OPEN]) { edges { node { id district { code } } } } } }"""
    # district 1 + connection 1 + n edges x (edge 1 + node 1 + district 1)
    assert cost(query, {"n": 7}) == 1 + 1 + 7 * 3
    assert cost(query, {}) == 1 + 1 + DEFAULT_PAGE_SIZE * 3
    assert cost(query.replace("first", "last"), {"n": 7}) == 1 + 1 + 7 * 3
    # a page the resolver refuses (out_of_range) reads nothing
    assert cost(query, {"n": 101}) == cost(query, {"n": 0}) == 1 + 1
    # totalCount is a COUNT over every match of the filter
    assert cost('{ district(code: "11680") { cases { totalCount } } }') == 1 + 1 + 10
    # through the services subgraph's _entities: that, once per representation
    entities = """query ($r: [_Any!]!) { _entities(representations: $r) {
      ... on District { cases(first: 5) { edges { node { id } } } } } }"""
    reps = [{"__typename": "District", "code": "11680"}] * 3
    assert cost(entities, {"r": reps}, schema=SUBGRAPH_SCHEMAS["services"]) == 3 * (1 + 1 + 5 * 2)
