"""The schema extension that prices every operation before it runs and refuses what is over."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from resolvers.core.context import Context
from resolvers.core.cost.analysis import CostLimits, Price, operation_price
from resolvers.core.cost.replay import events_at_once
from resolvers.core.cost.writes import too_many_writes
from resolvers.core.document_memo import PARSED, variables_key
from resolvers.core.errors import ApiError, ApiErrorCode


def too_costly(cost: int, budget: int) -> GraphQLError:
    """The refusal: `extensions {code: "query_too_costly", cost, budget}`; nothing ran."""
    message = (
        f"this query would cost {cost}, over the budget of {budget} for your tier: "
        "ask for smaller pages, fewer nested lists or heavy fields, or use a key of a higher tier"
    )
    reason = ApiError(ApiErrorCode.QUERY_TOO_COSTLY, message)
    extensions = {"code": ApiErrorCode.QUERY_TOO_COSTLY.value, "cost": cost, "budget": budget}
    return GraphQLError(message, extensions=extensions, original_error=reason)


class QueryCost(SchemaExtension):
    """Static cost analysis per request, with its variables and the caller's tier.

    Runs in the validation step, after the document is validated (by the validation cache, or
    here when nothing validated it before), so a refusal is a request error: no resolver runs,
    over HTTP as over websockets, for queries, mutations and subscriptions alike (a
    subscription is priced once, at subscribe, for one pushed event, times the caller's replay
    window when it resumes with `after`). Every answer, and every
    pushed event, carries `extensions.cost = {requested, budget, tier}`. A mutation with more
    root fields than the tier's `WriteLimits` is refused the same way (`too_many_writes`).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.report: dict[str, Any] | None = None

    def on_validate(self) -> Iterator[None]:
        ec = self.execution_context
        context = ec.context
        if isinstance(context, Context) and ec.graphql_document is not None:
            if ec.pre_execution_errors is None and ec.validation_rules:
                ec.pre_execution_errors = validate_document(
                    ec.schema._schema, ec.graphql_document, ec.validation_rules
                )
            if not ec.pre_execution_errors:
                self.price(context)
        yield

    def price(self, context: Context) -> None:
        ec = self.execution_context
        assert ec.graphql_document is not None
        limits = CostLimits(
            context.list_bounds, context.limits.max_page_size, context.limits.max_window_days
        )
        window = context.live.replay_window_for(context.tier) if context.live else 1
        priced = _priced(
            ec.schema._schema, ec.graphql_document, ec.variables, ec.operation_name, limits, window
        )
        if priced is None:
            return
        price, events = priced
        cost = price.cost * events
        budget = context.limits.cost_budgets.for_tier(context.tier)
        self.report = {"requested": cost, "budget": budget, "tier": context.tier.value}
        most_writes = context.limits.write_limits.for_tier(context.tier)
        if cost > budget:
            ec.pre_execution_errors = [too_costly(cost, budget)]
        elif price.writes > most_writes:
            ec.pre_execution_errors = [too_many_writes(price.writes, most_writes)]

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.report} if self.report is not None else {}


def _priced(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    limits: CostLimits,
    window: int,
) -> tuple[Price, int] | None:
    """The operation's price (`operation_price`) and the events it may be pushed at once
    (`events_at_once`), or None when it is not charged; kept with the document in the parse
    cache for the next request with the same small variables (resolvers/core/document_memo.py)."""

    def work() -> tuple[Price, int] | None:
        price = operation_price(schema, document, variables, operation_name, limits)
        if price is None:
            return None
        return price, events_at_once(schema, document, variables, operation_name, window)

    variables_seen = variables_key(variables)
    if variables_seen is None:
        return work()
    key = ("price", id(schema), operation_name, variables_seen, limits, window)
    return PARSED.fact(document, key, work)
