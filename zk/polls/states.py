"""A poll's state at an instant (upcoming, open, closed), as `check_open` decides who may vote,
and the newest polls in one state."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from graph.records import Records
from graph.records.polls import PollWindow, newest_polls
from zk.polls.model import Poll
from zk.polls.service import poll_of


class PollState(StrEnum):
    """Where a poll stands at an instant; ALL is a listing filter, never a poll's state."""

    OPEN = "open"
    """Opened at or before the instant, closing after it: ballots are accepted."""
    CLOSED = "closed"
    """Closed at or before the instant: the count is final."""
    UPCOMING = "upcoming"
    """Opening after the instant."""
    ALL = "all"


_WINDOWS: dict[PollState, PollWindow] = {
    PollState.OPEN: "open",
    PollState.CLOSED: "closed",
    PollState.UPCOMING: "upcoming",
    PollState.ALL: "all",
}


def state_of(poll: Poll, at: datetime) -> PollState:
    """The state of `poll` at `at` (aware): the bounds `zk.polls.ballots.check_open` uses."""
    if at < poll.opens_at:
        return PollState.UPCOMING
    if at >= poll.closes_at:
        return PollState.CLOSED
    return PollState.OPEN


async def polls_in_state(
    records: Records, state: PollState, at: datetime, first: int
) -> list[Poll]:
    """At most `first` polls in `state` at `at` (ALL: every poll), newest first (opensAt
    descending, then id descending): one records call. Requires first >= 1, `at` aware."""
    rows = await newest_polls(records, _WINDOWS[state], at.astimezone(UTC), first)
    return [poll_of(row) for row in rows]
