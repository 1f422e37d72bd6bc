"""The sensors and cases pages through the real app in process: rendered at the viewer's tier
from the seeded stores, any query string falls back to defaults, and the review queue's
decision callback refuses anyone below the analyst tier."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from graph.records.api_keys import Tier
from tests.dashboards.callbacks import CALLBACK, call
from tests.dashboards.test_door import sign_in


def callbacks(app: Any) -> dict[str, dict[str, Any]]:
    return app.state.dashboards.dash.callback_map  # type: ignore[no-any-return]


async def page(client: httpx.AsyncClient, app: Any, path: str, **values: Any) -> str:
    path_, _, search = path.partition("?")
    inputs = {"url.pathname": path_, "url.search": "?" + search if search else "", **values}
    answer = await call(client, callbacks(app), "page.children", {"lang.data": "en"} | inputs)
    assert answer.status_code == 200, answer.text
    return answer.text


def decision_request(review: str = "r1", decision: str = "approve") -> dict[str, Any]:
    """What Dash's renderer sends when a review button is pressed."""
    ident = {"type": "review-decision", "decision": decision, "review": review}
    key = json.dumps(ident, sort_keys=True, separators=(",", ":"))
    return {
        "output": "review-status.children",
        "outputs": {"id": "review-status", "property": "children"},
        "inputs": [[{"id": ident, "property": "n_clicks", "value": 1}]],
        "state": [{"id": "lang", "property": "data", "value": "en"}],
        "changedPropIds": [f"{key}.n_clicks"],
    }


@pytest.fixture
async def analyst(app: Any, keys: dict[Tier, str]) -> Any:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test") as browser:
        assert (await sign_in(browser, keys[Tier.ANALYST])).status_code == 303
        yield browser


async def test_a_review_decision_from_the_public_is_refused(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post(CALLBACK, json=decision_request())
    assert answer.status_code == 200, answer.text
    assert "Only analysts and operators may approve or reject." in answer.text


async def test_an_analyst_decision_finds_nothing_awaiting_review(
    analyst: httpx.AsyncClient,
) -> None:
    answer = await analyst.post(CALLBACK, json=decision_request(decision="reject"))
    assert answer.status_code == 200, answer.text
    assert "Nothing awaiting review" in answer.text


async def test_the_cases_page_shows_the_breakdowns_and_the_empty_queue(
    analyst: httpx.AsyncClient, app: Any
) -> None:
    text = await page(analyst, app, "/dashboard/cases")
    for panel in ("by-group", "by-status", "by-service", "by-department", "ageing", "cases-by-gu"):
        assert f"panel-{panel}" in text
    assert "Nothing awaiting review: routing models arrive with the analytics models." in text
    assert "review-decision" not in text


async def test_the_sensors_city_view_asks_for_a_gu(analyst: httpx.AsyncClient, app: Any) -> None:
    text = await page(analyst, app, "/dashboard/sensors")
    assert "Choose a gu in the district selector above" in text
    assert "panel-alerts" in text
    assert "param-sensor" not in text


@pytest.mark.parametrize(
    "search",
    ["", "type=NOISE&bucket=10", "type=<script>&bucket=x&sensor=nobody", "type=RADON"],
    ids=["defaults", "chosen", "hostile", "unknown-type"],
)
async def test_the_sensors_gu_view_renders_for_any_query(
    analyst: httpx.AsyncClient, app: Any, search: str
) -> None:
    text = await page(analyst, app, f"/dashboard/sensors?{search}", **{"gu.data": "11680"})
    assert "sensor-drill-down" in text or "This gu has no sensors." in text
    assert "panel-gu-series" in text
    assert "<script>" not in text
    chosen = "NOISE" if "NOISE" in search else "PM25"
    assert selected(json.loads(text), "param-type") == [chosen]
    assert selected(json.loads(text), "param-bucket") == ["10" if "bucket=10" in search else "60"]


def selected(tree: Any, select_id: str) -> list[str]:
    """The values of the selected options of the `<select>` `select_id` in a callback answer."""
    if isinstance(tree, list):
        return [v for item in tree for v in selected(item, select_id)]
    if not isinstance(tree, dict):
        return []
    props = tree.get("props", {})
    if tree.get("type") == "Select" and props.get("id") == select_id:
        options = props.get("children") or []
        return [o["props"]["value"] for o in options if o["props"].get("selected")]
    return [v for value in tree.values() for v in selected(value, select_id)]


async def test_the_pages_refuse_the_public(client: httpx.AsyncClient, app: Any) -> None:
    for path in ("/dashboard/sensors", "/dashboard/cases"):
        assert "signin-key" in await page(client, app, path)
