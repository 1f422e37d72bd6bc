"""Renders of one view shared while nothing changed (dashboards/renders.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from dashboards.renders import SharedRenders


class Counting:
    def __init__(self, delay: float = 0.05) -> None:
        self.calls = 0
        self.delay = delay

    async def __call__(self) -> list[Any]:
        self.calls += 1
        await asyncio.sleep(self.delay)
        return [f"render {self.calls}"]


async def test_viewers_of_one_view_at_once_share_one_render() -> None:
    renders, compute = SharedRenders(), Counting()
    results = await asyncio.gather(*(renders.render("overview", 1, compute) for _ in range(50)))
    assert compute.calls == 1
    assert {tuple(r) for r in results} == {("render 1",)}
    assert await renders.render("overview", 1, compute) == ["render 1"]  # kept, unchanged
    assert compute.calls == 1


async def test_a_change_another_view_or_age_renders_again() -> None:
    renders, compute = SharedRenders(max_age_s=0.2), Counting(0)
    await renders.render("overview", 1, compute)
    await renders.render("overview", 2, compute)  # the pulse moved
    await renders.render("public", 2, compute)  # another view
    assert compute.calls == 3
    await asyncio.sleep(0.25)
    await renders.render("overview", 2, compute)  # too old: "last minute" figures age
    assert compute.calls == 4


async def test_a_viewer_going_away_does_not_cancel_the_render_for_others() -> None:
    renders, compute = SharedRenders(), Counting(0.1)
    first = asyncio.ensure_future(renders.render("overview", 1, compute))
    await asyncio.sleep(0.01)
    second = asyncio.ensure_future(renders.render("overview", 1, compute))
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await second == ["render 1"]
    assert compute.calls == 1


async def test_only_the_most_recent_views_are_kept() -> None:
    renders, compute = SharedRenders(max_entries=2), Counting(0)
    for view in ("a", "b", "c"):
        await renders.render(view, 1, compute)
    await renders.render("a", 1, compute)
    assert compute.calls == 4  # "a" was dropped
