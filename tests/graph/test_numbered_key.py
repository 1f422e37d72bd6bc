"""A resident's id shown as text and stored as its number: the same ids, in the same order."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from graph.errors import InvalidKey
from graph.numbered_key import NO_NODE, NUMBERS, NumberedKey

KEY = NumberedKey("cz-")
EDGES = [0, 1, 15, 16, 255, NUMBERS // 2, NUMBERS - 2, NUMBERS - 1]
_DRAW = random.Random(7)
NUMBERS_SEEN = sorted({*EDGES, *(_DRAW.randrange(NUMBERS) for _ in range(200))})


def test_an_id_and_its_number_stand_for_each_other_and_sort_alike() -> None:
    ids = [KEY.shown(n) for n in NUMBERS_SEEN]
    assert KEY.shown(0) == "cz-0000000000000000"
    assert KEY.shown(NUMBERS - 1) == "cz-7fffffffffffffff"
    assert [KEY.number(i) for i in ids] == NUMBERS_SEEN
    assert sorted(ids) == ids  # the stored order is the ids' order


@pytest.mark.parametrize(
    "text",
    [
        "cz-8000000000000000",  # 2**63: outside INT64
        "cz-00a1B2c3d4e5f607",  # upper case: not an id this API gives out
        "cz-00a1b2c3d4e5f60",  # a digit short
        "cz-00a1b2c3d4e5f6070",  # a digit more
        "cz-+0a1b2c3d4e5f607",
        "cz- 0a1b2c3d4e5f607",
        "cz-0x1b2c3d4e5f6070",
        "cz-００a1b2c3d4e5f607",  # full-width digits, which int() would read
        "CZ-00a1b2c3d4e5f607",
        "cz-00a1b2c3d4e5f607\n",
        "",
        "cz-nobody",
        7,
        None,
    ],
)
def test_text_that_is_no_id_names_no_resident(text: object) -> None:
    with pytest.raises(InvalidKey):
        KEY.number(text)
    assert KEY.looked_up(text) == NO_NODE


BOUNDS = [
    "",
    "a",
    "cz",
    "cz-",
    "cz-0",
    "cz-00",
    "cz-0000000000000000",
    "cz-00000000000000000",
    "cz-000000000000000g",
    "cz-7fffffffffffffff",
    "cz-7fffffffffffffff0",
    "cz-8",
    "cz-Z",
    "cz-~",
    "cz-\uac00",
    "da",
    *(KEY.shown(n) for n in NUMBERS_SEEN[::20]),
    *(KEY.shown(n)[:-3] for n in NUMBERS_SEEN[::25]),
    *(KEY.shown(n) + "!" for n in NUMBERS_SEEN[::30]),
]


@pytest.mark.parametrize("text", BOUNDS)
def test_a_text_bound_takes_the_ids_the_text_would(text: str) -> None:
    """`after`/`before` as numbers select the ids that compare after/before the text."""
    after, before = KEY.at_most(text), KEY.below(text)
    assert [n for n in NUMBERS_SEEN if n > after] == [
        n for n in NUMBERS_SEEN if KEY.shown(n) > text
    ]
    assert [n for n in NUMBERS_SEEN if n <= before] == [
        n for n in NUMBERS_SEEN if KEY.shown(n) < text
    ]


def test_a_bulk_load_column_becomes_numbers_or_is_refused() -> None:
    ids = [KEY.shown(n) for n in EDGES]
    assert KEY.column(pa.array(ids)).to_pylist() == EDGES
    assert KEY.column(pa.chunked_array([pa.array(EDGES, pa.uint64())])).to_pylist() == EDGES
    for bad in (
        pa.array([*ids, "cz-nobody"]),
        pa.array([1, -1]),
        pa.array([NUMBERS], pa.uint64()),
        pa.array([1, None], pa.int64()),
        pa.array([ids[0], None]),
    ):
        with pytest.raises(InvalidKey):
            KEY.column(bad)
