"""What every CivicGraph schema shares, the merged one and each subgraph: limits checked before
execution, the cost analysis, error masking, and `_entities` that checks what it is given."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    SchemaExtension,
    max_aliases,
    query_depth_limiter,
)
from strawberry.federation.schema import FederationAny
from strawberry.types import ExecutionContext, Info

from graph.errors import StoreUnavailable
from resolvers.core.cost.extension import QueryCost
from resolvers.core.document_limits import BoundedValidation
from resolvers.core.entities import checked_representation
from resolvers.core.enum_output import look_up_enum_results
from resolvers.core.errors import (
    RETRY_AFTER_OUTAGE_S,
    STORES_UNAVAILABLE,
    ApiError,
    ApiErrorCode,
)
from resolvers.core.moments import DateTime
from resolvers.core.operation_guard import DEFAULT_MAX_TOKENS, OperationGuard
from resolvers.core.request_errors import code_of
from resolvers.core.storable_literals import StorableStringLiterals

log = logging.getLogger("civicgraph.graphql")

MAX_DEPTH = 12
MAX_ALIASES = 30
VALIDATION_RULES: list[type[ASTValidationRule]] = [
    query_depth_limiter.create_validator(MAX_DEPTH, None, None),
    max_aliases.create_validator(MAX_ALIASES),
    StorableStringLiterals,
]
"""Built once: the validation cache is keyed by the rule classes, so they must not change."""

SCALAR_OVERRIDES: dict[object, Any] = {datetime: DateTime}
"""Every DateTime argument and input field is checked once, here (range, offset)."""


def is_outage(error: GraphQLError) -> bool:
    """A field failed because a store cannot be reached now (StoreUnavailable)."""
    return isinstance(error.original_error, StoreUnavailable)


def is_server_fault(error: GraphQLError) -> bool:
    """An error a client did not cause and the server did not expect: an exception that is
    neither a GraphQL error, nor coded, nor an outage. Coded errors (`extensions.code`:
    ApiError, request errors) are answers."""
    original = error.original_error
    if code_of(error) is not None or original is None or is_outage(error):
        return False
    return not isinstance(original, ApiError | GraphQLError)


def should_mask(error: GraphQLError) -> bool:
    """Hide unexpected failures (logged with their traceback) and outages (logged in one line,
    answered `service_unavailable` by `MaskFaults`); show user mistakes."""
    if is_outage(error):
        log.warning("stores unavailable in %s: %s", error.path, error.original_error)
        return True
    if not is_server_fault(error):
        return False
    log.error("unexpected error in %s", error.path, exc_info=error.original_error)
    return True


class MaskFaults(MaskErrors):
    """Strawberry's MaskErrors ("Internal error." for what `should_mask`), except that an
    outage is said as one: `extensions.code = "service_unavailable"` with `retryAfter`
    (seconds), so a client retries instead of reporting a bug."""

    def _process_result(self, result: object) -> None:
        """As Strawberry's, without its isinstance check against a `typing.Protocol` (about
        10 µs a result: 7 % of a shared subscription event's cost): any result's `errors`."""
        errors = getattr(result, "errors", None)
        if errors:
            cast("Any", result).errors = self._process_errors(errors)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if not is_outage(error):
            return super().anonymise_error(error)
        return GraphQLError(
            STORES_UNAVAILABLE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={
                "code": ApiErrorCode.SERVICE_UNAVAILABLE.value,
                "retryAfter": RETRY_AFTER_OUTAGE_S,
            },
        )


def schema_extensions(max_tokens: int = DEFAULT_MAX_TOKENS) -> list[Callable[[], SchemaExtension]]:
    """The extensions of every schema, in order; documents longer than `max_tokens` tokens are
    refused before they are parsed whole."""
    return [
        lambda: AddValidationRules(VALIDATION_RULES),
        lambda: MaskFaults(should_mask_error=should_mask, error_message="Internal error."),
        # Parsing (cached there) and validating the same document again is wasted work;
        # data never cached.
        lambda: OperationGuard(max_tokens),
        # Selections and list lengths bounded before validating and coercing; what depends on
        # the document alone is kept per document (resolvers/core/document_memo.py).
        BoundedValidation,
        # After validation: prices the validated document (kept per document and variables).
        QueryCost,
    ]


def log_server_faults(
    errors: list[GraphQLError],
    execution_context: ExecutionContext | None,
    process: Callable[[list[GraphQLError], ExecutionContext | None], None],
) -> None:
    """Log what went wrong on our side; a user's mistake is an answer, not a log line."""
    unexpected = [e for e in errors if is_server_fault(e)]
    if unexpected:
        process(unexpected, execution_context)


class CivicSchema(strawberry.federation.Schema):
    """A subgraph's schema (Apollo Federation v2: `_service`, `_entities`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        look_up_enum_results(self._schema)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_server_faults(errors, execution_context, super().process_errors)

    def entities_resolver(
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        """Federation's `_entities`, each representation checked first (a bad one is an
        INVALID error in its slot, never a TypeError)."""
        results: list[FederationAny] = []
        for representation in representations:
            checked = checked_representation(self.schema_converter, representation)
            if isinstance(checked, ApiError):
                results.append(FederationAny(checked))
            else:
                results.extend(super().entities_resolver(info, [FederationAny(checked)]))
        return results
