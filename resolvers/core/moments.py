"""The `DateTime` scalar every argument and input field reads: an ISO 8601 time with its offset,
within the range the platform can compute with, refused at the door otherwise."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import strawberry
from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    ObjectFieldNode,
    OperationDefinitionNode,
    ValueNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    value_from_ast_untyped,
    visit,
)
from strawberry.types.scalar import ScalarDefinition

from resolvers.core.errors import ApiError, ApiErrorCode

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)
"""Times accepted, in UTC, inclusive. Outside it a time (or the same time moved by a window or
90 days) may not exist in Python's calendar (years 1-9999): `0001-01-01T00:00:00+14:00` is a
year-0 time in UTC. No city record predates the Unix epoch."""


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def checked_moment(moment: datetime) -> datetime:
    """`moment` unchanged if it has an offset and lies between EARLIEST and LATEST.

    Raises ApiError INVALID for a naive time, OUT_OF_RANGE for one outside the range or whose
    UTC time does not exist (year 1 at +14:00, year 9999 at -14:00).
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ApiError(ApiErrorCode.INVALID, f"{_iso(moment)} needs a time zone (e.g. +09:00 or Z)")
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise ApiError(
            ApiErrorCode.OUT_OF_RANGE,
            f"{moment.isoformat()} is outside {_iso(EARLIEST)} .. {_iso(LATEST)}",
        )
    return moment


def parse_moment(value: object) -> datetime:
    """A DateTime input value (an ISO 8601 string, as Python 3.11's `datetime.fromisoformat`
    reads it) checked by `checked_moment`. Raises ApiError INVALID for anything else (a number,
    `…T23:59:60Z`: Python times have no leap second)."""
    if not isinstance(value, str):
        raise ApiError(ApiErrorCode.INVALID, f"a DateTime is an ISO 8601 string, not {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except (ValueError, OverflowError):
        raise ApiError(ApiErrorCode.INVALID, f"{value[:64]!r} is not an ISO 8601 time") from None
    return checked_moment(moment)


def parse_moment_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> datetime:
    """`parse_moment` of a literal; a refusal points at the literal (its GraphQL location)."""
    try:
        return parse_moment(value_from_ast_untyped(node, variables))
    except ApiError as error:
        raise GraphQLError(error.message, node, extensions=error.extensions) from None


class _Fields(Visitor):
    """Finds the argument (dotted through input object fields) holding given literal nodes or
    variables: `readings.from` is `from`, `createPoll(input: {opensAt: …})` is `input.opensAt`."""

    def __init__(self, literals: set[int], variables: set[str]) -> None:
        super().__init__()
        self.literals, self.variables = literals, variables
        self.names: list[str] = []
        self.found: dict[int | str, str] = {}

    def enter_argument(self, node: ArgumentNode, *_: object) -> None:
        self.names.append(node.name.value)
        self._check(node.value)

    def enter_object_field(self, node: ObjectFieldNode, *_: object) -> None:
        self.names.append(node.name.value)
        self._check(node.value)

    def leave_argument(self, *_: object) -> None:
        self.names.pop()

    def leave_object_field(self, *_: object) -> None:
        self.names.pop()

    def enter_list_value(self, node: Any, *_: object) -> None:
        for item in node.values:
            self._check(item)

    def _check(self, value: ValueNode) -> None:
        key: int | str | None = None
        if id(value) in self.literals:
            key = id(value)
        elif isinstance(value, VariableNode) and value.name.value in self.variables:
            key = value.name.value
        if key is not None:
            self.found.setdefault(key, ".".join(self.names))


def name_fields(
    document: DocumentNode | OperationDefinitionNode, errors: Iterable[GraphQLError]
) -> None:
    """Give each coded error of a DateTime value (a literal, or a variable's definition) the
    `field` of `extensions` naming the argument that holds it, like ApiError's `field`."""
    targets: dict[GraphQLError, int | str] = {}
    for error in errors:
        extensions = error.extensions or {}
        if "code" not in extensions or "field" in extensions or not error.nodes:
            continue
        node = error.nodes[0]
        if isinstance(node, VariableDefinitionNode):
            targets[error] = node.variable.name.value
        elif not isinstance(node, ArgumentNode | ObjectFieldNode):
            targets[error] = id(node)
    if not targets:
        return
    fields = _Fields(
        {t for t in targets.values() if isinstance(t, int)},
        {t for t in targets.values() if isinstance(t, str)},
    )
    visit(document, fields)
    for error, target in targets.items():
        if target in fields.found:
            error.extensions = {**(error.extensions or {}), "field": fields.found[target]}


def _serialize(moment: datetime) -> str:
    return moment.isoformat()


DateTime: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="Date with time (isoformat); as input, with its offset, 1970-01-01Z .. 9999-01-01Z",
    serialize=_serialize,
    parse_value=parse_moment,
    parse_literal=parse_moment_literal,
)
"""Use as `scalar_overrides={datetime: DateTime}`: every `datetime` of the schema reads through
`parse_moment`, as a variable and as a literal."""
