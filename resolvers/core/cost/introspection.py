"""The cost of `__schema` and `__type` selections, priced by the schema's real sizes.

Introspection is answered from the schema in memory by synchronous resolvers, so the request's
time limit cannot interrupt it (an `asyncio` timeout fires only at an `await`): its cost must
bound it. Each entry of the schema a query returns costs 1: a type, a field, an argument, an
input field, an enum value, a directive (as an object of the data model does). A type
reference (`type`, `ofType`, `interfaces`, `possibleTypes`, `queryType`, …) is a value carried
by its entry and costs 0 itself, but what is selected below it is priced in full.

List sizes come from `SchemaSizes`, measured from the schema once:
- below `__schema { types }` each type is returned once, so its `fields` are the schema's
  fields once each (the sum over all types), their `args` every field argument once, and so
  on: the sums are exact;
- below a single type reached any other way (`__type(name:)`, a field's `type`, `ofType`,
  `interfaces`, `possibleTypes`) nothing says which type it is: the most fields of any type,
  the most arguments of any field, … (an upper bound).

GraphiQL's introspection query thus costs about 860 on this schema and fits the public budget,
while `types { fields { type { fields { … } } } }` costs the schema's fields times the most
fields of a type, per alias.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    SelectionSetNode,
)


@dataclass(frozen=True)
class SchemaSizes:
    """Counts of the schema's entries: totals over the schema and the most per parent."""

    types: int
    directives: int
    fields: int
    """Fields of every object and interface type."""
    field_args: int
    input_fields: int
    enum_values: int
    directive_args: int
    interfaces: int
    """Interfaces implemented, summed over types."""
    possible_types: int
    """Members of unions and implementations of interfaces, summed over abstract types."""
    most_fields: int
    most_field_args: int
    most_input_fields: int
    most_enum_values: int
    most_directive_args: int
    most_interfaces: int
    most_possible_types: int


@lru_cache(maxsize=8)
def schema_sizes(schema: GraphQLSchema) -> SchemaSizes:
    """The sizes of `schema`'s introspection lists, measured once per schema."""
    types = list(schema.type_map.values())
    composite = [t for t in types if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)]
    fields = [f for t in composite for f in t.fields.values()]
    inputs = [t for t in types if isinstance(t, GraphQLInputObjectType)]
    enums = [t for t in types if isinstance(t, GraphQLEnumType)]
    abstract = [t for t in types if isinstance(t, GraphQLInterfaceType | GraphQLUnionType)]
    possible = [len(schema.get_possible_types(t)) for t in abstract]
    directive_args = [len(d.args) for d in schema.directives]

    def most(values: list[int]) -> int:
        return max(values, default=0)

    return SchemaSizes(
        types=len(types),
        directives=len(schema.directives),
        fields=len(fields),
        field_args=sum(len(f.args) for f in fields),
        input_fields=sum(len(t.fields) for t in inputs),
        enum_values=sum(len(t.values) for t in enums),
        directive_args=sum(directive_args),
        interfaces=sum(len(t.interfaces) for t in composite),
        possible_types=sum(possible),
        most_fields=most([len(t.fields) for t in composite]),
        most_field_args=most([len(f.args) for f in fields]),
        most_input_fields=most([len(t.fields) for t in inputs]),
        most_enum_values=most([len(t.values) for t in enums]),
        most_directive_args=most(directive_args),
        most_interfaces=most([len(t.interfaces) for t in composite]),
        most_possible_types=most(possible),
    )


Included = Callable[[object], bool]
"""Whether a selection survives `@skip`/`@include` (the caller's variables)."""

_REFERENCES = frozenset({"type", "ofType", "queryType", "mutationType", "subscriptionType"})
"""Fields whose value is one type reference."""


class IntrospectionCost:
    """Prices introspection selections of one operation; memoised per selection set, so the
    work is linear in the document (a fragment is priced once however often it is spread)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        included: Included,
    ) -> None:
        self.sizes = schema_sizes(schema)
        self.fragments = fragments
        self.included = included
        self.memo: dict[tuple[int, str, bool], int] = {}

    def root(self, node: FieldNode) -> int:
        """`__schema { … }` or `__type(name:) { … }`: 1 for the object and what it selects."""
        if node.selection_set is None:
            return 1
        kind = "__Schema" if node.name.value == "__schema" else "__Type"
        return 1 + self.each(node.selection_set, kind)

    def each(self, selections: SelectionSetNode, kind: str) -> int:
        """What `selections` cost below ONE object of introspection type `kind` (itself
        excluded), that object being any of its kind (the most of every list)."""
        return self._selections(selections, kind, every=False)

    def every(self, selections: SelectionSetNode, kind: str) -> int:
        """What `selections` cost below EVERY entry of `kind` in the schema, each once
        (themselves excluded): lists below are the schema's sums."""
        return self._selections(selections, kind, every=True)

    def _selections(self, selections: SelectionSetNode, kind: str, every: bool) -> int:
        key = (id(selections), kind, every)
        found = self.memo.get(key)
        if found is not None:
            return found
        self.memo[key] = 0  # a fragment cycle (refused by validation) adds nothing
        total = 0
        for node in selections.selections:
            if not self.included(node):
                continue
            if isinstance(node, FieldNode):
                total += self._field(node, kind, every)
            elif isinstance(node, InlineFragmentNode):
                total += self._selections(node.selection_set, kind, every)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments.get(node.name.value)
                if fragment is not None:
                    total += self._selections(fragment.selection_set, kind, every)
        self.memo[key] = total
        return total

    def _field(self, node: FieldNode, kind: str, every: bool) -> int:
        """The cost of one selected field below `kind` (one object, or every entry)."""
        if node.selection_set is None:
            return 0  # a leaf: name, description, kind, isDeprecated, locations, …
        s, below, name = self.sizes, node.selection_set, node.name.value
        if kind == "__Schema":
            if name == "types":
                return s.types + self.every(below, "__Type")
            if name == "directives":
                return s.directives + self.every(below, "__Directive")
            return self.each(below, "__Type") if name in _REFERENCES else 0
        # (item kind, entries below every entry, entries below one, items are references)
        lists: dict[tuple[str, str], tuple[str, int, int, bool]] = {
            ("__Type", "fields"): ("__Field", s.fields, s.most_fields, False),
            ("__Type", "inputFields"): ("__InputValue", s.input_fields, s.most_input_fields, False),
            ("__Type", "enumValues"): ("__EnumValue", s.enum_values, s.most_enum_values, False),
            ("__Type", "interfaces"): ("__Type", s.interfaces, s.most_interfaces, True),
            ("__Type", "possibleTypes"): ("__Type", s.possible_types, s.most_possible_types, True),
            ("__Field", "args"): ("__InputValue", s.field_args, s.most_field_args, False),
            ("__Directive", "args"): (
                "__InputValue",
                s.directive_args,
                s.most_directive_args,
                False,
            ),
        }
        listed = lists.get((kind, name))
        if listed is not None:
            item, total, most, references = listed
            if references:  # each item is some type: priced as any one, costing 0 itself
                return (total if every else most) * self.each(below, item)
            if every:  # every entry's list, together: each listed entry once
                return total + self.every(below, item)
            return most * (1 + self.each(below, item))
        if name in _REFERENCES:
            if kind == "__Type" and every:
                return 0  # `ofType` of a named type (every entry of `types` is one) is null
            parents = self._population(kind) if every else 1
            return parents * self.each(below, "__Type")
        return 0

    def _population(self, kind: str) -> int:
        """How many entries of `kind` 'every' stands for, where a reference hangs below each.

        An `__InputValue` may be an argument or an input field: the larger count is used.
        """
        s = self.sizes
        counts = {
            "__Field": s.fields,
            "__InputValue": max(s.field_args, s.input_fields, s.directive_args),
        }
        return counts.get(kind, 0)
