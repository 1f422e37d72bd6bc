"""The plain-leaf fast path answers exactly as graphql-core's own path: the same data and the
same errors (a null for a non-null field, an integer past 32 bits, an unknown enum value), and
it is taken for attribute fields only, never for a field with a resolver or arguments."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import strawberry
from graphql import GraphQLObjectType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from resolvers.core.leaf_fields import PLAN, PlainLeafExecutor


@strawberry.enum
class Kind(StrEnum):
    SDOT = "sdot"
    WATER = "water"


@strawberry.type
class Thing:
    name: str
    count: int
    kind: Kind
    note: str | None
    share: float

    @strawberry.field
    def shout(self, times: int = 1) -> str:
        return self.name.upper() * times


def things() -> list[Thing]:
    broken: Any = None
    return [
        Thing(name="a", count=1, kind=Kind.SDOT, note=None, share=0.5),
        Thing(name=broken, count=2**40, kind=broken, note="n", share=1.0),
        Thing(name="c", count=3, kind="nope", note=None, share=float("nan")),  # type: ignore[arg-type]
    ]


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        return [*things(), None]

    @strawberry.field
    def good(self) -> list[Thing]:
        return [things()[0], things()[0]]

    @strawberry.field
    def holey(self) -> list[Thing] | None:
        return [things()[0], None]  # type: ignore[list-item]


QUERY = "{ things { name count kind note share shout(times: 2) } }"
ONLY_LEAVES = (
    "{ things { name count kind note share } more: things { kind } good { name kind } "
    "holey { name } }"
)


FIRST = {"name": "a", "count": 1, "kind": "SDOT", "note": None, "share": 0.5}
"""The first thing's leaves, as GraphQL answers them."""


def answer(context_class: type[Any], query: str = QUERY) -> tuple[Any, list[Any]]:
    schema = strawberry.Schema(query=Query, execution_context_class=context_class)
    result = schema.execute_sync(query)
    return result.data, [(e.message, e.path) for e in result.errors or []]


def test_the_fast_path_answers_as_graphql_core_does() -> None:
    fast = answer(PlainLeafExecutor)
    assert fast == answer(StrawberryGraphQLCoreExecutionContext)
    data, errors = fast
    assert data is not None
    assert data["things"][0] == {**FIRST, "shout": "AA"}
    assert [path for _, path in errors] == [["things", 1, "name"], ["things", 2, "kind"]]


def test_objects_of_leaves_only_answer_as_graphql_core_does() -> None:
    # each object is built in one loop, or by graphql-core when one of its values is unusual
    fast = answer(PlainLeafExecutor, ONLY_LEAVES)
    assert fast == answer(StrawberryGraphQLCoreExecutionContext, ONLY_LEAVES)
    data, errors = fast
    assert data is not None
    assert data["things"][0] == FIRST
    assert data["more"][0] == {"kind": "SDOT"}
    assert data["things"][3] is None
    assert data["good"] == [{"name": "a", "kind": "SDOT"}] * 2
    assert data["holey"] is None  # a null item where none may be: the list is null
    assert len(errors) == 5


def test_only_attribute_leaves_take_the_fast_path() -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=PlainLeafExecutor)
    schema.execute_sync(QUERY)
    thing = schema._schema.type_map["Thing"]
    query = schema._schema.type_map["Query"]
    assert isinstance(thing, GraphQLObjectType)
    assert isinstance(query, GraphQLObjectType)
    plans = {name: vars(field).get(PLAN, "never asked") for name, field in thing.fields.items()}
    # name, count, kind, note, share; `shout`, asked with arguments, is never even looked at
    assert {name for name, plan in plans.items() if isinstance(plan, tuple)} == {
        "name",
        "count",
        "kind",
        "note",
        "share",
    }
    assert plans["shout"] == "never asked"
    assert vars(query.fields["things"]).get(PLAN) is None  # a resolver: not a plain leaf
