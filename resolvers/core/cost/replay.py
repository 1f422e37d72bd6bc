"""How many events a subscription can push at once: one, or a whole replay when it resumes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
)
from graphql.execution.values import get_argument_values, get_variable_values

from resolvers.core.cost.analysis import select_operation

RESUME_ARGUMENT = "after"
"""The argument of a subscription field that replays the events missed since an id."""


def events_at_once(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    replay_window: int,
) -> int:
    """`replay_window` when the operation is a subscription whose root field is given `after`
    (it may replay that many events in one go), else 1. A subscription's static cost is the
    cost of one event, so multiplied by this it prices the replay before any row is read.
    Requires a validated document; 1 when variables do not coerce (execution refuses it)."""
    operation = select_operation(document, operation_name)
    if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
        return 1
    root = schema.subscription_type
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), dict(variables or {}), max_errors=1
    )
    if root is None or isinstance(coerced, list):
        return 1
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    for node in _root_fields(operation.selection_set, fragments, set()):
        definition = root.fields.get(node.name.value)
        if definition is None or RESUME_ARGUMENT not in definition.args:
            continue
        try:
            arguments = get_argument_values(definition, node, coerced)
        except GraphQLError:
            continue  # refused when the field runs
        if arguments.get(RESUME_ARGUMENT) is not None:
            return replay_window
    return 1


def _root_fields(
    selections: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: set[str],
) -> Iterator[FieldNode]:
    for node in selections.selections:
        if isinstance(node, FieldNode):
            yield node
        elif isinstance(node, InlineFragmentNode):
            yield from _root_fields(node.selection_set, fragments, seen)
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
            seen.add(node.name.value)
            fragment = fragments.get(node.name.value)
            if fragment is not None:
                yield from _root_fields(fragment.selection_set, fragments, seen)
