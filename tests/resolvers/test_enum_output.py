"""Enum results by lookup answer exactly as Strawberry's scan: every member of every enum of
the merged schema, `StrEnum` or not, comes out as its GraphQL name; anything else is refused."""

from __future__ import annotations

import pytest
from graphql import GraphQLError
from strawberry.schema.schema_converter import CustomGraphQLEnumType

from resolvers.schema import build_schema


def test_every_enum_member_comes_out_as_its_name() -> None:
    schema = build_schema()._schema
    enums = [t for t in schema.type_map.values() if isinstance(t, CustomGraphQLEnumType)]
    assert enums
    for enum_type in enums:
        assert "coerce_output_value" in vars(enum_type)  # the lookup is installed
        for name, value in enum_type.values.items():
            member = enum_type.wrapped_cls(value.value)
            assert enum_type.serialize(member) == name
        with pytest.raises(GraphQLError):
            enum_type.serialize("no such value")
