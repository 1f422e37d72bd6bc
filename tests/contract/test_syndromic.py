"""Syndromic counts as records, the same on SQLite and PostgreSQL: a feed's batch replaces the
counts it repeats, keeps missing days as rows, and a day range reads back in one query."""

from __future__ import annotations

import pytest

from graph.records import Records
from graph.records.syndromic import SyndromicCountRow, counts_between, put_counts

DAY = 20_416  # 2025-11-24


@pytest.fixture
def records(empty_records: Records) -> Records:
    return empty_records


def count(gu: str, stream: str, day: int, value: int | None) -> SyndromicCountRow:
    return SyndromicCountRow(gu, "respiratory", stream, day, value)


async def test_put_counts_same_day_again_replaces_and_range_reads_in_one_query(
    records: Records,
) -> None:
    # given three days of two gu, one day reported missing
    first = [
        count("11110", "er", DAY - 2, 10),
        count("11110", "er", DAY - 1, None),
        count("11110", "er", DAY, 12),
        count("11140", "search", DAY, 40),
        count("11140", "er", DAY, 7),
    ]
    assert await put_counts(records, first) == 5
    # when the feed sends the same batch again, then a correction of two days and a new day
    assert await put_counts(records, first) == 5
    corrected = [
        count("11110", "er", DAY - 1, 11),
        count("11140", "er", DAY, 3),
        count("11140", "er", DAY, 9),  # the later of two rows with one key wins
        count("11140", "er", DAY + 1, 8),
    ]
    assert await put_counts(records, corrected) == 3
    # then a range reads every series' days, ordered, in one query
    calls = records.calls
    rows = await counts_between(records, DAY - 1, DAY)
    assert records.calls == calls + 1
    assert [(r.district_code, r.stream, r.day, r.count) for r in rows] == [
        ("11110", "er", DAY - 1, 11),
        ("11110", "er", DAY, 12),
        ("11140", "er", DAY, 9),
        ("11140", "search", DAY, 40),
    ]
    # and a missing day stays a row with no count until the feed sends one
    await put_counts(records, [count("11110", "er", DAY - 1, None)])
    missing = await counts_between(records, DAY - 1, DAY - 1)
    assert [(r.district_code, r.count) for r in missing] == [("11110", None)]
    assert await counts_between(records, DAY + 2, DAY + 9) == []


BAD_ROWS = (
    (count("11110", "er", DAY, -1), "a count is 0 to"),
    (count("11110", "er", -1, 1), "day is days since 1970-01-01"),
    (count("", "er", DAY, 1), "names its gu"),
)


async def test_put_counts_batch_with_a_bad_row_writes_nothing(records: Records) -> None:
    for bad, message in BAD_ROWS:
        # when a batch holds one bad row
        with pytest.raises(ValueError, match=message):
            await put_counts(records, [count("11110", "er", DAY - 1, 5), bad])
    # then none of them is written
    assert await counts_between(records, 0, DAY + 1) == []
