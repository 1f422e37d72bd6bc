"""The merged schema: every domain's queries and mutations in one GraphQL API."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    max_aliases,
    query_depth_limiter,
)
from strawberry.federation.schema import FederationAny
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, Info

from resolvers.city.schema import CityQuery
from resolvers.core.cost.extension import QueryCost
from resolvers.core.document_limits import BoundedValidation
from resolvers.core.entities import checked_representation
from resolvers.core.errors import ApiError
from resolvers.core.moments import DateTime
from resolvers.core.operation_guard import DEFAULT_MAX_TOKENS, OperationGuard
from resolvers.core.request_errors import code_of
from resolvers.data.schema import DataQuery
from resolvers.identity.schema import IdentityMutation, IdentityQuery
from resolvers.sensing.schema import SensingQuery
from resolvers.services.schema import ServicesMutation, ServicesQuery
from resolvers.trust.schema import TrustMutation, TrustQuery

log = logging.getLogger("civicgraph.graphql")

MAX_DEPTH = 12
MAX_ALIASES = 30
LIMIT_RULES: list[type[ASTValidationRule]] = [
    query_depth_limiter.create_validator(MAX_DEPTH, None, None),
    max_aliases.create_validator(MAX_ALIASES),
]
"""Built once: the validation cache is keyed by the rule classes, so they must not change."""

Query = merge_types(
    "Query", (CityQuery, SensingQuery, ServicesQuery, DataQuery, IdentityQuery, TrustQuery)
)
Mutation = merge_types("Mutation", (ServicesMutation, IdentityMutation, TrustMutation))


def is_server_fault(error: GraphQLError) -> bool:
    """An error a client did not cause: an exception that is neither a GraphQL error nor
    coded. Coded errors (`extensions.code`: ApiError, request errors) are answers."""
    original = error.original_error
    if code_of(error) is not None or original is None:
        return False
    return not isinstance(original, ApiError | GraphQLError)


def should_mask(error: GraphQLError) -> bool:
    """Hide unexpected failures (logged with their traceback); show user mistakes."""
    if not is_server_fault(error):
        return False
    log.error("unexpected error in %s", error.path, exc_info=error.original_error)
    return True


class CivicSchema(strawberry.federation.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log what went wrong on our side; a user's mistake is an answer, not a log line."""
        unexpected = [e for e in errors if is_server_fault(e)]
        if unexpected:
            super().process_errors(unexpected, execution_context)

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


def build_schema(
    subscription: type | None = None,
    execution_context_class: type[Any] | None = None,
    max_tokens: int = DEFAULT_MAX_TOKENS,
) -> CivicSchema:
    """The merged schema; `subscription` is the live fields' type (from `subscriptions/`);
    documents longer than `max_tokens` tokens are refused before they are parsed whole."""
    return CivicSchema(
        query=Query,
        mutation=Mutation,
        subscription=subscription,
        execution_context_class=execution_context_class,
        # every DateTime argument and input field is checked once, here (range, offset)
        scalar_overrides={datetime: DateTime},
        extensions=[
            lambda: AddValidationRules(LIMIT_RULES),
            lambda: MaskErrors(should_mask_error=should_mask, error_message="Internal error."),
            # Parsing (cached there) and validating the same document again is wasted work;
            # data never cached.
            lambda: OperationGuard(max_tokens),
            # Selections and list lengths bounded before validating (cached) and coercing.
            lambda: BoundedValidation(maxsize=1024),
            # After the validation cache: prices the validated document per request.
            QueryCost,
        ],
    )
