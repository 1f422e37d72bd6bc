"""How many writes (mutation root fields) one operation may make at each tier.

A rate quota counts requests; without this bound one request of thirty aliased `fileCase`
made thirty cases, so the public tier's 60 requests a minute were 1,800 anonymous writes.
At one write per public operation every public write spends one request of the caller's
quota; keyed tiers batch a few, and their quota and key are theirs to answer for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from graphql import (
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
)

from graph.records.api_keys import Tier
from resolvers.core.errors import ApiError, ApiErrorCode
from resolvers.core.selections import fields_in


@dataclass(frozen=True)
class WriteLimits:
    """Most mutation root fields of one operation per tier."""

    public: int = 1
    developer: int = 10
    analyst: int = 10
    operator: int = 30
    """The alias limit (resolvers.core.civic_schema.MAX_ALIASES) bounds it anyway."""

    def for_tier(self, tier: Tier) -> int:
        """The limit of `tier`."""
        return int(getattr(self, tier.value))


def writes(
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    included: Callable[[object], bool],
) -> int:
    """The mutation root fields `operation` runs (0 for a query or subscription): one per
    response key (fields of one key merge and run once, GraphQL spec §6.3.2), so aliases each
    count; fragments are followed, `@skip`/`@include` honoured."""
    if operation.operation is not OperationType.MUTATION:
        return 0
    keys = {
        (node.alias or node.name).value
        for node in fields_in([operation.selection_set], fragments, included)
        if node.name.value != "__typename"
    }
    return len(keys)


def too_many_writes(count: int, limit: int) -> GraphQLError:
    """The refusal: `extensions {code: "too_many_writes", writes, limit}`; nothing ran."""
    message = (
        f"this operation makes {count} writes; your tier may make at most {limit} per "
        "operation: send them as separate requests, or use a key of a higher tier"
    )
    reason = ApiError(ApiErrorCode.TOO_MANY_WRITES, message)
    extensions = {"code": ApiErrorCode.TOO_MANY_WRITES.value, "writes": count, "limit": limit}
    return GraphQLError(message, extensions=extensions, original_error=reason)
