"""`_entities` asked of one subgraph on a contract backend, as a gateway asks it."""

from __future__ import annotations

from typing import Any

from graph.records.api_keys import Tier
from resolvers.core.context import Context, Limits
from resolvers.core.cost.budgets import CostBudgets
from resolvers.subgraphs import subgraph_schema
from tests.contract.conftest import Backend

ENTITIES = "query ($r: [_Any!]!) { _entities(representations: $r) { %s } }"
BATCH = 100
"""Representations in one `_entities` request of the N+1 tests (issue 14: at most 2 store calls)."""


def context_of(backend: Backend, tier: Tier = Tier.OPERATOR) -> Context:
    """A request's context on `backend`, with no cost budget in the way of 100 entities."""
    state = backend.app.state
    limits = Limits(cost_budgets=CostBudgets(10**9, 10**9, 10**9, 10**9))
    return Context(
        backend.stores.graph,
        backend.stores.records,
        tier,
        limits,
        state.locator,
        log=state.log,
        list_bounds=state.list_bounds,
    )


async def entities(
    backend: Backend,
    subgraph: str,
    selection: str,
    reps: list[dict[str, Any]],
    tier: Tier = Tier.OPERATOR,
) -> Any:
    """The execution result of `_entities(representations: reps) { selection }` on `subgraph`'s
    own schema, at `tier`; errors are in the result, not raised."""
    return await subgraph_schema(subgraph).execute(
        ENTITIES % selection, variable_values={"r": reps}, context_value=context_of(backend, tier)
    )
