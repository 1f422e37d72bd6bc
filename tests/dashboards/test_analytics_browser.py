"""The analytics page in headless Chromium (Debian's, driven by Playwright), every request to
another origin blocked: the model cards of a registry holding real trained models (a routing
model trained at a tiny scale, a tiny water model) and of an empty one, in Korean and English,
with no console error and no serious or critical axe-core violation; a pending alarm approved
and a pending routing rejected to another department through the page, each decision in the
log; the prediction sections of a scored city (hotspot hexagons drawn by deck.gl from our
origin, the river's stations, outbreak alarms) in both languages. Screenshots go to
var/screenshots/dashboards/ (git-ignored)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from ml import review, routing
from ml.registry import MODELS, Registry
from ml.review import MODEL_OF, ReviewKind
from tests.dashboards.predictions_city import City
from tests.dashboards.test_analytics_predictions_page import city_app
from tests.e2e.browser import chromium
from tests.e2e.conftest import serving
from tests.e2e.test_dashboards_browser import (
    Watch,
    axe_violations,
    choose_language,
    open_context,
    settled,
    sign_in,
)
from tests.helpers import graphql
from tests.ml.test_registry import tiny_model

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "dashboards"
GU = "11710"
"""Songpa-gu: no other test proposes reviews there."""
ROUTING_SCALE = 0.002
"""2,400 training complaints: a real routing model in a few seconds."""
REVIEW = """
query ($id: ID!) { review(id: $id) { status note correctedDepartment
  decisionEntry { kind } } }
"""


@pytest.fixture(scope="module")
async def trained(
    settings: Settings, stores: Stores, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Any, dict[str, str]]]:
    """An app over the session's city whose registry serves a routing model trained at
    ROUTING_SCALE and a tiny water model; with each model's serving version."""
    root = tmp_path_factory.mktemp("ml-browser")
    registry = Registry(root)
    versions = {}
    for model in (routing.train(scale=ROUTING_SCALE, seed=3), tiny_model("water")):
        stored = registry.add(model)
        registry.promote(stored.name, stored.version)
        versions[stored.name] = stored.version
    application = create_app(settings.model_copy(update={"ml_dir": root}), stores)
    async with application.router.lifespan_context(application):
        yield application, versions


@pytest.fixture(scope="module", autouse=True)
def shots_folder() -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def propose(stores: Stores, kind: ReviewKind, version: str, **proposal: Any) -> str:
    proposed = await review.propose(
        stores.records,
        kind=kind,
        model=MODEL_OF[kind],
        model_version=version,
        subject=f"browser-{uuid.uuid4().hex[:10]}",
        proposal=proposal,
        district_code=GU,
        at=datetime.now(UTC) - timedelta(minutes=12),
    )
    return proposed.review.review_id


async def open_analytics(page: Page, server: str, key: str, lang: str) -> None:
    await sign_in(page, server, key)
    await page.goto(f"{server}/dashboard/analytics")
    await settled(page)
    await choose_language(page, lang)


async def shoot(page: Page, name: str) -> list[dict[str, Any]]:
    """A full-page screenshot under SHOTS, and axe's serious or critical violations."""
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    return await axe_violations(page)


async def lines_of(page: Page, selector: str) -> int:
    """How many lines the text of the element `selector` is laid out on."""
    return int(
        await page.evaluate(
            """s => { const r = document.createRange();
              r.selectNodeContents(document.querySelector(s));
              return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }""",
            selector,
        )
    )


async def status_reads(page: Page, text: str) -> str:
    """The status line once it holds `text`, read in the same step that saw it: a live
    re-render between a wait and a second read could replace the element meanwhile."""
    seen = await page.wait_for_function(
        "t => { const s = document.getElementById('analytics-status')?.innerText || '';"
        " return s.includes(t) ? s : null }",
        arg=text,
        timeout=15_000,
    )
    return str(await seen.json_value())


async def test_analytics_page_decides_reviews_in_both_languages(
    browser: Browser, trained: tuple[Any, dict[str, str]], stores: Stores, keys: dict[Tier, str]
) -> None:
    app, versions = trained
    alarm = await propose(stores, ReviewKind.WATER_ALARM, versions["water"], score=0.93)
    routed = await propose(
        stores, ReviewKind.CASE_ROUTING, versions["routing"], department="roads", confidence=0.41
    )
    cells = [
        {"cell": f"250m-{n:03d}", "expected": 0.03 - n * 1e-4, "peak_hour": 18} for n in range(100)
    ]
    patrol = await propose(
        stores,
        ReviewKind.PATROL_ALLOCATION,
        "20261130T090000Z-0123abcd",
        day="2026-11-30",
        district_code=GU,
        top_cells=100,
        cells=cells,
    )
    found: dict[str, list[dict[str, Any]]] = {}
    async with serving(app) as server:
        context, page, watch = await open_context(browser, server)
        try:
            # given an analyst on the page drilled into Songpa-gu, in Korean
            await open_analytics(page, server, keys[Tier.ANALYST], "ko")
            await page.locator("#gu-select").select_option(GU)
            await page.locator(f"#review-{routed}").wait_for(timeout=30_000)
            await settled(page)
            # then both cards show their version and the routing proposal is in Korean words
            for name, version in versions.items():
                assert version in await page.locator(f"#model-{name}").inner_text()
            row = await page.locator(f"#review-{routed}").inner_text()
            assert "부서: 도로관리과 (신뢰도 41.0 %)" in row
            assert "12분" in row
            # and a patrol allocation of 100 cells is a short row whose kind wraps by word
            allocation = page.locator(f"#review-{patrol}")
            assert "상위 칸 100개" in await allocation.inner_text()
            assert (await allocation.bounding_box() or {"height": 0})["height"] < 400
            assert await allocation.locator(".review-kind").inner_text() == "순찰 배치"
            assert await lines_of(page, f"#review-{patrol} .review-kind") <= 2
            found["trained-ko"] = await shoot(page, "analytics-trained-ko")
            await choose_language(page, "en")
            await page.locator(f"#review-{routed}").wait_for()
            assert "✗ missed" in await page.locator("#model-routing").inner_text()
            assert await lines_of(page, f"#review-{patrol} .review-kind") <= 2
            found["trained-en"] = await shoot(page, "analytics-trained-en")

            # when a note is typed and a live update re-renders the page, the note and focus stay
            note = page.locator(f"#analytics-note-{alarm}")
            await note.fill("Sample confirms it")
            await rerender(page)
            assert await note.input_value() == "Sample confirms it"
            focused = await page.evaluate("() => document.activeElement.id")
            assert focused == f"analytics-note-{alarm}"
            # when the analyst approves the alarm
            await page.get_by_role("button", name=f"Approve {alarm}").click()
            said = await status_reads(page, "approved")
            # then the page says so with its log leaf and the row leaves the queue
            assert said.startswith(f"{alarm} approved. (log leaf #")
            await page.locator(f"#review-{alarm}").wait_for(state="detached")
            # and says it still after a live re-render (its own leaf is a log event)
            await rerender(page)
            assert await status_reads(page, "approved") == said

            # when the routing is rejected with no department chosen, the refusal is in words
            await page.get_by_role("button", name=f"Reject {routed}").click()
            said = await status_reads(page, "not recorded")
            assert "needs a department other than the one proposed" in said, said
            # when a department is chosen (its name in the reader's language) and it is rejected
            department = page.get_by_label(f"Department instead, for {routed}")
            await department.select_option(label="Parks and Green Space Bureau")
            await page.locator(f"#analytics-note-{routed}").fill("A fallen tree")
            await page.get_by_role("button", name=f"Reject {routed}").click()
            said = await status_reads(page, "rejected")
            await page.locator(f"#review-{routed}").wait_for(state="detached")
            found["decided-en"] = await shoot(page, "analytics-decided-en")
        finally:
            await context.close()
        api = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
        approved = await graphql(api, REVIEW, {"id": alarm}, key=keys[Tier.ANALYST])
        rejected = await graphql(api, REVIEW, {"id": routed}, key=keys[Tier.ANALYST])
    # then the log holds both decisions, with the note and the correction
    assert approved["data"]["review"] == {  # type: ignore[index]
        "status": "APPROVED",
        "note": "Sample confirms it",
        "correctedDepartment": None,
        "decisionEntry": {"kind": "review.approved"},
    }
    assert rejected["data"]["review"] == {  # type: ignore[index]
        "status": "REJECTED",
        "note": "A fallen tree",
        "correctedDepartment": "parks",
        "decisionEntry": {"kind": "review.rejected"},
    }
    assert {name: v for name, v in found.items() if v} == {}
    assert_clean(watch)


async def test_analytics_page_without_models_in_both_languages(
    browser: Browser, app: Any, keys: dict[Tier, str]
) -> None:
    # given the session's app, whose registry is empty
    found: dict[str, list[dict[str, Any]]] = {}
    async with serving(app) as server:
        context, page, watch = await open_context(browser, server)
        try:
            await open_analytics(page, server, keys[Tier.ANALYST], "ko")
            for lang in ("ko", "en"):
                await choose_language(page, lang)
                # then every model says how to train it
                cards = page.locator(".model-card[data-trained=false]")
                assert await cards.count() == len(MODELS)
                text = await page.locator("#panel-models").inner_text()
                for name in MODELS:
                    assert f"civicgraph ml train {name}" in text
                found[lang] = await shoot(page, f"analytics-untrained-{lang}")
            nav = await page.locator("#nav-analytics").inner_text()
        finally:
            await context.close()
    assert nav == "Analytics"
    assert {name: v for name, v in found.items() if v} == {}
    assert_clean(watch)


@pytest.fixture(scope="module")
async def scored(
    settings: Settings, stores: Stores, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Any, City]]:
    folder = tmp_path_factory.mktemp("scored-browser")
    async for pair in city_app(settings, stores, folder, scored=True):
        yield pair


async def test_analytics_page_shows_predictions_in_both_languages(
    browser: Browser, scored: tuple[Any, City]
) -> None:
    app, city = scored
    found: dict[str, list[dict[str, Any]]] = {}
    async with serving(app) as server:
        context, page, watch = await open_context(browser, server)
        try:
            await open_analytics(page, server, city.keys[Tier.ANALYST], "ko")
            for lang in ("ko", "en"):
                await choose_language(page, lang)
                # then deck.gl draws the hotspots (from our origin: others are blocked)
                canvas = page.locator("#hotspot-canvas[data-drawn=true] canvas[role=img]")
                await canvas.wait_for(timeout=30_000)
                named = await canvas.get_attribute("aria-label")
                assert named == (
                    "사건 다발 지점 위험 지도" if lang == "ko" else "Map of hotspot risk"
                )
                await page.locator("#graph-water-history .main-svg").first.wait_for()
                await page.locator("#graph-outbreak-by-gu .main-svg").first.wait_for()
                alarms = await page.locator("#outbreak-alarms").inner_text()
                assert city.outbreak_review in alarms
                await settled(page)
                found[lang] = await shoot(page, f"analytics-predictions-{lang}")
            # a review link scrolls the queue's row into view
            await page.get_by_role("link", name=f"Review {city.outbreak_review}").click()
            await page.locator(f"#review-{city.outbreak_review}").wait_for(timeout=30_000)
            await settled(page)
            assert await page.locator(f"#review-{city.outbreak_review}").is_visible()
        finally:
            await context.close()
    assert {name: v for name, v in found.items() if v} == {}
    assert_clean(watch)


async def rerender(page: Page) -> None:
    """What a live message does: the router renders the page again; waits for the render."""

    def renders_page(response: Any) -> bool:
        body = response.request.post_data or ""
        return "/_dash-update-component" in response.url and "page.children" in body

    async with page.expect_response(renders_page, timeout=15_000):
        await page.evaluate(
            "() => window.dash_clientside.set_props('live',"
            " {data: {topics: {'*': []}, at: Date.now()}})"
        )
    await settled(page)


def assert_clean(watch: Watch) -> None:
    assert watch.errors == []
    assert watch.blocked == []
