"""Request errors found before execution: the document parsed within a token limit, the operation
chosen as the GraphQL spec's GetOperation says, variables coerced before any resolver runs; every
such error carries its `extensions.code` (see `request_errors`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    TypeInfo,
    ValidationContext,
    is_non_null_type,
)
from graphql.execution.values import get_variable_values
from strawberry.extensions import SchemaExtension

from graph.storable_text import unstorable_in
from resolvers.core.document_memo import PARSED
from resolvers.core.moments import name_fields
from resolvers.core.request_errors import (
    TOO_MANY_TOKENS,
    RequestErrorCode,
    request_error,
    tag,
)

DEFAULT_MAX_TOKENS = 5000
MAX_VARIABLE_ERRORS = 20


def parse_document(query: str, max_tokens: int = DEFAULT_MAX_TOKENS) -> DocumentNode:
    """The parsed document (held by text: resolvers/core/document_memo.py). Raises a
    GraphQLError coded DOCUMENT_TOO_LARGE past `max_tokens` tokens, GRAPHQL_PARSE_FAILED on a
    syntax error (graphql-core's message and location kept)."""
    try:
        return PARSED.parse(query, max_tokens)
    except GraphQLError as error:
        tag([error], _parse_failure_code(error))
        raise


def _parse_failure_code(error: GraphQLError) -> RequestErrorCode:
    if TOO_MANY_TOKENS in error.message:
        return RequestErrorCode.DOCUMENT_TOO_LARGE
    return RequestErrorCode.GRAPHQL_PARSE_FAILED


def get_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    """GetOperation (GraphQL spec, October 2021, §6.1): the operation named `operation_name`,
    or the document's only operation when no name is given. Raises a GraphQLError coded
    OPERATION_NOT_FOUND otherwise."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) == 1:
            return operations[0]
        if not operations:
            raise request_error(
                RequestErrorCode.OPERATION_NOT_FOUND, "the document has no operation"
            )
        raise request_error(
            RequestErrorCode.OPERATION_NOT_FOUND,
            "the document has several operations: say which one with operationName",
        )
    for operation in operations:
        if operation.name is not None and operation.name.value == operation_name:
            return operation
    raise request_error(
        RequestErrorCode.OPERATION_NOT_FOUND,
        f"no operation named {operation_name!r} in the document",
    )


def coerce_variables(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    variables: dict[str, Any] | None,
    document: DocumentNode | None = None,
) -> list[GraphQLError]:
    """CoerceVariableValues (GraphQL spec §6.1.2) ahead of execution, plus text the stores
    cannot hold (graph.storable_text) and an explicit null where the variable is used for a
    non-null argument or field that has a default (the spec allows the usage, §5.8.5, and
    leaves execution to fail on it); the errors are coded BAD_USER_INPUT (empty when the
    variables are fine). `document` holds the operation's fragments (None: no fragments)."""
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), variables or {}, MAX_VARIABLE_ERRORS
    )
    if isinstance(coerced, list):
        errors = coerced
    else:
        errors = _unstorable(operation, coerced.coerced) or _null_for_non_null(
            schema, document or DocumentNode(definitions=(operation,)), operation, coerced.coerced
        )
    if errors:
        name_fields(operation, errors)  # a DateTime's own code (out_of_range) names its argument
    tag(errors, RequestErrorCode.BAD_USER_INPUT)
    return errors


def _unstorable(operation: OperationDefinitionNode, values: dict[str, Any]) -> list[GraphQLError]:
    found = unstorable_in(values)
    if found is None:
        return []
    where, why = found
    nodes = list(operation.variable_definitions or ()) or None
    return [GraphQLError(f"Variable ${where} holds {why}, which is not storable text", nodes)]


def _null_for_non_null(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    values: dict[str, Any],
) -> list[GraphQLError]:
    nulls = {name for name, value in values.items() if value is None}
    if not nulls:
        return []
    context = ValidationContext(schema, document, TypeInfo(schema), lambda error: None)
    errors: list[GraphQLError] = []
    for usage in context.get_recursive_variable_usages(operation):
        name = usage.node.name.value
        if name in nulls and is_non_null_type(usage.type):
            nulls.discard(name)
            errors.append(
                GraphQLError(
                    f"Variable ${name} is null where a value is required: leave it out for "
                    "the default",
                    usage.node,
                )
            )
    return errors


class OperationGuard(SchemaExtension):
    """Parses through the shared cache within the token limit, codes parse and validation
    errors, and coerces variables before execution so that a bad value is a coded request error
    (never a resolver's fault, never logged as one)."""

    def __init__(self, max_tokens: int = DEFAULT_MAX_TOKENS) -> None:
        super().__init__()
        self.max_tokens = max_tokens

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.max_tokens
        if context.graphql_document is None and context.query:
            # on a failure Strawberry parses again (same limit) and reports the error itself
            with suppress(GraphQLError):
                context.graphql_document = parse_document(context.query, self.max_tokens)
        yield
        if context.pre_execution_errors:
            for error in context.pre_execution_errors:
                tag([error], _parse_failure_code(error))

    def on_validate(self) -> Iterator[None]:
        yield
        if self.execution_context.pre_execution_errors:
            if self.execution_context.graphql_document is not None:
                name_fields(
                    self.execution_context.graphql_document,
                    self.execution_context.pre_execution_errors,
                )
            tag(
                self.execution_context.pre_execution_errors,
                RequestErrorCode.GRAPHQL_VALIDATION_FAILED,
            )

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            try:
                operation = get_operation(document, context.operation_name)
            except GraphQLError:
                operation = None  # graphql-core reports it in its own words
            if operation is not None:
                errors = coerce_variables(
                    context.schema._schema, operation, context.variables, document
                )
                if errors:
                    if operation.operation is OperationType.SUBSCRIPTION:
                        # the subscription path ignores a preset result: refuse by raising
                        raise errors[0]
                    context.result = ExecutionResult(data=None, errors=errors)
        yield
