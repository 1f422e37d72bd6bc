"""The merged schema: every domain's queries and mutations in one GraphQL API."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    ParserCache,
    ValidationCache,
    max_aliases,
    query_depth_limiter,
)
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from resolvers.city.schema import CityQuery
from resolvers.core.errors import ApiError
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


def should_mask(error: GraphQLError) -> bool:
    """Hide unexpected failures (logged with their traceback); show user mistakes."""
    original = error.original_error
    if original is None or isinstance(original, ApiError | GraphQLError):
        return False
    log.error("unexpected error in %s", error.path, exc_info=original)
    return True


class CivicSchema(strawberry.federation.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log what went wrong on our side; a user's mistake is an answer, not a log line."""
        unexpected = [e for e in errors if not isinstance(e.original_error, ApiError)]
        if unexpected:
            super().process_errors(unexpected, execution_context)


def build_schema(
    subscription: type | None = None, execution_context_class: type[Any] | None = None
) -> CivicSchema:
    """The merged schema; `subscription` is the live fields' type (from `subscriptions/`)."""
    return CivicSchema(
        query=Query,
        mutation=Mutation,
        subscription=subscription,
        execution_context_class=execution_context_class,
        extensions=[
            lambda: AddValidationRules(LIMIT_RULES),
            lambda: MaskErrors(should_mask_error=should_mask, error_message="Internal error."),
            # Parsing and validating the same document again is wasted work; data never cached.
            lambda: ParserCache(maxsize=1024),
            lambda: ValidationCache(maxsize=1024),
        ],
    )
