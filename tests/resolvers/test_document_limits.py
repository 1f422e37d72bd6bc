"""Bounds on a document before validation and coercion: selections, and every list argument or
input field of the schema (findings 2 and 5 of issue 13)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import graphql.validation.rules.overlapping_fields_can_be_merged as overlapping
import httpx
import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    get_named_type,
    is_composite_type,
    parse,
)

from civicgraph.stores import Stores
from resolvers.core.cost.analysis import select_operation
from resolvers.core.document_limits import MAX_SELECTIONS, limit_of, list_too_long
from resolvers.subgraphs import subgraph_schema
from tests.resolvers.test_cost import post
from tests.resolvers.test_cost_analysis import SCHEMA


@dataclass(frozen=True)
class ListPosition:
    """A list argument or input field, and a way to reach it from a root field."""

    position: str
    operation: str
    field: str
    argument: str
    argument_type: str
    path: tuple[str, ...]
    """Input fields from the argument down to the list."""
    selection: str


def _is_list(kind: Any) -> bool:
    return isinstance(kind.of_type if isinstance(kind, GraphQLNonNull) else kind, GraphQLList)


def list_positions(schema: GraphQLSchema) -> list[ListPosition]:
    """Every list argument and input field, each reached from one root field (introspected)."""
    found: dict[str, ListPosition] = {}
    roots = [("query", schema.query_type), ("mutation", schema.mutation_type)]
    roots.append(("subscription", schema.subscription_type))
    for operation, root in roots:
        if root is None:  # a subgraph without mutations or subscriptions
            continue
        for field_name, field in root.fields.items():
            selection = "{ __typename }" if is_composite_type(get_named_type(field.type)) else ""
            for arg_name, arg in field.args.items():
                start = (operation, field_name, arg_name, str(arg.type), selection)
                stack: list[tuple[str, Any, tuple[str, ...], frozenset[str]]] = [
                    (f"{root.name}.{field_name}({arg_name})", arg.type, (), frozenset())
                ]
                while stack:
                    position, kind, path, seen = stack.pop()
                    if _is_list(kind):
                        found.setdefault(
                            position, ListPosition(position, *start[:4], path, start[4])
                        )
                    named = get_named_type(kind)
                    if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
                        for name, input_field in named.fields.items():
                            stack.append(
                                (
                                    f"{named.name}.{name}",
                                    input_field.type,
                                    (*path, name),
                                    seen | {named.name},
                                )
                            )
    return sorted(found.values(), key=lambda p: p.position)


POSITIONS = list_positions(SCHEMA)


def literal(position: ListPosition, items: int) -> str:
    value = "[" + ", ".join(['"x"'] * items) + "]"
    for name in reversed(position.path):
        value = f"{{{name}: {value}}}"
    return (
        f"{position.operation} {{ {position.field}({position.argument}: {value}) "
        f"{position.selection} }}"
    )


def with_variable(position: ListPosition, items: int) -> tuple[str, dict[str, Any]]:
    value: Any = ["x"] * items
    for name in reversed(position.path):
        value = {name: value}
    document = (
        f"{position.operation} ($v: {position.argument_type}) "
        f"{{ {position.field}({position.argument}: $v) {position.selection} }}"
    )
    return document, {"v": value}


def check(query: str, variables: dict[str, Any] | None = None) -> Any:
    document = parse(query)
    return list_too_long(SCHEMA, document, select_operation(document, None), variables)


def test_every_list_of_the_schema_is_found() -> None:
    names = {p.position for p in POSITIONS}
    assert "CaseFilter.district" in names
    city = {p.position for p in list_positions(subgraph_schema("city")._schema)}
    assert "Query._entities(representations)" in city
    assert "CreatePollInput.options" in names
    assert "Subscription.alerts(severity)" in names
    assert len(names | city) >= 18


@pytest.mark.parametrize("position", POSITIONS, ids=[p.position for p in POSITIONS])
def test_list_over_its_maximum_is_refused_as_literal_and_variable(position: ListPosition) -> None:
    limit = limit_of(position.position)
    # a literal one over the limit is found at its position; at the limit it passes
    over = check(literal(position, limit + 1))
    assert over is not None
    assert (over.position, over.limit, over.length) == (position.position, limit, limit + 1)
    assert check(literal(position, limit)) is None
    # the same in a variable, before coercion
    over = check(*with_variable(position, limit + 1))
    assert over is not None
    assert (over.limit, over.length) == (limit, limit + 1)
    assert over.where.startswith("$v")
    assert check(*with_variable(position, limit)) is None


async def test_long_filter_variable_is_refused_before_coercion(
    client: httpx.AsyncClient, stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the reviewer's probe: 30,000 district codes in one variable
    query = "query($v:[String!]){ cases(first:1, filter:{district:$v}) { edges { node { id } } } }"
    before = stores.calls()
    # when
    body = await post(client, query, {"v": ["11680"] * 30_000})
    # then
    [error] = body["errors"]
    assert error["extensions"]["code"] == "bad_user_input"
    assert error["extensions"]["maxLength"] == 100
    assert "cost" not in body.get("extensions", {})  # refused before pricing coerced it
    assert stores.calls() == before


async def test_long_default_value_of_a_variable_is_refused_too(
    client: httpx.AsyncClient, stores: Stores
) -> None:
    # given the second reviewer's probe: the list in the variable's default, no variables sent
    codes = ", ".join(['"11680"'] * 2_000)
    selection = "cases(first:1, filter:{district:$v}) { totalCount }"
    query = f"query($v:[String!]=[{codes}]){{ {selection} }}"
    before = stores.calls()
    # when
    body = await post(client, query, {})
    # then
    [error] = body["errors"]
    assert (error["extensions"]["code"], error["extensions"]["maxLength"]) == (
        "bad_user_input",
        100,
    )
    assert stores.calls() == before


@pytest.mark.parametrize("count", [MAX_SELECTIONS + 1, 1_000, 4_900])
async def test_many_selections_are_refused_before_validation(
    client: httpx.AsyncClient, count: int
) -> None:
    body = await post(client, "{ " + "__typename " * count + "}")
    [error] = body["errors"]
    assert error["extensions"]["code"] == "document_too_large"


async def test_validation_over_its_budget_is_a_typed_refusal(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given graphql-core's budget spent by a document under the selection limit
    monkeypatch.setattr(overlapping, "MAX_COMPLEXITY_BUDGET", 100)
    body = await post(client, "{ " + "__typename " * 50 + "}")
    [error] = body["errors"]
    assert error["extensions"]["code"] == "document_too_large"
    assert json.dumps(error)


async def test_document_under_the_limits_is_answered(client: httpx.AsyncClient) -> None:
    body = await post(client, "{ " + "__typename " * 100 + "}")
    assert body["data"] == {"__typename": "Query"}
