"""graph.storable_text: what no store here can hold, and where in a JSON tree it is."""

from __future__ import annotations

import pytest

from graph.storable_text import NUL, SURROGATE, storable, unstorable, unstorable_in


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("서울 noise\t\n", None),
        ("\x01\x1b[31m", None),  # other controls are text the stores hold
        ("a\x00b", NUL),
        ("\ud800", SURROGATE),
        ("a\udc00\x00", NUL),
        ("\U0001f600", None),
    ],
)
def test_unstorable_names_nul_and_lone_surrogates(text: str, why: str | None) -> None:
    assert unstorable(text) == why


def test_storable_needs_every_argument_to_be_storable_text() -> None:
    assert storable("a", "b")
    assert storable()
    assert not storable("a", "b\x00")
    assert not storable("a", None)
    assert not storable(3)


def test_unstorable_in_finds_values_and_keys_at_any_depth() -> None:
    assert unstorable_in({"input": {"notes": ["fine", "x\x00"]}}) == ("input.notes[1]", NUL)
    assert unstorable_in({"input": {"\ud800": 1}}) == ("input.?", SURROGATE)
    assert unstorable_in("\x00") == ("value", NUL)
    assert unstorable_in({"a": [1, 2.5, None, True, {"b": "c"}]}) is None
    deep: object = "\x00"
    for _ in range(5_000):
        deep = [deep]
    assert unstorable_in(deep) == ("[0]" * 5_000, NUL)
