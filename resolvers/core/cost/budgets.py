"""How much one operation may cost at each tier (`CIVIC_COST_BUDGET_*`)."""

from __future__ import annotations

from dataclasses import dataclass

from graph.records.api_keys import Tier


@dataclass(frozen=True)
class CostBudgets:
    """Largest cost of one operation per tier. Requires public <= developer <= analyst <= operator.

    The public budget answers every query of the README, docs/api.md and the contract suite's
    main queries (the costliest, 50 cases with their events, costs 1,161). Every dong's
    boundary (2,335) and a 2,000-bucket reading window (2,006) need a developer key.
    """

    public: int = 2_000
    developer: int = 10_000
    analyst: int = 25_000
    operator: int = 50_000

    def __post_init__(self) -> None:
        ordered = [self.public, self.developer, self.analyst, self.operator]
        if ordered != sorted(ordered) or ordered[0] < 1:
            raise ValueError("cost budgets must be positive and grow from public to operator")

    def for_tier(self, tier: Tier) -> int:
        """The budget of `tier`."""
        return int(getattr(self, tier.value))
