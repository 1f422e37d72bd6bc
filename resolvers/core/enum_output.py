"""Enum results by lookup: Strawberry's enum types find a member's GraphQL name by scanning
every value of the enum (two `Enum` property reads each) on every result, 40 times for the app
query's readings. graphql-core's own lookup by value is one dict read, and exact for `StrEnum`
members (equal to and hashed as their value); other members still go the scanning way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLSchema
from strawberry.schema.schema_converter import CustomGraphQLEnumType


def _looked_up(enum_type: CustomGraphQLEnumType) -> Callable[[Any], str]:
    names: dict[Any, str] = enum_type._value_lookup
    scan = enum_type.coerce_output_value

    def coerce_output_value(value: Any) -> str:
        try:
            return names[value]
        except (KeyError, TypeError):  # a member of an Enum that is not a str, or unknown
            return scan(value)

    return coerce_output_value


def look_up_enum_results(schema: GraphQLSchema) -> None:
    """Give each of `schema`'s Strawberry enum types the lookup above for its results (once:
    a type the merged schema shares with a subgraph's is already done)."""
    for named in schema.type_map.values():
        if isinstance(named, CustomGraphQLEnumType) and "coerce_output_value" not in vars(named):
            named.coerce_output_value = _looked_up(named)  # type: ignore[method-assign,assignment]
