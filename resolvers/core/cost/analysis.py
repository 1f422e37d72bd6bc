"""The static cost of one operation, computed on the parsed document before it runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
)
from graphql.execution.values import (
    VariableValues,
    get_argument_values,
    get_directive_values,
    get_variable_values,
)

from resolvers.core.cost.bounds import ListBounds
from resolvers.core.cost.introspection import IntrospectionCost
from resolvers.core.cost.weights import (
    EMBEDDED_TYPES,
    SHARED_COSTS,
    FieldCost,
    SizeEnv,
    field_cost,
)
from resolvers.core.cost.writes import writes
from resolvers.core.pagination import DEFAULT_PAGE_SIZE

UNLISTED_LIST_SIZE = 1_000
"""A list of objects missing from `FIELD_COSTS` (a test keeps the table complete)."""


@dataclass(frozen=True)
class CostLimits:
    """The figures sizes are computed from besides the document: bounds and argument maxima."""

    bounds: ListBounds
    max_page_size: int = 100
    max_window_days: int = 31
    max_buckets: int = 2000


@dataclass(frozen=True)
class Price:
    """What one operation would spend: its cost, and its writes (mutation root fields)."""

    cost: int
    writes: int


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    limits: CostLimits,
) -> int | None:
    """The cost of the operation `operation_name` selects, with `variables`, as a whole number
    (see `operation_price`)."""
    price = operation_price(schema, document, variables, operation_name, limits)
    return None if price is None else price.cost


def operation_price(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    operation_name: str | None,
    limits: CostLimits,
) -> Price | None:
    """The cost and writes of the operation `operation_name` selects, with `variables`.

    Requires a document that passed validation. Returns None when execution would refuse the
    request anyway before running a resolver (no such operation, variables that do not
    coerce): nothing is charged for it. The work is linear in the document's size: each
    fragment is costed once per type and page size it is spread on.
    """
    operation = select_operation(document, operation_name)
    if operation is None:
        return None
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), dict(variables or {}), max_errors=1
    )
    if isinstance(coerced, list):
        return None
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walk = _Walk(schema, fragments, coerced, limits, operation.operation, root)
    cost = walk.selection_set(operation.selection_set, root, DEFAULT_PAGE_SIZE)
    for key in sorted(walk.shared):
        # the cost is linear in the field's weight: without it, the difference counts its
        # resolutions (one more walk, only for documents that select such a field)
        again = _Walk(schema, fragments, coerced, limits, operation.operation, root, key)
        resolutions = cost - again.selection_set(operation.selection_set, root, DEFAULT_PAGE_SIZE)
        cost += SHARED_COSTS[key].charge(resolutions, walk.size_env(DEFAULT_PAGE_SIZE))
    return Price(cost, writes(operation, fragments, walk.included))


def select_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    """GetOperation (GraphQL spec §6.1): the named operation, or the only one; else None."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == operation_name), None)


class _Walk:
    """One costing pass over one operation; fragment costs are memoised for the pass."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: VariableValues,
        limits: CostLimits,
        kind: OperationType,
        root: GraphQLObjectType,
        unweighted: str | None = None,
    ) -> None:
        """`unweighted`: a `SHARED_COSTS` field priced 0 (to count its resolutions)."""
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.limits = limits
        self.mutation_root = root if kind is OperationType.MUTATION else None
        self.memo: dict[tuple[str, str, int], int] = {}
        self.visiting: set[tuple[str, str, int]] = set()
        self.introspection = IntrospectionCost(schema, fragments, self.included)
        self.unweighted = unweighted
        self.shared: set[str] = set()
        """The `SHARED_COSTS` fields the operation selects."""

    def selection_set(
        self, selections: SelectionSetNode, parent: GraphQLNamedType, size: int
    ) -> int:
        """Cost of one object of type `parent` with these selections; `size` is the page."""
        if is_abstract_type(parent):
            possible = self.schema.get_possible_types(parent)
            return max((self.on_type(selections, t, size) for t in possible), default=0)
        if isinstance(parent, GraphQLObjectType):
            return self.on_type(selections, parent, size)
        return 0

    def on_type(self, selections: SelectionSetNode, parent: GraphQLObjectType, size: int) -> int:
        total = 0
        for node in selections.selections:
            if not self.included(node):
                continue
            if isinstance(node, FieldNode):
                total += self.field(node, parent, size)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition.name.value if node.type_condition else None
                if self.applies(condition, parent):
                    total += self.on_type(node.selection_set, parent, size)
            elif isinstance(node, FragmentSpreadNode):
                total += self.fragment(node.name.value, parent, size)
        return total

    def fragment(self, name: str, parent: GraphQLObjectType, size: int) -> int:
        definition = self.fragments.get(name)
        if definition is None or not self.applies(definition.type_condition.name.value, parent):
            return 0
        key = (name, parent.name, size)
        if key in self.memo:
            return self.memo[key]
        if key in self.visiting:  # a cycle: refused by validation, never followed here
            return 0
        self.visiting.add(key)
        cost = self.on_type(definition.selection_set, parent, size)
        self.visiting.discard(key)
        self.memo[key] = cost
        return cost

    def applies(self, condition: str | None, parent: GraphQLObjectType) -> bool:
        if condition is None or condition == parent.name:
            return True
        named = self.schema.get_type(condition)
        return (
            named is not None
            and is_abstract_type(named)
            and self.schema.is_sub_type(
                named,
                parent,
            )
        )

    def included(self, node: Any) -> bool:
        """False when `@skip(if: true)` or `@include(if: false)` drops the selection."""
        if not node.directives:
            return True
        try:
            skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
            include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        except GraphQLError:
            return True
        return not (skip and skip.get("if") is True) and not (
            include and include.get("if") is False
        )

    def field(self, node: FieldNode, parent: GraphQLObjectType, size: int) -> int:
        name = node.name.value
        if name == "__typename":
            return 0
        if name in ("__schema", "__type"):
            return self.introspection.root(node)
        shape = _shape(self.schema, parent.name, name, parent is self.mutation_root)
        if shape is None:
            return 0
        entry = shape.entry
        if shape.named is None:
            key = f"{parent.name}.{name}"
            if key in SHARED_COSTS:
                self.shared.add(key)
                return 0 if key == self.unweighted else entry.weight
            return entry.weight
        needs_args = shape.connection or (shape.listed and entry.size is not None)
        args = self.arguments(shape.definition, node) if needs_args and node.arguments else {}
        page_size = self.page_size(args) if shape.connection else size
        children = (
            self.selection_set(node.selection_set, shape.named, page_size)
            if node.selection_set
            else 0
        )
        own = 0 if shape.embedded else 1
        if not shape.listed:
            return entry.weight + own + children
        if entry.size is not None:
            items = entry.size(args, self.size_env(size))
        elif shape.edges:
            items = size
        else:
            items = UNLISTED_LIST_SIZE
        return entry.weight + max(items, 0) * (own + children)

    def size_env(self, page: int) -> SizeEnv:
        """What sizes are computed from, in a connection page of `page` items."""
        limits = self.limits
        return SizeEnv(
            limits.bounds, page, limits.max_page_size, limits.max_buckets, limits.max_window_days
        )

    def arguments(self, definition: GraphQLField, node: FieldNode) -> dict[str, Any]:
        try:
            return get_argument_values(definition, node, self.variables)
        except GraphQLError:  # refused when the field runs; costed with its defaults
            return {}

    def page_size(self, args: Mapping[str, Any]) -> int:
        """`first` or `last`, else the default page; 0 for paging the resolver refuses (both
        given, or outside [1, max_page_size]): it reads nothing and answers `out_of_range`."""
        first, last = args.get("first"), args.get("last")
        if first is not None and last is not None:
            return 0
        wanted = first if first is not None else last
        if wanted is None:
            return DEFAULT_PAGE_SIZE
        return wanted if isinstance(wanted, int) and 1 <= wanted <= self.limits.max_page_size else 0


@dataclass(frozen=True)
class _Shape:
    """What costing needs to know of one field of one type, worked out once per schema."""

    definition: GraphQLField
    entry: FieldCost
    named: GraphQLNamedType | None
    """The item type when it has fields (object, interface, union); None for leaves."""
    listed: bool
    connection: bool
    """A Relay connection: its `first`/`last` size the `edges` below it."""
    edges: bool
    """The `edges` of a connection: as many as the enclosing page."""
    embedded: bool
    """A value carried in its parent's row: its objects cost nothing of their own."""


@lru_cache(maxsize=4096)
def _shape(schema: GraphQLSchema, parent: str, name: str, mutation_root: bool) -> _Shape | None:
    owner = schema.get_type(parent)
    definition = owner.fields.get(name) if isinstance(owner, GraphQLObjectType) else None
    if definition is None:
        return None
    named = get_named_type(definition.type)
    return _Shape(
        definition,
        field_cost(parent, name, mutation_root),
        None if is_leaf_type(named) else named,
        isinstance(get_nullable_type(definition.type), GraphQLList),
        named.name.endswith("Connection")
        and ("first" in definition.args or "last" in definition.args),
        parent.endswith("Connection") and name == "edges",
        named.name in EMBEDDED_TYPES,
    )
