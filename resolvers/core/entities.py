"""Federation's `_entities` door: each representation checked against its entity's key before
its type resolves it, so a bad one is a coded error in its own slot (Apollo Federation
subgraph spec, `Query._entities`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strawberry.federation.schema_directives import Key

from graph.store import Node
from resolvers.core.dataloaders import NodeByKeyLoader
from resolvers.core.errors import ApiError, ApiErrorCode, not_found

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


def checked_representation(
    converter: GraphQLCoreConverter, representation: object
) -> dict[str, Any] | ApiError:
    """`{"__typename": T, key: value, ...}` with only T's key fields (strings), or the coded
    error saying what is wrong with `representation`."""
    if not isinstance(representation, dict):
        return ApiError(
            ApiErrorCode.INVALID, "a representation is an object with __typename", FIELD
        )
    type_name = representation.get("__typename")
    keys = entity_keys(converter, type_name)
    if keys is None:
        return ApiError(ApiErrorCode.INVALID, f"{type_name!r} is not an entity type", FIELD)
    missing = [k for k in keys if not isinstance(representation.get(k), str)]
    if missing:
        return ApiError(
            ApiErrorCode.INVALID, f"a {type_name} representation needs string {missing[0]!r}", FIELD
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
