"""Introspection is priced by what it selects, with the schema's real sizes (finding 1 of
issue 13: 30 aliases of a nested `__schema` were priced 300 and held the loop 4.8 s)."""

from __future__ import annotations

import httpx
from graphql import get_introspection_query, graphql_sync, parse

from resolvers.core.cost.budgets import CostBudgets
from resolvers.core.cost.introspection import schema_sizes
from tests.resolvers.test_cost import post
from tests.resolvers.test_cost_analysis import SCHEMA, cost

BUDGETS = CostBudgets()
NESTED = (
    "types { name kind fields(includeDeprecated:true) { name description args { name description"
    " type { name kind ofType { name } } } type { name kind ofType { name kind ofType { name } }"
    " fields(includeDeprecated:true) { name description args { name description type { name kind"
    " } } type { name kind ofType { name kind ofType { name } } } } } } }"
)
INTROSPECTION_BOMB = (
    f"fragment S on __Schema {{ {NESTED} }} "
    + "{ "
    + " ".join(f"a{i}: __schema {{ ...S }}" for i in range(30))
    + " }"
)
"""The reviewer's 1 KB query: 3.4 MB of answer, 4.8 s of event loop."""
GRAPHIQL = get_introspection_query(
    descriptions=True,
    specified_by_url=True,
    directive_is_repeatable=True,
    schema_description=True,
    input_value_deprecation=True,
)
"""What GraphiQL (and graphql-js's getIntrospectionQuery, used by codegen tools) sends."""


REFERENCES = {"type", "ofType", "queryType", "mutationType", "subscriptionType"}
REFERENCES |= {"interfaces", "possibleTypes"}


def entries(result: object, key: str | None = None) -> int:
    """Objects in an introspection answer that are schema entries (not type references)."""
    if isinstance(result, list):
        return sum(entries(item, key) for item in result)
    if not isinstance(result, dict):
        return 0
    own = 0 if key in REFERENCES else 1
    return own + sum(entries(value, name) for name, value in result.items())


def test_cost_of_the_introspection_bomb_is_over_every_budget() -> None:
    assert cost(INTROSPECTION_BOMB) > BUDGETS.operator


def test_cost_of_graphiql_introspection_fits_the_public_budget() -> None:
    assert cost(GRAPHIQL) <= BUDGETS.public


def test_cost_of_introspection_is_never_below_what_it_returns() -> None:
    # given queries that select below every type, below one type, and below references
    queries = [
        GRAPHIQL,
        f"{{ __schema {{ {NESTED} }} }}",
        '{ __type(name: "Query") { fields { name args { name } type { name fields { name } } } } }',
        "{ __schema { directives { name args { name type { name } } } types { enumValues { name }"
        " inputFields { name } possibleTypes { name fields { name } } } } }",
    ]
    for query in queries:
        # when
        answer = graphql_sync(SCHEMA, query)
        # then
        assert answer.errors is None
        assert cost(query) >= entries(answer.data) - 1, query  # the data object is free


def test_cost_of_introspection_follows_the_schema_sizes() -> None:
    sizes = schema_sizes(SCHEMA)
    # every type once, every field of the schema once below them
    assert cost("{ __schema { types { name } } }") == 1 + sizes.types
    assert cost("{ __schema { types { fields { name } } } }") == 1 + sizes.types + sizes.fields
    # one type: the most fields of any type; a reference costs nothing itself
    assert cost('{ __type(name: "Case") { fields { name } } }') == 1 + sizes.most_fields
    assert cost('{ __type(name: "Case") { fields { type { ofType { name } } } } }') == (
        1 + sizes.most_fields
    )
    assert cost(
        "{ __schema { types { fields { type { fields { name } } } } } }"
    ) == 1 + sizes.types + sizes.fields * (1 + sizes.most_fields)


def test_cost_of_introspection_fragments_is_worked_out_once() -> None:
    one = cost(f"{{ __schema {{ {NESTED} }} }}")
    assert cost(INTROSPECTION_BOMB) == 30 * one
    assert parse(INTROSPECTION_BOMB)  # 1 KB of text


async def test_introspection_bomb_is_refused_for_public(client: httpx.AsyncClient) -> None:
    body = await post(client, INTROSPECTION_BOMB)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "query_too_costly"
    assert body.get("data") is None


async def test_graphiql_introspection_is_answered_for_public(client: httpx.AsyncClient) -> None:
    body = await post(client, GRAPHIQL)
    assert "errors" not in body, body.get("errors")
    assert body["data"]["__schema"]["types"]
