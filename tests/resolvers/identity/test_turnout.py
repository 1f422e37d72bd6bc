"""Turnout cells below the analyst tier: small cells withheld, with complements so the poll's
exact total gives none back; and the live pollTally feed carries no per-gu count."""

from __future__ import annotations

import pytest
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLType

from resolvers.identity.turnout import turnout_cells
from resolvers.schema import build_schema


@pytest.mark.parametrize(
    ("turnout", "public"),
    [
        pytest.param({}, [], id="no-ballots"),
        pytest.param({"11680": 3}, [("11680", None)], id="one-gu-small"),
        pytest.param({"11680": 5}, [("11680", 5)], id="one-gu-safe"),
        pytest.param(
            {"11650": 9, "11110": 2, "11680": 7},
            [("11110", None), ("11650", 9), ("11680", None)],
            id="lone-small-cell-takes-the-smallest-safe-one",
        ),
        pytest.param(
            {"11110": 4, "11140": 1, "11680": 30},
            [("11110", None), ("11140", None), ("11680", 30)],
            id="two-small-cells-of-five",
        ),
        pytest.param(
            {"11110": 1, "11140": 1, "11650": 5, "11680": 5},
            [("11110", None), ("11140", None), ("11650", None), ("11680", 5)],
            id="ties-taken-by-gu-code",
        ),
        pytest.param(
            {"11110": 1, "11140": 2},
            [("11110", None), ("11140", None)],
            id="every-cell-small",
        ),
    ],
)
def test_turnout_cells_withhold_small_cells_and_their_complements(
    turnout: dict[str, int], public: list[tuple[str, int | None]]
) -> None:
    # when a caller below analyst reads the cells
    shown = turnout_cells(turnout, sees_small_cells=False)

    # then the small cells and their complements are withheld, in gu-code order
    assert shown == public
    withheld = [turnout[gu] for gu, count in shown if count is None]
    # and what the total minus the shown cells gives back is two or more cells of >= 5
    # together, unless the whole poll is smaller than that
    if withheld and sum(turnout.values()) >= 5 and len(turnout) >= 2:
        assert len(withheld) >= 2
        assert sum(withheld) >= 5


def test_turnout_cells_are_exact_for_analysts() -> None:
    turnout = {"11680": 1, "11110": 7}
    assert turnout_cells(turnout, sees_small_cells=True) == [("11110", 7), ("11680", 1)]


def _reachable(kind: GraphQLType, seen: set[str]) -> None:
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        kind = kind.of_type
    if isinstance(kind, GraphQLObjectType) and kind.name not in seen:
        seen.add(kind.name)
        for field in kind.fields.values():
            _reachable(field.type, seen)


def test_the_poll_tally_feed_carries_no_count_by_gu() -> None:
    # given the live feed's type in the merged schema
    schema = build_schema()._schema
    subscription = schema.subscription_type
    assert subscription is not None
    seen: set[str] = set()

    # when every type its pollTally payload can reach is collected
    _reachable(subscription.fields["pollTally"].type, seen)

    # then no turnout by gu is among them (the feed counts ballots per option only)
    assert "DistrictTurnout" not in seen
    assert seen == {"PollTally", "OptionCount"}
