"""A subscription resuming with `after` is priced for the whole replay it may send at once."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse

from resolvers.core.cost.replay import events_at_once
from resolvers.schema import build_schema

SCHEMA = build_schema()._schema
WINDOW = 1_000

ROWS = [
    ("no-after", "subscription { sensorReadings { id } }", None, 1),
    ("after-literal", 'subscription { sensorReadings(after: "5") { id } }', None, WINDOW),
    ("after-null", "subscription { alerts(after: null) { id } }", None, 1),
    (
        "after-variable",
        "subscription($a: ID) { caseUpdates(after: $a) { id } }",
        {"a": "5"},
        WINDOW,
    ),
    ("after-variable-unset", "subscription($a: ID) { caseUpdates(after: $a) { id } }", {}, 1),
    (
        "after-variable-default",
        'subscription($a: ID = "7") { caseUpdates(after: $a) { id } }',
        {},
        WINDOW,
    ),
    (
        "after-in-a-fragment",
        'subscription { ...F } fragment F on Subscription { alerts(after: "1") { id } }',
        None,
        WINDOW,
    ),
    (
        "after-in-an-inline-fragment",
        'subscription { ... on Subscription { alerts(after: "1") { id } } }',
        None,
        WINDOW,
    ),
    ("a-query", '{ district(code: "11680") { code } }', None, 1),
    (
        "poll-tally-has-no-replay",
        'subscription { pollTally(pollId: "p") { totalBallots } }',
        None,
        1,
    ),
]


@pytest.mark.parametrize(
    ("document", "variables", "expected"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS]
)
def test_events_at_once_is_the_replay_window_when_after_is_given(
    document: str, variables: dict[str, Any] | None, expected: int
) -> None:
    assert events_at_once(SCHEMA, parse(document), variables, None, WINDOW) == expected
