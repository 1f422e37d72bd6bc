"""The usage tally: counts a call in memory, bounded, and flushes to the records; a failed
flush keeps its counts for the next one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph import usage as usage_module
from graph.city_day import city_day
from graph.records import Records, open_records, sqlite_url
from graph.records.api_usage import PUBLIC, UsageGroup, epoch_day, usage_rows
from graph.usage import (
    ANONYMOUS,
    OTHER,
    SCOPE_KEY,
    UsageBounds,
    UsageMark,
    UsageTally,
    counting_usage,
    operation_label,
    touch,
)

NOON_SEOUL = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
LATE_UTC = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # already 1 December in Seoul
DAY = epoch_day(NOON_SEOUL.date())


@pytest.fixture
async def records(tmp_path: Path) -> AsyncIterator[Records]:
    opened = await open_records(sqlite_url(tmp_path / "records.sqlite3"))
    try:
        yield opened
    finally:
        await opened.close()


def call(tally: UsageTally, operation: str, *datasets: str, client: str = "abcd1234") -> None:
    mark = tally.mark(client, "developer", "graphql")
    mark.name(operation)
    for dataset in datasets:
        mark.touch(dataset)
    tally.record(mark, NOON_SEOUL)


async def everything(records: Records, *groups: UsageGroup) -> list[tuple[object, ...]]:
    _, rows = await usage_rows(records, DAY - 5, DAY + 5, groups, limit=1000)
    return [(r.day, r.client, r.operation, r.dataset, r.calls) for r in rows]


async def test_flush_adds_calls_and_dataset_touches_to_the_records(records: Records) -> None:
    # given three calls, two touching datasets (one of them twice)
    tally = UsageTally(records)
    call(tally, "Air", "ds-sdot", "ds-sdot", "ds-water-quality")
    call(tally, "Air", "ds-sdot")
    call(tally, "Other")
    # when flushed
    written = await tally.flush()
    # then the calls and the touches are rows, and nothing is pending
    assert written == 4
    assert tally.pending == 0
    day = NOON_SEOUL.date()
    assert await everything(records, UsageGroup.OPERATION) == [
        (None, None, "Air", None, 2),
        (None, None, "Other", None, 1),
    ]
    assert await everything(records, UsageGroup.DAY, UsageGroup.DATASET) == [
        (day, None, None, "ds-sdot", 2),
        (day, None, None, "ds-water-quality", 1),
    ]
    assert tally.calls[("developer", "graphql")] == 3
    assert tally.dataset_calls == 3


async def test_a_call_is_filed_under_its_seoul_day(records: Records) -> None:
    # given a call at 16:00 UTC, 01:00 the next day in Seoul
    tally = UsageTally(records)
    tally.record(tally.mark(PUBLIC, "public", "http"), LATE_UTC)
    # when flushed
    await tally.flush()
    # then it is on the Seoul day
    _, rows = await usage_rows(records, DAY, DAY + 1, [UsageGroup.DAY], limit=10)
    assert [(r.day, r.calls) for r in rows] == [(datetime(2026, 12, 1).date(), 1)]


async def test_operation_names_past_the_bound_count_as_other(records: Records) -> None:
    # given a tally keeping 2 names per client and day
    tally = UsageTally(records, UsageBounds(operations_per_client_day=2))
    # when one client calls with 4 names, and another with a third
    for name in ("A", "B", "C", "D", "A"):
        call(tally, name)
    call(tally, "C", client="other123")
    await tally.flush()
    # then its later names are (other), the known ones still count, the other client is apart
    _, rows = await usage_rows(records, DAY, DAY, [UsageGroup.KEY, UsageGroup.OPERATION], limit=10)
    assert [(r.client, r.operation, r.calls) for r in rows] == [
        ("abcd1234", OTHER, 2),
        ("abcd1234", "A", 2),
        ("abcd1234", "B", 1),
        ("other123", "C", 1),
    ]


def test_operation_labels_are_bounded() -> None:
    assert operation_label(None) == ANONYMOUS
    assert operation_label("") == ANONYMOUS
    assert operation_label(42) == ANONYMOUS
    assert operation_label("x" * 1000) == "x" * 64


def test_a_call_counts_at_most_its_bound_of_datasets_and_no_overlong_id() -> None:
    mark = UsageMark(max_datasets=2)
    for dataset in ("a", "b", "c", "a", "x" * 65, ""):
        mark.touch(dataset)
    assert mark.datasets == {"a", "b"}


def test_pending_counts_past_the_bound_are_dropped_and_counted(records: Records) -> None:
    # given a tally holding 3 distinct counts
    tally = UsageTally(records, UsageBounds(pending=3))
    # when 3 calls each need 2 counts
    for n in range(3):
        call(tally, f"Op{n}", "ds-sdot")
    # then 3 are held, the rest dropped and counted
    assert tally.pending == 3
    assert tally.dropped == 3
    assert tally.calls[("developer", "graphql")] == 3


class Failing(Exception):
    pass


async def test_a_failed_flush_keeps_its_counts_logs_and_never_raises(
    records: Records, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # given pending calls and records that fail
    tally = UsageTally(records)
    call(tally, "Air", "ds-sdot")

    async def down(*args: object) -> int:
        raise Failing("records down")

    monkeypatch.setattr(usage_module, "add_usage", down)
    # when flushed
    with caplog.at_level(logging.WARNING, logger="civicgraph.usage"):
        assert await tally.flush() == 0
    # then the counts are kept, the failure logged and counted
    assert tally.pending == 2
    assert tally.flushes["failed"] == 1
    assert "records down" in caplog.text
    # and when the records are back, the next flush writes them once, with the newer call
    monkeypatch.undo()
    call(tally, "Air")
    assert await tally.flush() == 2
    assert await everything(records, UsageGroup.OPERATION) == [(None, None, "Air", None, 2)]
    assert tally.flushes["ok"] == 1


async def test_counting_usage_flushes_on_its_interval_and_when_it_ends(records: Records) -> None:
    # given a tally flushed every 10 ms
    async with counting_usage(records, 0.01) as tally:
        call(tally, "Early")
        async with asyncio.timeout(10):
            while tally.flushes["ok"] == 0:  # noqa: ASYNC110 - the tally offers no event
                await asyncio.sleep(0.01)
        # when a call comes after the last flush and the server stops
        call(tally, "Late")
    # then both are in the records
    assert await everything(records, UsageGroup.OPERATION) == [
        (None, None, "Early", None, 1),
        (None, None, "Late", None, 1),
    ]


def test_touch_marks_the_scopes_call_and_ignores_a_scope_without_one() -> None:
    mark = UsageMark()
    touch({"state": {SCOPE_KEY: mark}}, "ds-sdot")
    touch({"state": {}}, "ds-sdot")
    touch({}, "ds-sdot")
    assert mark.datasets == {"ds-sdot"}


async def test_a_call_without_a_time_is_filed_under_todays_seoul_day(records: Records) -> None:
    tally = UsageTally(records)
    tally.record(tally.mark(PUBLIC, "public", "http"))
    await tally.flush()
    today = epoch_day(city_day(datetime.now(UTC)))
    _, rows = await usage_rows(records, today - 1, today + 1, [UsageGroup.DAY], limit=10)
    assert [(r.day, r.calls) for r in rows] == [(city_day(datetime.now(UTC)), 1)]
