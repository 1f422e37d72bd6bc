"""Federation's `_entities` door: each representation checked against its entity's key before
its type resolves it, so a bad one is a coded error in its own slot (Apollo Federation
subgraph spec, `Query._entities`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import get_named_type
from strawberry.federation.schema_directives import Key

from graph.store import Node
from resolvers.core.dataloaders import NodeByKeyLoader
from resolvers.core.errors import ApiError, ApiErrorCode, not_found, quoted

if TYPE_CHECKING:
    from strawberry.schema.schema_converter import GraphQLCoreConverter
    from strawberry.types import Info

FIELD = "representations"


def entity_keys(converter: GraphQLCoreConverter, type_name: object) -> list[str] | None:
    """The key fields of entity type `type_name` (its first `@key`), None if it is none."""
    if not isinstance(type_name, str):
        return None
    found = converter.type_map.get(type_name)
    definition = getattr(found, "definition", None) if found is not None else None
    for directive in getattr(definition, "directives", None) or ():
        if isinstance(directive, Key):
            return str(directive.fields).split()
    return None


INT_RANGE = range(-(2**31), 2**31)
"""GraphQL's Int: a signed 32-bit integer (GraphQL spec, "Int")."""


def key_kind(converter: GraphQLCoreConverter, type_name: str, key: str) -> str:
    """The GraphQL scalar of entity `type_name`'s key field `key` ("Int", "String", "ID")."""
    implementation = converter.type_map[type_name].implementation
    field = getattr(implementation, "fields", {}).get(key)
    return get_named_type(field.type).name if field is not None else "String"


def is_key_value(value: object, kind: str) -> bool:
    """Whether `value`, from a representation's JSON, is a value of key scalar `kind`: an
    integer in Int's range for an Int key (not a boolean), a string for any other."""
    if kind == "Int":
        return isinstance(value, int) and not isinstance(value, bool) and value in INT_RANGE
    return isinstance(value, str)


def checked_representation(
    converter: GraphQLCoreConverter, representation: object
) -> dict[str, Any] | ApiError:
    """`{"__typename": T, key: value, ...}` with only T's key fields (strings; integers for an
    Int key), or the coded error saying what is wrong with `representation`."""
    type_name = representation.get("__typename") if isinstance(representation, dict) else None
    if not isinstance(representation, dict) or not isinstance(type_name, str):
        return ApiError(
            ApiErrorCode.INVALID, "a representation is an object with __typename", FIELD
        )
    keys = entity_keys(converter, type_name)
    if keys is None:
        return ApiError(ApiErrorCode.INVALID, f"{quoted(type_name)} is not an entity type", FIELD)
    for key in keys:
        kind = key_kind(converter, str(type_name), key)
        if not is_key_value(representation.get(key), kind):
            wanted = "an Int (32-bit integer)" if kind == "Int" else "string"
            return ApiError(
                ApiErrorCode.INVALID, f"a {type_name} representation needs {wanted} {key!r}", FIELD
            )
    checked: dict[str, Any] = {"__typename": type_name}
    checked.update((k, representation[k]) for k in keys)
    return checked


async def load_reference(
    info: Info[Any, Any], loader: type[NodeByKeyLoader], key: str, kind: str, field: str
) -> Node:
    """The node an entity reference names, through the request's loader. Raises NOT_FOUND."""
    node: Node | None = await info.context.loader(loader).load(key)
    if node is None:
        raise not_found(kind, key, field)
    return node
