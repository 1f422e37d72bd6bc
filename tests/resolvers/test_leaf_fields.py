"""The plain-leaf fast path answers exactly as graphql-core's own path: the same data and the
same errors (a null for a non-null field, an integer past 32 bits, an unknown enum value), and
it is taken for attribute fields only, never for a field with a resolver or arguments."""

from __future__ import annotations

from enum import StrEnum
from operator import attrgetter
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

    @strawberry.field
    def edges(self) -> list[Thing | None]:
        """Values at the edges of what the built-in scalars output unchanged."""
        big, tiny, flag, number = 2**31, -(2**31), True, 7
        return [
            Thing(name="ok", count=big - 1, kind=Kind.WATER, note="", share=-0.0),
            Thing(name="ok", count=tiny, kind=Kind.SDOT, note=None, share=1e308),
            Thing(name="ok", count=big, kind=Kind.SDOT, note=None, share=0.5),
            Thing(name="ok", count=tiny - 1, kind=Kind.SDOT, note=None, share=0.5),
            Thing(name="ok", count=1, kind=Kind.SDOT, note=None, share=float("inf")),
            Thing(name="ok", count=1, kind=Kind.SDOT, note=None, share=float("-inf")),
            Thing(name="ok", count=flag, kind=Kind.SDOT, note=None, share=number),  # type: ignore[arg-type]
            Thing(name=number, count=1.0, kind=Kind.SDOT, note=flag, share=flag),  # type: ignore[arg-type]
        ]


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


def test_values_at_the_scalars_edges_answer_as_graphql_core_does() -> None:
    """32-bit ints at and past their bounds, infinite floats, and values of another type than
    their scalar's (a bool for an Int, an int for a Float or a String) go through the
    serializer, which coerces or refuses them; the rest are kept as they are."""
    query = "{ edges { name count kind note share } }"
    fast = answer(PlainLeafExecutor, query)
    assert fast == answer(StrawberryGraphQLCoreExecutionContext, query)
    data, errors = fast
    assert data is not None
    assert data["edges"][0] == {
        "name": "ok",
        "count": 2**31 - 1,
        "kind": "WATER",
        "note": "",
        "share": -0.0,
    }
    assert data["edges"][1]["count"] == -(2**31)
    assert data["edges"][6] == {
        "name": "ok",
        "count": 1,
        "kind": "SDOT",
        "note": None,
        "share": 7.0,
    }
    assert type(data["edges"][6]["share"]) is float
    assert data["edges"][7] == {"name": "7", "count": 1, "kind": "SDOT", "note": "true", "share": 1}
    assert [path for _, path in errors] == [
        ["edges", n, field] for n, field in ((2, "count"), (3, "count"), (4, "share"), (5, "share"))
    ]


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
    assert isinstance(plans["name"][0], attrgetter)  # Strawberry's getattr, without its layers
    assert vars(query.fields["things"]).get(PLAN) is None  # a resolver: not a plain leaf
