"""Which subscriptions a door may serve from one shared stream (`shares_every_event`)."""

from __future__ import annotations

import pytest
from graphql import OperationDefinitionNode, parse

from resolvers.core.shared_events import shares_every_event
from resolvers.schema import build_schema

SCHEMA = build_schema()._schema


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
