"""The failed-key guard's in-memory moving window: exact over any window, and what it holds
bounded by the clients of the last window, whatever came before (civicgraph/moving_window.py)."""

from __future__ import annotations

from limits import parse

from civicgraph.moving_window import FORGET_PER_HIT, MemoryMovingWindow

QUOTA = parse("3/minute")


async def test_a_client_gets_the_quota_in_any_window_and_no_more() -> None:
    now = [1_000.0]
    window = MemoryMovingWindow(lambda: now[0])
    allowed = []
    for at in (0.0, 20.0, 59.9, 60.5):  # the 4th still within 60 s of the 2nd and 3rd
        now[0] = 1_000.0 + at
        allowed.append(await window.hit(QUOTA, "auth", "203.0.113.1"))
    assert allowed == [True, True, True, True]  # the first left the window at 60.0
    assert not await window.test(QUOTA, "auth", "203.0.113.1")
    assert not await window.hit(QUOTA, "auth", "203.0.113.1")
    stats = await window.get_window_stats(QUOTA, "auth", "203.0.113.1")
    assert stats.remaining == 0
    assert stats.reset_time == 1_000.0 + 20.0 + 60  # when the oldest counted one leaves
    now[0] = 1_080.0
    assert await window.test(QUOTA, "auth", "203.0.113.1")
    assert await window.hit(QUOTA, "auth", "203.0.113.2")  # another client: its own quota


async def test_clients_idle_for_a_window_are_forgotten_as_others_come() -> None:
    now = [1_000.0]
    window = MemoryMovingWindow(lambda: now[0])
    for n in range(10_000):
        await window.hit(QUOTA, "auth", f"2001:db8::{n:x}")
    assert len(window) == 10_000
    now[0] += 61
    await window.hit(QUOTA, "auth", "203.0.113.9")
    assert len(window) == 10_001 - FORGET_PER_HIT  # a few per hit: no stall behind a crowd
    for n in range(10_000 // FORGET_PER_HIT):
        await window.hit(QUOTA, "auth", f"2001:db8:1::{n:x}")  # newcomers
    assert len(window) == 2_501  # the idle crowd is gone
    stats = await window.get_window_stats(QUOTA, "auth", "2001:db8::1")
    assert stats.remaining == 3
