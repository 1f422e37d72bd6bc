"""Which subscriptions a door may serve from one shared stream (`shares_every_event`)."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest
from graphql import OperationDefinitionNode, parse, subscribe
from graphql import build_schema as build_graphql_schema

from resolvers.core.shared_events import SharedEventExecutor, shares_every_event
from resolvers.schema import build_schema

SCHEMA = build_schema()._schema
EVENTS = 500


def operation(text: str) -> OperationDefinitionNode:
    [node] = parse(text).definitions
    assert isinstance(node, OperationDefinitionNode)
    return node


@pytest.mark.parametrize(
    "document",
    [
        'subscription { sensorReadings(district: "11680") { id values { value } } }',
        "subscription ($d: String) { alerts(district: $d) { id severity } }",
        "subscription { caseUpdates { id } }",
        "subscription Named { renamed: sensorReadings { id } }",
    ],
)
def test_events_the_same_for_every_caller_are_shared(document: str) -> None:
    assert shares_every_event(SCHEMA, operation(document))


@pytest.mark.parametrize(
    "document",
    [
        "subscription { anomalies { district } }",  # not marked: may differ by caller
        "query { __typename }",
        "subscription { ...F } fragment F on Subscription { sensorReadings { id } }",
        "subscription ($x: Boolean!) { sensorReadings @include(if: $x) { id } }",
        "subscription { noSuchField { id } }",
    ],
)
def test_anything_else_runs_on_its_own(document: str) -> None:
    text = document.split(" fragment ")[0] if "fragment" in document else document
    assert not shares_every_event(SCHEMA, operation(text))


async def test_a_long_subscription_keeps_no_memo_per_event() -> None:
    # graphql-core 3.3.2 kept two memo entries per event in the subscription's executor, for
    # as long as the subscription lived; each event's executor now has a memo of its own
    schema = build_graphql_schema(
        "type Query { x: Int } type V { a: Int b: Int } type E { id: Int v: [V] }"
        " type Subscription { s: E }"
    )

    async def events(*_: object) -> AsyncIterator[dict[str, object]]:
        for i in range(EVENTS):
            yield {"id": i, "v": [{"a": 1, "b": 2}]}

    field = schema.get_type("Subscription").fields["s"]  # type: ignore[union-attr]
    field.subscribe, field.resolve = events, lambda event, _info: event
    document = parse("subscription { s { id v { a b } } }")
    stream = subscribe(schema, document, executor_class=Recording)
    if inspect.isawaitable(stream):
        stream = await stream
    assert isinstance(stream, AsyncIterator)
    ids = [result.data["s"]["id"] async for result in stream if result.data]
    assert ids == list(range(EVENTS))
    [subscription] = Recording.built  # the subscription's executor; each event's is a copy
    assert len(subscription._relevant_sub_fields) <= 2


class Recording(SharedEventExecutor):
    built: ClassVar[list[SharedEventExecutor]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        Recording.built.append(self)
