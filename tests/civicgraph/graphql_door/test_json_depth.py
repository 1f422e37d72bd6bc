"""The JSON nesting depth read from bytes equals the depth of the parsed value, for any JSON."""

from __future__ import annotations

import json

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicgraph.graphql_door.body import JsonInvalid, decode_json, nesting_depth

TRICKY_TEXT = st.text(alphabet='[]{}"\\\\ab\\n', max_size=12)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(TRICKY_TEXT, children, max_size=4)
    ),
    max_leaves=30,
)


def walked_depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max((walked_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((walked_depth(v) for v in value), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.booleans())
def test_the_depth_read_from_bytes_is_the_depth_of_the_value(value: object, spaced: bool) -> None:
    text = json.dumps(value, indent=1 if spaced else None).encode()
    assert nesting_depth(text) == walked_depth(value)


def test_a_wide_flat_body_is_measured_without_walking_its_values() -> None:
    # given 1 MiB of empty objects in one list (1.5 s of the loop when walked value by value)
    wide = b'{"x":[' + b",".join([b"{}"] * 349_000) + b"]}"
    # then its depth is read from the bytes, and it decodes
    assert nesting_depth(wide) == 3
    assert len(decode_json(wide, 32)["x"]) == 349_000  # type: ignore[index]


def test_a_deep_body_is_refused_before_it_is_parsed() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(JsonInvalid, match="deeper"):
        decode_json(deep, 32)
    assert orjson.loads(b"[" * 30 + b"]" * 30)  # the limit is ours, not the parser's
