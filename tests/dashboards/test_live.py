"""The dashboards' pulse: bus events become one small message per period per dashboard."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from dashboards.app import shows_changes
from dashboards.live import ANALYST_TOPICS, Pulse, Watcher
from dashboards.pages import Page, View
from graph.records.api_keys import Tier
from subscriptions.bus import MemoryBus
from subscriptions.events import Event, Stream


class FakeSocket:
    """Stands in for a websocket only where the pulse closes it."""

    def __init__(self) -> None:
        self.closed: list[int] = []

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.closed.append(code)


@contextlib.asynccontextmanager
async def pulsing() -> AsyncIterator[tuple[MemoryBus, Pulse, Watcher]]:
    """A started in-memory bus and a pulse (50 ms period) with one watcher; both stop after."""
    bus = MemoryBus()
    await bus.start()
    pulse = Pulse(bus, period_s=0.05)
    watcher = Watcher(FakeSocket())  # type: ignore[arg-type]
    pulse.watchers.add(watcher)
    pulse.start()
    try:
        yield bus, pulse, watcher
    finally:
        await pulse.stop()
        await bus.close()


async def test_a_burst_of_events_is_one_message_naming_its_topics_and_gu() -> None:
    async with pulsing() as (bus, pulse, watcher):
        events = [Event(Stream.READINGS, i, {"district_code": "11680"}) for i in range(1, 500)]
        await bus.publish(events)
        await bus.publish([Event(Stream.CASES, 1, {"district_code": "11110"})])
        await asyncio.wait_for(watcher.wake.wait(), 5)
        message = json.loads(watcher.message())
        assert message["topics"] == {"cases": ["11110"], "readings": ["11680"]}
        assert all(s.pending() == 0 for s in pulse._subscriptions)  # nothing queued
        assert watcher.message().startswith('{"topics":{}')  # drained
    assert watcher.websocket.closed == [1012]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("gu", "live", "shown"),
    [
        (None, {"topics": {"cases": ["11110"]}}, True),
        ("11680", {"topics": {"cases": ["11110"]}}, False),  # another gu's case
        ("11680", {"topics": {"cases": ["11110", "11680"]}}, True),
        ("11680", {"topics": {"log": []}}, True),  # no gu: city-wide
        (None, {"topics": {"readings": ["11110"]}}, False),  # not shown on the page
        (None, {"topics": {"*": []}}, True),  # resumed
        (None, {"topics": ["cases"]}, False),
        (None, "cases", False),
        (None, None, False),
    ],
)
def test_a_message_changes_a_page_only_through_its_topics_and_gu(
    gu: str | None, live: object, shown: bool
) -> None:
    page = Page("x", "nav.overview", frozenset({"cases", "log"}), Tier.ANALYST, render_nothing)
    assert shows_changes(page, gu, live) is shown


async def render_nothing(view: View) -> list[Any]:
    return []


async def test_every_stream_is_a_topic() -> None:
    async with pulsing() as (bus, _, watcher):
        await bus.publish([Event(stream, 1, {}) for stream in Stream])
        await asyncio.wait_for(watcher.wake.wait(), 5)
        assert json.loads(watcher.message())["topics"] == {s.value: [] for s in Stream}


async def test_a_dashboard_below_the_analyst_tier_is_never_told_of_anomalies() -> None:
    # given a dashboard that may not see the models' alarms, beside the pulse's own watcher
    async with pulsing() as (bus, pulse, analyst):
        public = Watcher(FakeSocket(), hidden=ANALYST_TOPICS)  # type: ignore[arg-type]
        pulse.watchers.add(public)
        # when an alarm is scored in a gu, then a reading arrives there
        await bus.publish([Event(Stream.ANOMALIES, 1, {"district_code": "11110"})])
        await asyncio.wait_for(analyst.wake.wait(), 5)
        await asyncio.sleep(0.2)  # a few periods: the public dashboard is not woken
        assert not public.wake.is_set()
        await bus.publish([Event(Stream.READINGS, 1, {"district_code": "11110"})])
        await asyncio.wait_for(public.wake.wait(), 5)
        # then the analyst's dashboard heard of both, the public one of the reading only
        assert json.loads(public.message())["topics"] == {"readings": ["11110"]}
        assert json.loads(analyst.message())["topics"] == {
            "anomalies": ["11110"],
            "readings": ["11110"],
        }
