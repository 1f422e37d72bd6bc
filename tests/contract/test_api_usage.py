"""API usage as records, the same on SQLite and PostgreSQL: flushes of several workers add up
(the upsert), grouped reads sum by day, key, operation and dataset, in a window."""

from __future__ import annotations

from datetime import date

import pytest

from graph.records import Records
from graph.records.api_usage import (
    CALLS,
    PUBLIC,
    UsageGroup,
    UsageKey,
    add_usage,
    calls_on,
    dataset_calls,
    from_epoch_day,
    usage_rows,
)

DAY = 20_422  # 2025-11-30


@pytest.fixture
def records(empty_records: Records) -> Records:
    return empty_records


def key(day: int, client: str, operation: str, dataset: str = CALLS) -> UsageKey:
    return UsageKey(day, client, operation, dataset)


async def test_flushes_of_two_workers_add_up(records: Records) -> None:
    # given one worker's counts written
    first = {key(DAY, "k1", "Air"): 3, key(DAY, "k1", "Air", "ds-sdot"): 2}
    assert await add_usage(records, first) == 2
    # when another worker flushes the same keys and a new one
    second = {key(DAY, "k1", "Air"): 4, key(DAY, "k1", "Air", "ds-sdot"): 1}
    second[key(DAY, PUBLIC, "Air")] = 1
    assert await add_usage(records, second) == 3
    # then the counts are the sums
    total, rows = await usage_rows(
        records, DAY, DAY, [UsageGroup.KEY, UsageGroup.OPERATION], limit=10
    )
    assert total == 8
    assert [(r.client, r.operation, r.calls) for r in rows] == [
        ("k1", "Air", 7),
        (PUBLIC, "Air", 1),
    ]
    assert await dataset_calls(records, ["ds-sdot", "ds-none"], DAY, DAY) == {"ds-sdot": 3}


async def test_grouped_reads_sum_in_the_window_for_one_client_or_all(records: Records) -> None:
    # given three days of two keys, two operations, two datasets
    await add_usage(
        records,
        {
            key(DAY - 3, "k1", "Air"): 100,  # outside the window
            key(DAY - 1, "k1", "Air"): 1,
            key(DAY - 1, "k1", "Air", "ds-sdot"): 1,
            key(DAY, "k1", "Air"): 2,
            key(DAY, "k1", "Cases"): 5,
            key(DAY, "k2", "Air"): 10,
            key(DAY, "k2", "Air", "ds-sdot"): 10,
            key(DAY, "k2", "Air", "ds-water-quality"): 4,
        },
    )
    # when read by day, by dataset, for one key, with no group, and cut
    by_day = await usage_rows(records, DAY - 1, DAY, [UsageGroup.DAY], limit=10)
    by_dataset = await usage_rows(records, DAY - 1, DAY, [UsageGroup.DATASET], limit=10)
    one_key = await usage_rows(records, DAY - 1, DAY, [UsageGroup.OPERATION], client="k1", limit=10)
    summed = await usage_rows(records, DAY - 1, DAY, [], limit=10)
    cut = await usage_rows(records, DAY - 1, DAY, [UsageGroup.DAY, UsageGroup.KEY], limit=2)
    # then each sums its group, ordered
    assert by_day[0] == 18
    assert [(r.day, r.calls) for r in by_day[1]] == [
        (from_epoch_day(DAY - 1), 1),
        (from_epoch_day(DAY), 17),
    ]
    assert by_dataset[0] == 15
    assert [(r.dataset, r.calls) for r in by_dataset[1]] == [
        ("ds-sdot", 11),
        ("ds-water-quality", 4),
    ]
    assert one_key[0] == 8
    assert [(r.operation, r.calls) for r in one_key[1]] == [("Air", 3), ("Cases", 5)]
    assert [(r.day, r.client, r.operation, r.dataset, r.calls) for r in summed[1]] == [
        (None, None, None, None, 18)
    ]
    assert [(r.day, r.client) for r in cut[1]] == [
        (from_epoch_day(DAY - 1), "k1"),
        (from_epoch_day(DAY), "k1"),
    ]
    assert await calls_on(records, DAY) == 17
    assert await calls_on(records, DAY + 1) == 0
    assert from_epoch_day(DAY) == date(2025, 11, 30)


async def test_an_empty_flush_writes_nothing_and_bad_keys_are_refused(records: Records) -> None:
    assert await add_usage(records, {}) == 0
    assert await add_usage(records, {key(DAY, "k1", "Air"): 0}) == 0
    with pytest.raises(ValueError, match="out of bounds"):
        await add_usage(records, {key(DAY, "k1", "x" * 65): 1})
    with pytest.raises(ValueError, match="a count is"):
        await add_usage(records, {key(DAY, "k1", "Air"): -1})
    assert (await usage_rows(records, DAY, DAY, [], limit=1))[0] == 0
