"""Plain leaf fields resolved without graphql-core's per-field machinery.

Most of a data-heavy answer is leaves read straight off their object: a reading's 15 values
each have `dataType`, `value` and `unit`, 2,000 fields for one gu's sensors. For each, graphql-core
builds a resolve info (Strawberry's carries 16 slots), looks at arguments, checks for an
awaitable and goes through `complete_value`, though all it does is read an attribute and
serialize it. For a field Strawberry resolves by reading an attribute (a "basic" field: no
resolver, no permission, no field extension) whose type is a scalar or an enum and that takes
no arguments, `execute_field` here reads and serializes directly; an object whose selected
fields are all such leaves (a reading's value) is built in one loop by `execute_fields`, without
a path or a call per field; and a list of such objects (a reading's `values`) in one loop by
`complete_iterable_value`. A plain leaf is read with `operator.attrgetter` when Strawberry's
default resolver is `getattr` (its default), and a value that is already its type's output (a
`str` for String and ID, a `bool`, a finite `float`, an `int` within 32 bits) is kept as it is,
which is what the serializer would return. Anything out of the ordinary
(a null for a non-null type, a value its type cannot serialize, a schema extension's `resolve`
hook) takes graphql-core's own path, which then reports it as it always did.
"""

from __future__ import annotations

from collections.abc import Callable
from math import isfinite
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLString,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

Plan = tuple[Callable[[Any], Any], GraphQLLeafType, bool, type | None]
"""(a plain leaf field's read of its source, its leaf type, whether it may be null, the Python
type whose values are already that leaf type's output, or None)."""
PLAN = "_civicgraph_plain_leaf"
"""The attribute of a `GraphQLField` holding its Plan, or None when it is not a plain leaf:
worked out once, kept as long as the field."""


class PlainLeafExecutor(StrawberryGraphQLCoreExecutionContext):
    """A Strawberry execution context with the fast path above for plain leaf fields."""

    _plain_sets: dict[int, tuple[Any, list[tuple[str, Plan]] | None]]

    def complete_iterable_value(
        self,
        item_type: Any,
        field_details_list: FieldDetailsList,
        info: Any,
        path: Path,
        items: Any,
        position_context: Any,
    ) -> Any:
        nullable = not isinstance(item_type, GraphQLNonNull)
        object_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if isinstance(object_type, GraphQLObjectType) and isinstance(items, list):
            completed = self._plain_objects(
                object_type, nullable, field_details_list, info, path, items
            )
            if completed is not None:
                return completed
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def _plain_objects(
        self,
        object_type: GraphQLObjectType,
        nullable: bool,
        field_details_list: FieldDetailsList,
        info: Any,
        path: Path,
        items: list[Any],
    ) -> list[Any] | None:
        """`items` completed as objects of plain leaves, or None when graphql-core must do it
        (another selection, a deferred or streamed one, an unusual value)."""
        if self.get_stream_usage(field_details_list, path) is not None:
            return None
        grouped_field_set, defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        plans = None if defer_usages else self._plain_set(object_type, grouped_field_set)
        if plans is None:
            return None
        is_type_of = object_type.is_type_of
        completed: list[Any] = []
        try:
            for item in items:
                if item is None:
                    if not nullable:
                        return None
                    completed.append(None)
                    continue
                if is_type_of is not None and is_type_of(item, info) is not True:
                    return None
                values = _plain_values(plans, item)
                if values is None:
                    return None
                completed.append(values)
        except Exception:  # graphql-core's path reports it
            return None
        return completed

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        plans = self._plain_set(parent_type, grouped_field_set)
        if plans is not None:
            try:
                results = _plain_values(plans, source_value)
            except Exception:  # graphql-core's path reports it
                results = None
            if results is not None:
                return results
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def _plain_set(
        self, parent_type: GraphQLObjectType, grouped_field_set: Any
    ) -> list[tuple[str, Plan]] | None:
        """The plans of every field of `grouped_field_set` (graphql-core memoizes it for a
        list's items: one object per request) when they are all plain leaves; else None."""
        if not self._without_middleware():
            return None
        try:
            known = self._plain_sets
        except AttributeError:
            known = self._plain_sets = {}
        found = known.get(id(grouped_field_set))
        if found is not None:
            return found[1]
        plans: list[tuple[str, Plan]] | None = []
        for response_name, field_details_list in grouped_field_set.items():
            node = field_details_list[0].node
            field = parent_type.fields.get(node.name.value)
            plan = None if field is None or node.arguments else self._plan(field)
            if plan is None or plans is None:
                plans = None
                break
            plans.append((response_name, plan))
        known[id(grouped_field_set)] = (grouped_field_set, plans)  # kept: its id is not reused
        return plans

    def _without_middleware(self) -> bool:
        """No schema extension wraps resolvers (a `resolve` hook): the fast paths may skip them."""
        manager = self.middleware_manager
        return manager is None or not manager.middlewares

    @staticmethod
    def _plan(field: GraphQLField) -> Plan | None:
        known = vars(field)
        if PLAN not in known:
            known[PLAN] = _plain_leaf(field)
        plan: Plan | None = known[PLAN]
        return plan

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
        if field is not None and not node.arguments and self._without_middleware():
            plan = self._plan(field)
            if plan is not None:
                try:
                    value = _plain_value(plan, source)
                except Exception:  # graphql-core's path reports it
                    value = GRAPHQL_CORE
                if value is not GRAPHQL_CORE:
                    return value
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


GRAPHQL_CORE = object()
"""What `_plain_value` answers for a value graphql-core must judge (and report)."""


INT_RANGE = range(-(2**31), 2**31)
"""GraphQL's Int: 32 bits, signed (spec, "Int")."""

EXACT_OUTPUT: tuple[tuple[GraphQLLeafType, type], ...] = (
    (GraphQLString, str),
    (GraphQLID, str),
    (GraphQLBoolean, bool),
    (GraphQLFloat, float),
    (GraphQLInt, int),
)
"""graphql-core's own scalars, each with the Python type whose values its serializer returns
unchanged (a float only when finite, an int only within INT_RANGE)."""


def _plain_value(plan: Plan, source: Any) -> Any:
    """`source`'s plain leaf, serialized; GRAPHQL_CORE for a null where none may be or a value
    its type does not serialize. Raises what the read or the serializer raises."""
    read, leaf, nullable, exact = plan
    value = read(source)
    if value is None:
        return None if nullable else GRAPHQL_CORE
    kind = type(value)
    if kind is exact and (
        kind is str or kind is bool or (isfinite(value) if kind is float else value in INT_RANGE)
    ):
        return value
    serialized = leaf.serialize(value)
    return GRAPHQL_CORE if serialized is Undefined or serialized is None else serialized


def _plain_values(plans: list[tuple[str, Plan]], source: Any) -> dict[str, Any] | None:
    """`source`'s plain leaves by response name, or None at the first value graphql-core must
    judge. Raises what a resolver or a serializer raises."""
    results: dict[str, Any] = {}
    for response_name, plan in plans:
        value = _plain_value(plan, source)
        if value is GRAPHQL_CORE:
            return None
        results[response_name] = value
    return results


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
    return _read(field, resolve), leaf, nullable, _exact_output(leaf)


def _read(field: GraphQLField, resolve: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An `attrgetter` of the Strawberry field's attribute when its default resolver is
    `getattr`, which is all `resolve` would do; else `resolve`."""
    definition = (field.extensions or {}).get("strawberry-definition")
    name = getattr(definition, "python_name", None)
    if (
        getattr(definition, "default_resolver", None) is getattr
        and getattr(definition, "base_resolver", True) is None
        and isinstance(name, str)
    ):
        return attrgetter(name)
    return resolve


def _exact_output(leaf: GraphQLLeafType) -> type | None:
    """The Python type whose values `leaf` serializes unchanged: only graphql-core's own
    scalars, never a scalar of the same name with another serializer."""
    return next((kind for scalar, kind in EXACT_OUTPUT if leaf is scalar), None)
