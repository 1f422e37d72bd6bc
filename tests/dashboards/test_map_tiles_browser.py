"""The map with a tile service set (`CIVIC_DASHBOARD_TILE_URL`) in headless Chromium: the tiles,
served here by a stand-in for the tile host, are the only requests to another origin, they are
drawn under our polygons, and the attribution shows on the map. (Without a tile service,
tests/dashboards/test_map_browser.py blocks every other origin.)"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Route

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from tests.dashboards.test_map_browser import open_map_in_english, sign_in
from tests.e2e.browser import chromium, collect_errors, need_chromium
from tests.e2e.conftest import serving

pytestmark = pytest.mark.browser

TILE_HOST = "https://tiles.civicgraph.test"
CREDIT = "© Test Tiles contributors"
MAGENTA = (255, 0, 255)
"""The stand-in tiles' colour: no colour of the dashboards' palette."""


def magenta_tile() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), MAGENTA).save(out, format="PNG")
    return out.getvalue()


def magenta_pixels(png: bytes) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(
        n
        for n, (r, g, b) in image.getcolors(maxcolors=1 << 24) or []
        if r > 240 and g < 15 and b > 240
    )


async def test_a_tile_service_draws_under_the_polygons_with_its_attribution(
    settings: Settings, stores: Stores, keys: dict[Tier, str], tmp_path: Path
) -> None:
    need_chromium()
    tiled = settings.model_copy(
        update={
            "dashboard_tile_url": TILE_HOST + "/{z}/{x}/{y}.png",
            "dashboard_tile_attribution": CREDIT,
        }
    )
    app = create_app(tiled, stores)
    tile = magenta_tile()
    tiles: list[str] = []
    elsewhere: list[str] = []
    errors: list[str] = []

    async with app.router.lifespan_context(app), serving(app) as server:

        async def route(request: Route) -> None:
            url = request.request.url
            if url.startswith(server):
                await request.continue_()
            elif url.startswith(TILE_HOST + "/"):
                tiles.append(url)
                headers = {"access-control-allow-origin": "*"}
                await request.fulfill(
                    status=200, body=tile, content_type="image/png", headers=headers
                )
            else:
                elsewhere.append(url)
                await request.abort()

        async with chromium() as browser:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            collect_errors(page, errors)
            await page.route("**/*", route)
            await sign_in(page, server, keys[Tier.ANALYST])
            await page.goto(f"{server}/dashboard/", wait_until="networkidle")
            assert tiles == []  # no other page asks for tiles
            await open_map_in_english(page, server)
            for _ in range(100):  # the tiles are asked for once deck.gl has drawn
                if tiles:
                    break
                await page.wait_for_timeout(100)
            await page.wait_for_timeout(1_500)
            canvas = page.locator("#map-canvas canvas")
            shot = await canvas.screenshot()
            (tmp_path / "map-tiles.png").write_bytes(shot)
            attribution = page.locator("#map-canvas .map-attribution")
            assert await attribution.is_visible()
            assert await attribution.inner_text() == f"Base map: {CREDIT}"
    assert tiles, "no tile was asked for"
    assert all(re.fullmatch(re.escape(TILE_HOST) + r"/\d+/\d+/\d+\.png", t) for t in tiles)
    assert elsewhere == []
    assert magenta_pixels(shot) > 1_000, "the tiles were not drawn"
    assert errors == []
