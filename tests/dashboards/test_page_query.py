"""A page's controls set query parameters: the address carries the reader's choice, so a live
re-render and a shared link keep it (dashboards/app.py reads it, assets/params.js writes it)."""

from __future__ import annotations

from pathlib import Path

from dashboards.app import query_of
from dashboards.pages import param


def test_query_of_takes_the_first_value_of_each_parameter() -> None:
    assert query_of("?type=NOISE&bucket=10&type=PM25") == {"type": "NOISE", "bucket": "10"}
    assert query_of("?sensor=a%26type%3DX") == {"sensor": "a&type=X"}
    assert query_of("") == {}
    assert query_of(None) == {}


def test_param_marks_the_control_for_the_query_writer() -> None:
    assert param("sensor") == {"data-param": "sensor"}
    script = Path(__file__).parents[2] / "dashboards" / "assets" / "params.js"
    assert 'getAttribute("data-param")' in script.read_text(encoding="utf-8")
