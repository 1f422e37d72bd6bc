"""The verification tally: a verification never waits for a write, a burst costs few writes,
and a failed write keeps its counts for the next one."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from ledger import verification_tally
from ledger.verification_tally import VerificationTally

NOON_SEOUL = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
LATE_UTC = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
"""01:00 on 1 December in Seoul."""


class Writes:
    """Stands in for `add_verifications`: notes each write, slowly, failing when told to."""

    def __init__(self) -> None:
        self.calls: list[dict[str, int]] = []
        self.failing = False

    async def __call__(self, records: Any, per_day: Mapping[str, int]) -> None:
        await asyncio.sleep(0.01)
        if self.failing:
            raise ConnectionError("the records are down")
        self.calls.append(dict(per_day))

    def total(self) -> dict[str, int]:
        summed: dict[str, int] = {}
        for call in self.calls:
            for day, served in call.items():
                summed[day] = summed.get(day, 0) + served
        return summed


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> Writes:
    fake = Writes()
    monkeypatch.setattr(verification_tally, "add_verifications", fake)
    return fake


async def test_a_burst_of_verifications_is_a_few_writes_of_seoul_days(writes: Writes) -> None:
    tally = VerificationTally(records=None)  # type: ignore[arg-type]
    for _ in range(100):
        tally.record(at=NOON_SEOUL)
    tally.record(at=LATE_UTC)
    assert writes.calls == []  # recording returned before any write
    await tally.drain()
    assert writes.total() == {"2026-11-30": 100, "2026-12-01": 1}
    assert len(writes.calls) <= 2


async def test_a_failed_write_keeps_its_counts_for_the_next(writes: Writes) -> None:
    tally = VerificationTally(records=None)  # type: ignore[arg-type]
    writes.failing = True
    tally.record(at=NOON_SEOUL)
    await tally.drain()
    assert writes.calls == []
    writes.failing = False
    tally.record(at=NOON_SEOUL)
    await tally.drain()
    assert writes.total() == {"2026-11-30": 2}
