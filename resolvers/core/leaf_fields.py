"""Plain leaf fields resolved without graphql-core's per-field machinery.

Most of a data-heavy answer is leaves read straight off their object: a reading's 15 values
each have `dataType`, `value` and `unit`, 2,000 fields for one gu's sensors. For each, graphql-core
builds a resolve info (Strawberry's carries 16 slots), looks at arguments, checks for an
awaitable and goes through `complete_value`, though all it does is read an attribute and
serialize it. For a field Strawberry resolves by reading an attribute (a "basic" field: no
resolver, no permission, no field extension) whose type is a scalar or an enum and that takes
no arguments, `execute_field` here reads and serializes directly. Anything out of the ordinary
(a null for a non-null type, a value its type cannot serialize, a schema extension's `resolve`
hook) takes graphql-core's own path, which then reports it as it always did.
"""

from __future__ import annotations

from typing import Any, ClassVar

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

Plan = tuple[GraphQLField, Any, GraphQLLeafType, bool]
"""(the field, its resolver, its leaf type, whether it may be null)."""


class PlainLeafExecutor(StrawberryGraphQLCoreExecutionContext):
    """A Strawberry execution context with the fast path above for plain leaf fields."""

    plain_leaves: ClassVar[dict[int, Plan | None]] = {}
    """id(field) -> (field, resolver, leaf type, nullable), or None when the field is not a
    plain leaf; the field is kept so that its id is not reused."""

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        field = parent_type.fields.get(node.name.value)
        manager = self.middleware_manager
        if (
            field is not None
            and not node.arguments
            and (manager is None or not manager.middlewares)
        ):
            key = id(field)
            if key in self.plain_leaves:
                plan = self.plain_leaves[key]
            else:
                plan = self.plain_leaves[key] = _plain_leaf(field)
            if plan is not None:
                _, resolve, leaf, nullable = plan
                try:
                    value = resolve(source)
                    if value is None:
                        if nullable:
                            return None
                    else:
                        serialized = leaf.serialize(value)
                        if serialized is not Undefined and serialized is not None:
                            return serialized
                except Exception:
                    pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


def _plain_leaf(field: GraphQLField) -> Plan | None:
    """The plan of a plain leaf field (see the module), or None."""
    resolve = field.resolve
    if resolve is None or not getattr(resolve, "_is_default", False) or field.args:
        return None
    if getattr(resolve, "__name__", "") != "_get_basic_result":  # Strawberry's attribute read
        return None
    nullable = not isinstance(field.type, GraphQLNonNull)
    leaf = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    if not is_leaf_type(leaf):
        return None
    return field, resolve, leaf, nullable
