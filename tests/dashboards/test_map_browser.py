"""The map page in headless Chromium with every request to another origin blocked: deck.gl comes
from our own origin, only the map page loads it, the canvas draws, and a click on a gu drills in.

A real uvicorn serves the test app on a free loopback port; Playwright drives Debian's chromium
(never a downloaded browser), with WebGL on its software renderer.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.async_api import Page, Route

from graph.records.api_keys import Tier
from tests.e2e.browser import chromium, collect_errors
from tests.e2e.conftest import serving

pytestmark = pytest.mark.browser

DRAWN = "#map-canvas[data-drawn=true]"
VENDOR = "/dashboard/vendor/deck.gl.min.js"


@pytest.fixture
async def server(app: object) -> AsyncIterator[str]:
    async with serving(app) as url:
        yield url


async def sign_in(page: Page, server: str, key: str) -> None:
    await page.goto(f"{server}/dashboard/signin", wait_until="load")
    await page.fill("#signin-key", key)
    await page.click("form button[type=submit]")
    await page.wait_for_load_state("networkidle")


async def open_map_in_english(page: Page, server: str) -> None:
    """Opens the map page, switches it to English and waits for deck.gl's first draw."""
    await page.goto(f"{server}/dashboard/map", wait_until="load")
    await page.click("#lang-en")
    await page.wait_for_selector(DRAWN, state="attached", timeout=30_000)


def colours_in(png: bytes) -> int:
    """How many distinct colours a screenshot holds (a blank canvas has one)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return len(image.getcolors(maxcolors=1 << 24) or [])


async def pick(page: Page, x: float, y: float) -> Any:
    """What map.js says a click at canvas pixel (x, y) would find: `{top, gu}` or None."""
    return await page.evaluate("([x, y]) => window.dash_clientside.civicMap.pick(x, y)", [x, y])


async def spot_under(page: Page, top: str) -> tuple[float, float, str | None]:
    """A page position where the topmost object on the map is of kind `top` ("point",
    "cases", "gu", "dong"), away from the canvas' edges, with the gu the map says a click there
    drills into (None: none)."""
    box = await page.locator("#map-canvas canvas").bounding_box()
    assert box is not None
    width, height = box["width"], box["height"]
    for fy in range(20, 81, 2):
        for fx in range(20, 81, 2):
            x, y = width * fx / 100, height * fy / 100
            found = await pick(page, x, y)
            if found and found["top"] == top:
                return box["x"] + x, box["y"] + y, found["gu"]
    raise AssertionError(f"no spot of the map has a {top} on top")


async def picks(page: Page, spots: list[tuple[float, float]]) -> list[Any]:
    """What the map says lies at each canvas position (`pick`)."""
    return [await pick(page, x, y) for x, y in spots]


async def rendered_again(page: Page) -> None:
    """Has the page rendered again as a live update does (assets/live.js: on an event, and
    every 30 s) and waits until Dash has put a new map container in the page."""
    await page.evaluate("() => { document.getElementById('map-canvas').dataset.before = 'yes' }")
    await page.evaluate(
        "() => window.dash_clientside.set_props('live',"
        " {data: {topics: {'*': []}, at: Date.now()}})"
    )
    await page.wait_for_function(
        "() => !!document.getElementById('map-canvas')"
        " && !document.getElementById('map-canvas').dataset.before"
    )


async def click_through(page: Page, top: str) -> None:
    """Clicks the map where an object of kind `top` lies on top, then waits for the header's
    gu selector to hold a gu, the one the map says lies under that spot."""
    x, y, gu = await spot_under(page, top)
    await page.mouse.move(x, y)
    await page.mouse.click(x, y)
    await page.wait_for_function(
        "() => !!document.querySelector('#gu-select')?.value", timeout=10_000
    )
    assert await page.locator("#gu-select").input_value() == gu


async def test_map_draws_offline_and_drills_into_a_gu(
    server: str, keys: dict[Tier, str], tmp_path: Path
) -> None:
    blocked: list[str] = []
    vendor_loads: list[str] = []
    errors: list[str] = []

    async def only_our_origin(route: Route) -> None:
        url = route.request.url
        if url.startswith(server):
            if url.startswith(server + VENDOR):
                vendor_loads.append(url)
            await route.continue_()
        else:
            blocked.append(url)
            await route.abort()

    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        collect_errors(page, errors)
        await page.route("**/*", only_our_origin)
        await sign_in(page, server, keys[Tier.ANALYST])
        # given the overview: it never loads deck.gl
        await page.goto(f"{server}/dashboard/", wait_until="networkidle")
        assert vendor_loads == []
        # when the map page opens in English
        await open_map_in_english(page, server)
        canvas = page.locator("#map-canvas canvas")
        await page.wait_for_function(
            "() => (document.querySelector('#map-canvas canvas')"
            " || {getAttribute: () => ''}).getAttribute('aria-label')"
            ".startsWith('Map of Seoul')",
            timeout=15_000,
        )
        await page.wait_for_timeout(500)
        shot = await canvas.screenshot()
        (tmp_path / "map.png").write_bytes(shot)
        # then deck.gl came from our origin and drew our polygons
        assert vendor_loads, "deck.gl was not loaded from /dashboard/vendor/"
        assert colours_in(shot) > 20
        assert await canvas.get_attribute("role") == "img"
        assert "Open cases" in (await canvas.get_attribute("aria-label") or "")
        # when another measure is chosen, its legend shows and the canvas says which
        await page.locator("#map-measure-select").select_option("population")
        await page.wait_for_function(
            "() => (document.querySelector('#map-canvas canvas')"
            "?.getAttribute('aria-label') || '').includes('Population')"
        )
        # when a gu is clicked where a sensor or asset point lies on top of it, the click still
        # drills into the gu under the point: the gu selector takes it and the map shows its dong
        await click_through(page, "point")
        chosen = await page.locator("#gu-select option:checked").inner_text()
        assert chosen.strip() not in ("", "All of Seoul")
        await page.wait_for_selector(DRAWN, state="attached")
        await page.get_by_text("Dong of the gu").first.wait_for()
        (tmp_path / "map-drilled.png").write_bytes(await page.screenshot())
    assert blocked == []
    assert errors == []


async def test_a_live_render_keeps_the_maps_canvas_view_tables_and_focus(
    server: str, keys: dict[Tier, str]
) -> None:
    errors: list[str] = []
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        collect_errors(page, errors)
        await sign_in(page, server, keys[Tier.ANALYST])
        await open_map_in_english(page, server)
        box = await page.locator("#map-canvas canvas").bounding_box()
        assert box is not None
        spots = [(box["width"] * f / 100, box["height"] * f / 100) for f in (25, 40, 50, 60, 75)]
        fitted = await picks(page, spots)
        # given a reader who has dragged the map to another part of the city
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        await page.mouse.move(x, y)
        await page.mouse.down()
        await page.mouse.move(x - 250, y - 120, steps=10)
        await page.mouse.up()
        dragged = await picks(page, spots)
        assert dragged != fitted
        await page.evaluate(
            "() => { document.querySelector('#map-canvas canvas').dataset.kept = 'yes' }"
        )
        # and who closed the table alternative (open by default) and is on the measure selector
        table = page.locator(".map-panel details.table-alternative").first
        await table.locator("summary").click()
        await page.wait_for_function(
            "() => !document.querySelector('.map-panel details.table-alternative').open"
        )
        await page.focus("#map-measure-select")
        # when a live update renders the page again (Dash builds a new map container)
        await rendered_again(page)
        # then the table is still closed and the focus is on the new page's measure selector
        assert await table.get_attribute("open") is None
        assert await page.evaluate("() => document.activeElement.id") == "map-measure-select"
        # and the canvas moved into it is the one drawn before, showing what the reader left
        kept = await page.evaluate(
            "() => [...document.querySelectorAll('#map-canvas canvas')].map(c => c.dataset.kept)"
        )
        assert kept == ["yes"]
        await page.wait_for_selector(DRAWN, state="attached")
        assert await picks(page, spots) == dragged
        # when the reader is on the map's canvas (keyboard panning), the canvas keeps the focus
        await page.focus("#map-canvas canvas")
        await rendered_again(page)
        assert await page.evaluate(
            "() => document.activeElement === document.querySelector('#map-canvas canvas')"
        )
        # when the reader leaves the selector by clicking the header's title (text that takes no
        # focus), the next render does not take the focus back to it
        await page.focus("#map-measure-select")
        await page.locator("#app-title").click()
        assert await page.evaluate("() => document.activeElement === document.body")
        await rendered_again(page)
        assert await page.evaluate("() => document.activeElement === document.body")
    assert errors == []
