"""Fixtures of the analytics tests: proposing reviews into the session's city, key ids."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from civicgraph.stores import Stores
from graph.records.api_keys import KEY_PREFIX, Tier
from ml import review
from ml.registry import Registry
from ml.review import ReviewKind
from resolvers.core.context import Context, Limits
from resolvers.core.cost.budgets import CostBudgets
from tests.ml.reviews import pending_review

FUTURE = datetime(2099, 1, 1, tzinfo=UTC)
"""Reviews proposed by these tests are dated after any other test's, so they head the queue."""

Propose = Callable[..., Awaitable[review.Review]]


def key_id(secret: str) -> str:
    """An API key's id (its public prefix) from its secret `cg_<prefix>_<random>`."""
    return secret.removeprefix(KEY_PREFIX).split("_", 1)[0]


@pytest.fixture
def propose(stores: Stores) -> Propose:
    """`await propose(kind, district, minutes=0, **proposal)`: a new pending review of `kind`
    in gu `district`, dated `minutes` after FUTURE, about a subject no other review has."""

    async def make(
        kind: ReviewKind = ReviewKind.WATER_ALARM,
        district: str | None = "11440",
        minutes: int = 0,
        **proposal: Any,
    ) -> review.Review:
        return await pending_review(
            stores.records,
            kind,
            district=district,
            at=FUTURE + timedelta(minutes=minutes),
            **proposal,
        )

    return make


def context(app: Starlette, stores: Stores, tier: Tier, ml: Path) -> Context:
    """A request's context as the app builds it, with no caller key and no cost budget in the
    way of 100 entities; its registry is under `ml`."""
    state = app.state
    return Context(
        stores.graph,
        stores.records,
        tier,
        Limits(cost_budgets=CostBudgets(10**9, 10**9, 10**9, 10**9)),
        state.locator,
        log=state.log,
        models=Registry(ml),
        list_bounds=state.list_bounds,
    )
