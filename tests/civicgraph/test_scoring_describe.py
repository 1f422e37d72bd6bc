"""The one line a scoring run prints per model (CLI and server log)."""

from __future__ import annotations

from civicgraph.scoring import describe
from ml.scoring import Scoring

WINDOW = 1_796_000_400  # 2026-11-30T01:00Z


def test_a_run_names_its_window_and_counts() -> None:
    line = describe(Scoring("water", "v3", WINDOW, 8, 1, (), unscored=2))
    assert line == (
        "water: version v3, window 2026-11-30T01:00Z, 8 predictions, 0 alarms, "
        "1 reviews proposed, 2 left out for lack of data"
    )


def test_a_run_with_nothing_new_says_so_instead_of_window_none() -> None:
    line = describe(Scoring("water", "v3", None, 0, 0, ()))
    assert "no new window (the newest with data is scored already)" in line
    assert "none" not in line


def test_a_skipped_run_says_why() -> None:
    assert describe(Scoring("hotspots", None, None, 0, 0, (), skipped="no reports")) == (
        "hotspots: skipped: no reports"
    )
