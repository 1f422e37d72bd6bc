"""The sensors and cases pages through the real app in process: rendered at the viewer's tier
from the seeded stores, any query string falls back to defaults, and the cases page counts the
gu's case routings waiting for an analyst from the real review queue."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from ml.review import ReviewKind
from tests.dashboards.callbacks import call
from tests.dashboards.test_door import sign_in
from tests.helpers import graphql
from tests.ml.reviews import pending_review


def callbacks(app: Any) -> dict[str, dict[str, Any]]:
    return app.state.dashboards.dash.callback_map  # type: ignore[no-any-return]


async def page(client: httpx.AsyncClient, app: Any, path: str, **values: Any) -> str:
    path_, _, search = path.partition("?")
    inputs = {"url.pathname": path_, "url.search": "?" + search if search else "", **values}
    answer = await call(client, callbacks(app), "page.children", {"lang.data": "en"} | inputs)
    assert answer.status_code == 200, answer.text
    return answer.text


@pytest.fixture
async def analyst(app: Any, keys: dict[Tier, str]) -> Any:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test") as browser:
        assert (await sign_in(browser, keys[Tier.ANALYST])).status_code == 303
        yield browser


SEONGBUK = "11290"
"""Seongbuk-gu: no other test proposes reviews there."""
DOBONG = "11320"
CASE_IN = """query ($gu: [String!]) { cases(filter: {district: $gu}, first: 1) {
  edges { node { id } } } }"""


async def test_the_cases_page_shows_the_breakdowns_and_the_routings_panel(
    analyst: httpx.AsyncClient, app: Any
) -> None:
    text = await page(analyst, app, "/dashboard/cases")
    for panel in ("by-group", "by-status", "by-service", "by-department", "ageing", "cases-by-gu"):
        assert f"panel-{panel}" in text
    tree = json.loads(text)
    assert found(tree, "routings-title") == ["Case routings waiting for an analyst"]
    hrefs = links(found(tree, "panel-routings"))
    assert hrefs["/dashboard/analytics"] == "Decide them in the analytics page's review queue"
    assert any("CasesRoutingsPending" in href for href in hrefs)  # the source link


async def test_the_routings_panel_counts_the_gus_pending_case_routings(
    analyst: httpx.AsyncClient, app: Any, stores: Stores, keys: dict[Tier, str]
) -> None:
    # (a view's render is shared for a few seconds, dashboards/renders.py: "before" is read by
    # an operator, "after" by an analyst, two views)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://civicgraph.test") as op:
        assert (await sign_in(op, keys[Tier.OPERATOR])).status_code == 303
        # given no routing waiting in Seongbuk-gu, though one waits in Dobong-gu
        await propose(stores, ReviewKind.CASE_ROUTING, f"dobong-{uuid.uuid4()}", DOBONG)
        at_gu = {"gu.data": SEONGBUK}
        assert pending(await page(op, app, "/dashboard/cases", **at_gu)) == "0 waiting"
        # when the routing model's department for one of its cases waits for an analyst, and
        # a water alarm (another kind) waits there too
        cases = await graphql(analyst, CASE_IN, {"gu": [SEONGBUK]}, key=keys[Tier.ANALYST])
        case_id = cases["data"]["cases"]["edges"][0]["node"]["id"]  # type: ignore[index]
        await propose(stores, ReviewKind.CASE_ROUTING, case_id, SEONGBUK)
        await propose(stores, ReviewKind.WATER_ALARM, f"{SEONGBUK}/{uuid.uuid4()}", SEONGBUK)
        # then the gu's page counts the one routing, in both languages, and so does the city's
        assert pending(await page(analyst, app, "/dashboard/cases", **at_gu)) == "1 waiting"
        korean = await page(analyst, app, "/dashboard/cases", **at_gu, **{"lang.data": "ko"})
        assert pending(korean) == "대기 중 1건"
        assert "분석가의 검토를 기다리는 민원 부서 배정" in korean
        city = await page(op, app, "/dashboard/cases")
        assert int(pending(city).removesuffix(" waiting").replace(",", "")) >= 2


async def propose(stores: Stores, kind: ReviewKind, subject: str, gu: str) -> None:
    """A new pending review of `kind` about `subject` in `gu`, as the model would queue it."""
    await pending_review(stores.records, kind, district=gu, subject=subject)


def pending(text: str) -> str:
    """The routings panel's count in a rendered page."""
    (shown,) = found(json.loads(text), "routings-pending")
    return str(shown)


def links(tree: Any) -> dict[str, Any]:
    """href → link text of the links in a callback answer's component tree."""
    if isinstance(tree, list):
        return {h: c for item in tree for h, c in links(item).items()}
    if not isinstance(tree, dict):
        return {}
    props = tree.get("props", {})
    if isinstance(props, dict) and isinstance(props.get("href"), str):
        return {props["href"]: props.get("children")}
    return {h: c for value in tree.values() for h, c in links(value).items()}


def found(tree: Any, component_id: str) -> list[Any]:
    """The children of the components with id `component_id` in a callback answer."""
    if isinstance(tree, list):
        return [c for item in tree for c in found(item, component_id)]
    if not isinstance(tree, dict):
        return []
    props = tree.get("props", {})
    if isinstance(props, dict) and props.get("id") == component_id:
        return [props.get("children")]
    return [c for value in tree.values() for c in found(value, component_id)]


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
