"""ml.feeds.blocks: the fixed blocks a feed draws in, and their seeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ml.feeds.blocks import ANCHOR, block_seed, blocks_over

MONTH = timedelta(days=30)


def test_blocks_are_fixed_and_cover_the_window() -> None:
    end = datetime(2026, 11, 30, 15, tzinfo=UTC)
    blocks = blocks_over(end - MONTH, end, MONTH)
    assert len(blocks) == 2
    assert all(start == ANCHOR + index * MONTH for index, start in blocks)
    assert blocks[0][1] <= end - MONTH < blocks[1][1] < end
    # an hour later the same blocks (or the next one too): never shifted
    later = blocks_over(end - MONTH + timedelta(hours=1), end + timedelta(hours=1), MONTH)
    assert later[0] == blocks[0] or later[0] == blocks[1]


def test_a_window_on_a_block_edge_is_that_one_block() -> None:
    start = ANCHOR + 300 * MONTH
    assert blocks_over(start, start + MONTH, MONTH) == [(300, start)]
    assert blocks_over(start - timedelta(hours=1), start + MONTH, MONTH) == [
        (299, start - MONTH),
        (300, start),
    ]


def test_block_seeds_are_distinct_per_seed_and_block_and_at_or_above_the_base() -> None:
    seeds = {
        block_seed(2_000_000, seed, index) for seed in range(0, 1000, 37) for index in (0, 1, 9_999)
    }
    assert len(seeds) == len(range(0, 1000, 37)) * 3
    assert min(seeds) >= 2_000_000
    assert max(seeds) < 2_000_000 + 10**7
