"""DataLoaders of the identity domain: polls by id, their tallies, and the polls of a gu.

Each batch is one records call (graph/records/polls.py), so `_entities` with many Poll
representations, or a page of districts with their polls, costs what one of them costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from resolvers.core.dataloaders import ContextLoader
from zk.polls.model import Poll
from zk.polls.service import Tally, load_polls, polls_not_closed, tallies


class PollByIdLoader(ContextLoader[str, Poll | None]):
    """Polls by id; None for an id that names no poll."""

    async def batch_load(self, keys: list[str]) -> Sequence[Poll | None]:
        found = await load_polls(self.context.records, keys)
        return [found.get(key) for key in keys]


class PollTallyLoader(ContextLoader[Poll, Tally]):
    """The count so far of each poll."""

    async def batch_load(self, keys: list[Poll]) -> Sequence[Tally]:
        return await tallies(self.context.records, keys)


def gu_of(district_code: str) -> str:
    """The gu of a district code: itself for a gu (5 digits), its first 5 digits for a dong."""
    return district_code[:5]


class PollsByDistrictLoader(ContextLoader[str, list[Poll]]):
    """By district code: the polls not yet closed that a resident of it may vote in (those
    whose eligibility names its gu, and city-wide ones), closing soonest first.

    One records call per batch: every poll not yet closed, matched to the codes here (their
    number is bounded by what operators create, each open at most a year)."""

    async def batch_load(self, keys: list[str]) -> Sequence[list[Poll]]:
        polls = await polls_not_closed(self.context.records, datetime.now(UTC))
        by_id = self.context.loader(PollByIdLoader)
        for poll in polls:
            by_id.prime(poll.poll_id, poll)
        return [
            [
                p
                for p in polls
                if not p.eligibility.districts or gu_of(key) in p.eligibility.districts
            ]
            for key in keys
        ]
