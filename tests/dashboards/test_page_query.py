"""A page's controls set query parameters (dashboards/app.py): the address carries the reader's
choice, so a live re-render and a shared link keep it."""

from __future__ import annotations

from typing import Any

import pytest

from dashboards.app import controls, query_of, search_with
from dashboards.pages import PARAM, param_id


def test_query_of_takes_the_first_value_of_each_parameter() -> None:
    assert query_of("?type=NOISE&bucket=10&type=PM25") == {"type": "NOISE", "bucket": "10"}
    assert query_of("") == {}
    assert query_of(None) == {}


def test_search_with_sets_replaces_and_removes() -> None:
    assert search_with("?type=PM25&sensor=a", {"type": "NOISE", "sensor": None}) == "?type=NOISE"
    assert search_with("", {"bucket": 10}) == "?bucket=10"
    assert search_with("?type=PM25", {"type": ""}) == ""
    # values are quoted, so a value cannot add a parameter of its own
    assert query_of(search_with(None, {"sensor": "a&type=X"})) == {"sensor": "a&type=X"}


def test_param_id_names_the_parameter() -> None:
    assert param_id("sensor") == {"type": PARAM, "name": "sensor"}


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([{"id": param_id("type"), "property": "value", "value": "NOISE"}], {"type": "NOISE"}),
        ([{"id": param_id("bucket"), "value": None}], {"bucket": None}),
        ([{"id": param_id("type"), "value": {"a": 1}}], {}),
        ([{"id": "type", "value": "x"}], {}),
        ([{"id": {"type": PARAM}, "value": "x"}], {}),
        (["type"], {}),
        ({"id": param_id("type"), "value": "x"}, {}),
        (None, {}),
    ],
    ids=[
        "value",
        "cleared",
        "object-value",
        "string-id",
        "no-name",
        "not-an-item",
        "not-a-list",
        "none",
    ],
)
def test_controls_take_only_what_dash_sends(items: Any, expected: dict[str, Any]) -> None:
    assert controls(items) == expected
