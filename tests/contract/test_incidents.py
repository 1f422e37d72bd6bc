"""Incident reports as records, the same on SQLite and PostgreSQL: many written at once, a
feed's own reports replaced as a whole, a time range read city-wide or for some gu."""

from __future__ import annotations

import pytest

from graph.records import Records
from graph.records.incidents import (
    IncidentRow,
    incidents_between,
    put_incidents,
    replace_incidents,
)

T0 = 1_796_000_400  # a whole UTC hour
HOUR = 3600


@pytest.fixture
def records(empty_records: Records) -> Records:
    return empty_records


def report(at: int, gu: str = "11140", category: str = "feed") -> IncidentRow:
    return IncidentRow(at, 37.5637 + at % 7 * 1e-4, 126.986, gu, category)


async def test_reports_of_a_range_read_back_city_wide_and_by_gu(records: Records) -> None:
    # given 12,000 reports an hour apart over three gu (more than one SQLite batch)
    rows = [report(T0 + i * HOUR, ("11110", "11140", "11170")[i % 3]) for i in range(12_000)]
    # when they are written
    written = await put_incidents(records, rows)
    # then they all read back, oldest first, with their positions
    assert written == 12_000
    assert await incidents_between(records, T0, T0 + 12_000 * HOUR) == rows
    # and a range is half-open [since, until)
    middle = await incidents_between(records, T0 + 10 * HOUR, T0 + 20 * HOUR)
    assert middle == rows[10:20]
    # and some gu's reports are theirs alone
    some = await incidents_between(records, T0, T0 + 30 * HOUR, district_codes=["11170", "11110"])
    assert some == [r for r in rows[:30] if r.district_code != "11140"]
    assert await incidents_between(records, T0, T0 + 30 * HOUR, district_codes=[]) == []


async def test_a_feed_replaces_its_own_reports_and_leaves_the_others(records: Records) -> None:
    # given a feed's reports in two gu, another category's, and the feed's in a third gu
    await put_incidents(
        records,
        [
            report(T0, "11110"),
            report(T0 + HOUR, "11140"),
            report(T0, "11140", "other"),
            report(T0 + 2 * HOUR, "11170"),
        ],
    )
    # when the feed rewrites its reports of the first two gu
    fresh = [report(T0 + 5 * HOUR, "11110"), report(T0 + 6 * HOUR, "11140")]
    for _ in range(2):  # twice: the same rows leave the table as it was
        assert (
            await replace_incidents(
                records, fresh, category="feed", district_codes=["11110", "11140"]
            )
            == 2
        )
    # then its old reports there are gone, the others stay
    left = await incidents_between(records, T0, T0 + 10 * HOUR)
    assert sorted(left, key=lambda r: (r.reported_at, r.district_code, r.category)) == [
        report(T0, "11140", "other"),
        report(T0 + 2 * HOUR, "11170"),
        *fresh,
    ]


async def test_rows_a_feed_must_never_write_are_refused_before_any_write(
    records: Records,
) -> None:
    bad = [
        IncidentRow(T0, 91.0, 126.9, "11140", "feed"),
        IncidentRow(T0, 37.5, float("nan"), "11140", "feed"),
        IncidentRow(T0, 37.5, 126.9, "", "feed"),
        IncidentRow(T0, 37.5, 126.9, "11140", "x" * 33),
    ]
    for row, why in zip(bad, ("lat", "lon", "district_code", "category"), strict=True):
        with pytest.raises(ValueError, match=why):
            await put_incidents(records, [report(T0), row])
    with pytest.raises(ValueError, match="not a 'feed' report"):
        await replace_incidents(
            records, [report(T0, "11110")], category="feed", district_codes=["11140"]
        )
    assert await incidents_between(records, 0, 2**40) == []
