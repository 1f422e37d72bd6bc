"""Resuming a subscription with `after`, on SQLite and PostgreSQL: the replay's size is checked
with one query over ids before any row is loaded, and the rows are then read in pages.

Each case files events under a gu code of its own (`unique`), so the seeded city's events and
other cases never fall in its replay.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graph.records import Records
from graph.records.case_events import events_after, insert_events
from graph.records.db import MAX_ROW_ID
from graph.records.readings import COLUMNS, epoch, insert_readings
from subscriptions import live as live_module
from subscriptions.events import Event, Stream
from subscriptions.live import Live, ResumeTooOld
from tests.contract.conftest import Backend, unique

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
MISSED = 23
PAGE = 5


@pytest.fixture
def live(backend: Backend) -> Live:
    found: Live = backend.app.state.live
    return found


async def missed_events(records: Records, count: int) -> tuple[str, int, list[int]]:
    """`count` case events of a gu of their own: (its code, the id before them, their ids)."""
    district = unique("d")
    rows = [
        [unique("c"), district, "received", "received", "", "", "", T0 + timedelta(seconds=n)]
        for n in range(count)
    ]
    await insert_events(records, rows)
    ids = [e.id for e in await events_after(records, 0, districts=[district], limit=count + 1)]
    assert len(ids) == count
    return district, ids[0] - 1, ids


class LoadedRows:
    """Wraps `Records.rows_after` to note how many rows each call asked for and got."""

    def __init__(self, records: Records, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[int, int]] = []
        original = records.rows_after

        async def rows_after(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
            rows = await original(*args, **kwargs)
            self.calls.append((kwargs["limit"], len(rows)))
            return rows

        monkeypatch.setattr(records, "rows_after", rows_after)


async def resume(live: Live, district: str, after: int, window: int, take: int) -> list[int]:
    feed = live.events(
        Stream.CASES,
        district=district,
        accepts=lambda event: True,
        after=after,
        replay_window=window,
    )
    try:
        got: list[Event] = [await anext(feed) for _ in range(take)]
    finally:
        await feed.aclose()
    return [e.id for e in got]


async def test_a_resume_within_the_window_replays_every_missed_event_page_by_page(
    backend: Backend, live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given 23 missed events and pages of 5 rows
    records = backend.stores.records
    district, after, ids = await missed_events(records, MISSED)
    monkeypatch.setattr(live_module, "REPLAY_PAGE", PAGE)
    loaded = LoadedRows(records, monkeypatch)
    # when a subscriber resumes with a window that holds them exactly
    replayed = await resume(live, district, after, window=MISSED, take=MISSED)
    # then it gets each once, in order, read 5 rows at a time
    assert replayed == ids
    assert [asked for asked, _ in loaded.calls] == [5, 5, 5, 5, 3]
    assert sum(got for _, got in loaded.calls) == MISSED


async def test_the_loop_serves_others_between_replayed_events(backend: Backend, live: Live) -> None:
    # given missed events and another task that counts its turns on the loop
    district, after, _ = await missed_events(backend.stores.records, MISSED)
    turns = 0

    async def other() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(other())
    feed = live.events(
        Stream.CASES, district=district, accepts=lambda event: True, after=after, replay_window=100
    )
    # when the replay is read event by event
    seen = []
    try:
        for _ in range(MISSED):
            await anext(feed)
            seen.append(turns)
    finally:
        await feed.aclose()
        ticker.cancel()
    # then the other task ran between every two events, not only while a page was read
    assert all(later > earlier for earlier, later in itertools.pairwise(seen))


async def test_a_resume_past_the_window_is_refused_before_any_row_is_loaded(
    backend: Backend, live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = backend.stores.records
    district, after, _ = await missed_events(records, MISSED)
    loaded = LoadedRows(records, monkeypatch)
    with pytest.raises(ResumeTooOld):
        await resume(live, district, after, window=MISSED - 1, take=1)
    assert loaded.calls == []


@pytest.mark.parametrize(
    ("more_than", "expected"), [(0, True), (MISSED - 1, True), (MISSED, False), (10**6, False)]
)
async def test_has_more_than_counts_the_rows_above_an_id(
    backend: Backend, more_than: int, expected: bool
) -> None:
    records = backend.stores.records
    district, after, _ = await missed_events(records, MISSED)
    where = ("district_code", [district])
    assert await records.has_more_than("case_event", after, more_than, where_in=where) is expected


def reading_row(sensor: str, at: datetime) -> list[Any]:
    values: dict[str, Any] = {"sensor_id": sensor, "measured_at": epoch(at), "pm25": 12.0}
    return [values.get(column) for column in COLUMNS]


@pytest.mark.parametrize("table", ["reading", "case_event", "alert"])
async def test_the_largest_id_replays_nothing(backend: Backend, table: str) -> None:
    # 2^63 - 1, the largest `after` a client may send, reaches every stream's table
    records = backend.stores.records
    no_filter: tuple[str, Sequence[str]] | None = None
    assert await records.has_more_than(table, MAX_ROW_ID, 0, where_in=no_filter) is False
    assert await records.rows_after(table, ["id"], MAX_ROW_ID, limit=10) == []


async def test_reading_replays_are_counted_per_sensor(backend: Backend) -> None:
    records = backend.stores.records
    sensor = unique("s")
    await insert_readings(
        records, [reading_row(sensor, T0 + timedelta(minutes=n)) for n in range(3)]
    )
    where = ("sensor_id", [sensor])
    assert await records.has_more_than("reading", 0, 2, where_in=where) is True
    assert await records.has_more_than("reading", 0, 3, where_in=where) is False
    assert await records.has_more_than("reading", 0, 0, where_in=("sensor_id", [])) is False
