"""Bounds checked on the parsed document before it is validated or its variables are coerced:
how many selections it holds, and how long each list argument or input field may be.

Validation (graphql-core's OverlappingFieldsCanBeMergedRule compares fields pairwise) and
variable coercion are synchronous and grow with the document and the variables: a document of
4,900 fields spent 0.8 s validating, a variable of 30,000 strings 0.39 s coercing, and the
request's time limit cannot interrupt either. Counting selections and list lengths is one cheap
pass, so both are bounded first.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import graphql.validation.rules.overlapping_fields_can_be_merged as overlapping
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableDefinitionNode,
    is_input_type,
    type_from_ast,
)
from graphql.validation import ASTValidationRule
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from resolvers.core.cost.analysis import select_operation
from resolvers.core.document_memo import PARSED
from resolvers.core.request_errors import RequestErrorCode, request_error

MAX_SELECTIONS = 300
"""Fields, inline fragments and fragment spreads in one document (GraphiQL's introspection
query has 80, the README's query 25). 1,000 `__typename` exhausted graphql-core's budget."""

VALIDATION_BUDGET = 50_000
"""graphql-core's OverlappingFieldsCanBeMergedRule budget (its default is 500,000, about half a
second of comparisons here): past it validation stops with `document_too_large`."""

MAX_LIST_LENGTH = 100
"""The most items of any list argument or input field (like Open311's 100 ids), unless
`MAX_LIST_LENGTHS` says otherwise."""

MAX_LIST_LENGTHS: dict[str, int] = {
    # A federation gateway asks one subgraph for every entity of a list at once: every dong
    # (467) of a query is one batch. Each representation is priced (resolvers/core/cost).
    "Query._entities(representations)": 1_000,
}
"""Per position: `Type.field(argument)` or `InputType.field`."""


def too_many_selections(document: DocumentNode, limit: int = MAX_SELECTIONS) -> bool:
    """Whether `document` holds more than `limit` selections; stops counting past it."""
    count = 0
    stack: list[SelectionSetNode] = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while stack:
        selections = stack.pop().selections
        count += len(selections)
        if count > limit:
            return True
        for selection in selections:
            below = getattr(selection, "selection_set", None)
            if isinstance(below, SelectionSetNode):
                stack.append(below)
    return False


@dataclass(frozen=True)
class ListTooLong:
    """A list longer than its position allows, found in a literal or a variable."""

    position: str
    """`Type.field(argument)` or `InputType.field`."""
    where: str
    """A variable's path (`$v`, `$f.district`) or `literal`."""
    length: int
    limit: int

    def error(self) -> GraphQLError:
        """`bad_user_input` naming the position and its maximum; nothing was coerced."""
        error = request_error(
            RequestErrorCode.BAD_USER_INPUT,
            f"{self.position} takes at most {self.limit} items; {self.where} has {self.length}",
        )
        error.extensions = {
            **(error.extensions or {}),
            "field": self.position,
            "maxLength": self.limit,
        }
        return error


def limit_of(position: str) -> int:
    """The most items the list at `position` may hold."""
    return MAX_LIST_LENGTHS.get(position, MAX_LIST_LENGTH)


@lru_cache(maxsize=8)
def _limits_by_type(schema: GraphQLSchema) -> dict[str, int]:
    """For a variable holding a whole list: the largest limit of the positions its type fits
    (a variable may only be used where its type fits, GraphQL spec §5.8.5)."""
    found: dict[str, int] = {}

    def note(position: str, kind: GraphQLInputType) -> None:
        name = str(kind.of_type if isinstance(kind, GraphQLNonNull) else kind)
        found[name] = max(found.get(name, 0), limit_of(position))

    for named in schema.type_map.values():
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                for arg_name, arg in field.args.items():
                    note(f"{named.name}.{field_name}({arg_name})", arg.type)
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                note(f"{named.name}.{field_name}", input_field.type)
    return found


def _value_too_long(
    value: object, kind: GraphQLInputType, position: str, where: str
) -> ListTooLong | None:
    """The first list in a variable's JSON `value` (of type `kind`) over its limit."""
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    if isinstance(kind, GraphQLList):
        if not isinstance(value, list):
            return None  # one item stands for a list of one (coercion)
        if len(value) > limit_of(position):
            return ListTooLong(position, where, len(value), limit_of(position))
        for item in value:
            found = _value_too_long(item, kind.of_type, position, where)
            if found is not None:
                return found
    elif isinstance(kind, GraphQLInputObjectType) and isinstance(value, dict):
        for name, field in kind.fields.items():
            if name in value:
                found = _value_too_long(
                    value[name], field.type, f"{kind.name}.{name}", f"{where}.{name}"
                )
                if found is not None:
                    return found
    return None


def _literal_too_long(node: ValueNode, kind: GraphQLInputType, position: str) -> ListTooLong | None:
    """The first list literal in `node` (of type `kind`) over its limit."""
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    if isinstance(kind, GraphQLList) and isinstance(node, ListValueNode):
        if len(node.values) > limit_of(position):
            return ListTooLong(position, "literal", len(node.values), limit_of(position))
        for item in node.values:
            found = _literal_too_long(item, kind.of_type, position)
            if found is not None:
                return found
    elif isinstance(kind, GraphQLInputObjectType) and isinstance(node, ObjectValueNode):
        for field_node in node.fields:
            field = kind.fields.get(field_node.name.value)
            if field is not None:
                position = f"{kind.name}.{field_node.name.value}"
                found = _literal_too_long(field_node.value, field.type, position)
                if found is not None:
                    return found
    return None


def _fields_with_parents(
    schema: GraphQLSchema, document: DocumentNode
) -> Iterator[tuple[GraphQLObjectType | GraphQLInterfaceType, FieldNode]]:
    """Every field node of the document with the type it is selected on (when known).

    Each fragment is walked once, from its own type condition: spreads are not followed.
    """
    stack: list[tuple[Any, SelectionSetNode]] = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            stack.append((schema.get_root_type(definition.operation), definition.selection_set))
        elif isinstance(definition, FragmentDefinitionNode):
            condition = schema.get_type(definition.type_condition.name.value)
            stack.append((condition, definition.selection_set))
    while stack:
        parent, selections = stack.pop()
        for node in selections.selections:
            if isinstance(node, FieldNode):
                composite = isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
                field = parent.fields.get(node.name.value) if composite else None
                if field is None:
                    continue
                yield parent, node
                if node.selection_set is not None:
                    stack.append((_named(field.type), node.selection_set))
            elif isinstance(node, InlineFragmentNode):
                named = node.type_condition
                inline = schema.get_type(named.name.value) if named is not None else parent
                stack.append((inline, node.selection_set))
            elif isinstance(node, FragmentSpreadNode):
                continue


def _named(kind: Any) -> Any:
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        kind = kind.of_type
    return kind


def list_too_long(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode | None,
    variables: Mapping[str, Any] | None,
) -> ListTooLong | None:
    """The first list argument or input field over its limit, in the document's literals or
    in the raw (not yet coerced) `variables` of `operation`; None when every list fits."""
    return literal_too_long(schema, document) or variable_too_long(schema, operation, variables)


def literal_too_long(schema: GraphQLSchema, document: DocumentNode) -> ListTooLong | None:
    """The first list literal over its limit, in the document's arguments or its variables'
    defaults; None when every one fits."""
    for parent, node in _fields_with_parents(schema, document):
        field = parent.fields[node.name.value]
        for argument in node.arguments or ():
            definition = field.args.get(argument.name.value)
            if definition is not None:
                position = f"{parent.name}.{node.name.value}({argument.name.value})"
                found = _literal_too_long(argument.value, definition.type, position)
                if found is not None:
                    return found
    for definition in _variable_definitions(document):  # defaults stand in for variables
        kind = type_from_ast(schema, definition.type)
        if definition.default_value is not None and kind is not None and is_input_type(kind):
            name = f"${definition.variable.name.value}"
            found = _literal_too_long(definition.default_value, kind, name)
            if found is not None:
                return found
    return None


def variable_too_long(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode | None,
    variables: Mapping[str, Any] | None,
) -> ListTooLong | None:
    """The first list over its limit in the raw (not yet coerced) `variables` of
    `operation`; None when every one fits."""
    if operation is None or not variables:
        return None
    by_type = _limits_by_type(schema)
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        kind = type_from_ast(schema, definition.type)
        if name not in variables or not is_input_type(kind):
            continue  # an unknown or output type: validation refuses it
        bare: Any = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
        limit = by_type.get(str(bare), MAX_LIST_LENGTH)
        value = variables[name]
        items: list[Any] = [value]
        if isinstance(bare, GraphQLList) and isinstance(value, list):
            if len(value) > limit:
                return ListTooLong(f"${name}: {bare}", f"${name}", len(value), limit)
            bare, items = bare.of_type, value  # the items of a list that fits
        for item in items:
            found = _value_too_long(item, bare, f"${name}", f"${name}")
            if found is not None:
                return found
    return None


def _variable_definitions(document: DocumentNode) -> Iterator[VariableDefinitionNode]:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            yield from definition.variable_definitions or ()


def too_complex(error: GraphQLError) -> bool:
    """Whether graphql-core stopped validating (its budget, or too many errors)."""
    return isinstance(error, ValidationAbortedError)


@dataclass(frozen=True)
class TooManySelections:
    """A document over MAX_SELECTIONS selections."""

    def error(self) -> GraphQLError:
        """The request's error: `document_too_large`."""
        message = f"the document selects more than {MAX_SELECTIONS} fields and fragments"
        return request_error(RequestErrorCode.DOCUMENT_TOO_LARGE, message)


def document_refusal(
    schema: GraphQLSchema, document: DocumentNode
) -> TooManySelections | ListTooLong | None:
    """Why `document` is refused before it is validated, whatever its variables: too many
    selections, or a list literal over its limit; None when neither."""
    if too_many_selections(document):
        return TooManySelections()
    return literal_too_long(schema, document)


def validated(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    """Strawberry's validation of `document` (`rules` and its own two), a validation that
    graphql-core stopped coded `document_too_large`."""
    errors = validate_document(schema, document, rules)
    for error in errors:
        if too_complex(error):
            error.extensions = {
                **(error.extensions or {}),
                "code": RequestErrorCode.DOCUMENT_TOO_LARGE.value,
            }
    return errors


class BoundedValidation(SchemaExtension):
    """Validation behind two cheap bounds: more than `MAX_SELECTIONS` selections is
    `document_too_large` unvalidated; a list over its maximum, literal or in a variable, is
    `bad_user_input` before any coercion or pricing. Validation that graphql-core aborts (its
    budget) is `document_too_large` too. What depends on the document alone (the bounds of its
    literals, its validation) is worked out once per document and kept with it in the parse
    cache (resolvers/core/document_memo.py), as Strawberry's validation cache kept validation;
    the variables are checked every time."""

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        document, schema = ec.graphql_document, ec.schema._schema
        if document is None:  # Strawberry reports it
            yield
            return
        refusal = PARSED.fact(
            document, ("refusal", id(schema)), lambda: document_refusal(schema, document)
        )
        if refusal is None and ec.variables:
            operation = select_operation(document, ec.operation_name)
            refusal = variable_too_long(schema, operation, ec.variables)
        if refusal is not None:
            ec.pre_execution_errors = [refusal.error()]
            yield
            return
        rules = ec.validation_rules
        errors = PARSED.fact(
            document, ("validated", id(schema), rules), lambda: validated(schema, document, rules)
        )
        ec.pre_execution_errors = list(errors)
        yield


overlapping.MAX_COMPLEXITY_BUDGET = VALIDATION_BUDGET
