"""The plain-leaf fast path answers exactly as graphql-core's own path: the same data and the
same errors (a null for a non-null field, an integer past 32 bits, an unknown enum value), and
it is taken for attribute fields only, never for a field with a resolver or arguments."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from resolvers.core.leaf_fields import PlainLeafExecutor


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
        return list(things())


QUERY = "{ things { name count kind note share shout(times: 2) } }"


def answer(context_class: type[Any]) -> tuple[Any, list[Any]]:
    schema = strawberry.Schema(query=Query, execution_context_class=context_class)
    result = schema.execute_sync(QUERY)
    return result.data, [(e.message, e.path) for e in result.errors or []]


def test_the_fast_path_answers_as_graphql_core_does() -> None:
    fast = answer(PlainLeafExecutor)
    assert fast == answer(StrawberryGraphQLCoreExecutionContext)
    data, errors = fast
    assert data is not None
    assert data["things"][0] == {
        "name": "a",
        "count": 1,
        "kind": "SDOT",
        "note": None,
        "share": 0.5,
        "shout": "AA",
    }
    assert [path for _, path in errors] == [["things", 1, "name"], ["things", 2, "kind"]]


def test_only_attribute_leaves_take_the_fast_path() -> None:
    PlainLeafExecutor.plain_leaves.clear()
    answer(PlainLeafExecutor)
    taken = sorted(
        (plan[0].type.of_type if hasattr(plan[0].type, "of_type") else plan[0].type).name
        for plan in PlainLeafExecutor.plain_leaves.values()
        if plan is not None
    )
    skipped = [plan for plan in PlainLeafExecutor.plain_leaves.values() if plan is None]
    # name, count, kind, note, share; not `things` (a resolver); `shout`, asked with
    # arguments, is never even looked at
    assert taken == ["Float", "Int", "Kind", "String", "String"]
    assert len(skipped) == 1
