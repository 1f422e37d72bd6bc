"""Random rounding with a fixed, keyed draw, and its key on disk."""

from __future__ import annotations

import stat
from collections import Counter
from pathlib import Path

import pytest

from resolvers.core.rounding import RandomRounding
from resolvers.core.rounding_key import RoundingKeyError, load_rounding

KEY = bytes(range(32))


def test_published_cells_are_multiples_of_5_within_4_of_the_truth() -> None:
    rounding = RandomRounding(KEY)
    for cell in range(200):
        for count in range(30):
            value = rounding.publish(("t", cell), count)
            assert value % 5 == 0
            assert abs(value - count) < 5
            if count % 5 == 0:
                assert value == count  # multiples of 5 (and 0) are published as they are


def test_the_draw_is_fixed_per_cell_and_count_and_depends_on_the_key() -> None:
    one, again, other = RandomRounding(KEY), RandomRounding(KEY), RandomRounding(KEY[::-1])
    cells = [("t", "1168010", year) for year in range(1900, 2030)]
    assert [one.publish(c, 2) for c in cells] == [again.publish(c, 2) for c in cells]
    assert [one.publish(c, 2) for c in cells] != [other.publish(c, 2) for c in cells]
    assert [one.draw(c, 2) for c in cells] != [one.draw(c, 3) for c in cells]


@pytest.mark.parametrize("remainder", [1, 2, 3, 4])
def test_rounding_up_happens_remainder_fifths_of_the_time(remainder: int) -> None:
    # unbiased: a count 5q+r is published 5q+5 with probability r/5, so its mean is the count
    rounding = RandomRounding(KEY)
    ups = Counter(rounding.publish(("t", cell), remainder) == 5 for cell in range(20_000))
    share = ups[True] / 20_000
    assert abs(share - remainder / 5) < 0.02  # fixed key: the same share on every run


def test_short_keys_and_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        RandomRounding(b"short")
    with pytest.raises(ValueError, match="negative"):
        RandomRounding(KEY).publish(("t",), -1)


def test_the_key_is_made_once_with_mode_0600_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "rounding-hmac.key"
    with pytest.raises(RoundingKeyError):
        load_rounding(path, create=False)
    first = load_rounding(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_bytes()) == 32
    again = load_rounding(path)
    cells = [("t", n) for n in range(100)]
    assert [first.publish(c, 3) for c in cells] == [again.publish(c, 3) for c in cells]


def test_a_key_file_of_the_wrong_length_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rounding-hmac.key"
    path.write_bytes(b"not a key")
    with pytest.raises(RoundingKeyError, match="32 bytes"):
        load_rounding(path)
