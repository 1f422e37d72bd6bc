"""The map's optional tile service: set by `CIVIC_DASHBOARD_TILE_URL` (checked at start-up),
handed to the dashboards as DashboardOptions, drawn as a TileLayer under our polygons with its
attribution on the map; unset, nothing in the map names another origin. The `node_modules`
setting reaches the vendor route the same way."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dash.development.base_component import Component
from starlette.requests import HTTPConnection

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from dashboards.figures import map as figures
from dashboards.options import DashboardOptions
from dashboards.pages import View
from dashboards.pages import map as page
from dashboards.sources import CURRENT, Answer, Reader
from graph.records.api_keys import Tier
from tests.dashboards.test_map_figures import BANDS, DISTRICTS, MEASURES
from tests.dashboards.test_polls_trust_pages import Answers

OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
CREDIT = "© OpenStreetMap contributors"


@pytest.fixture(autouse=True)
def in_a_request() -> Iterator[None]:
    token = CURRENT.set(HTTPConnection({"type": "http", "headers": []}))
    yield
    CURRENT.reset(token)


def spec_of(tile_url: str | None) -> dict[str, Any]:
    gu_layer = figures.gu_features(DISTRICTS, {}, None, "en")
    return figures.deck_spec(gu_layer, None, [], [], [], None, "en", tile_url)


def test_without_a_tile_service_the_spec_names_no_other_origin() -> None:
    spec = spec_of(None)
    assert "TileLayer" not in [layer["@@type"] for layer in spec["layers"]]
    assert "://" not in json.dumps(spec)
    assert "opacity" not in spec["layers"][0]


def test_a_tile_service_is_a_tile_layer_under_our_polygons() -> None:
    spec = spec_of(OSM)
    tiles, gu = spec["layers"][0], spec["layers"][1]
    assert tiles["@@type"] == "TileLayer"
    assert tiles["data"] == OSM
    assert (tiles["tileSize"], tiles["minZoom"], tiles["maxZoom"]) == (256, 0, 19)
    assert tiles["pickable"] is False
    assert gu["id"] == "gu"
    assert gu["opacity"] == figures.OVER_TILES_OPACITY


def map_answers() -> Answers:
    empty_page = {"totalCount": 0, "pageInfo": {}, "edges": []}
    return Answers(
        {
            "MapDistricts": Answer(DISTRICTS),
            "MapMeasures": Answer(MEASURES),
            "ReadingBands": Answer({"readingBands": BANDS}),
            "MapSensors": Answer({"districts": []}),
            "MapAssets": Answer({"assets": empty_page}),
            "MapCases": Answer({"cases": empty_page}),
        }
    )


def find(node: Any, wanted: str) -> Component | None:
    """The component with id `wanted` in a rendered tree."""
    if isinstance(node, list | tuple):
        return next((f for f in (find(n, wanted) for n in node) if f is not None), None)
    if not isinstance(node, Component):
        return None
    if getattr(node, "id", None) == wanted:
        return node
    return find(getattr(node, "children", None), wanted)


async def render(options: DashboardOptions, lang: str = "en") -> list[Any]:
    view = View(lang, None, Tier.ANALYST, Reader(map_answers()), {}, options)  # type: ignore[arg-type]
    return await page.render(view)


async def test_the_map_page_draws_the_tiles_and_shows_their_attribution() -> None:
    content = await render(DashboardOptions(tile_url=OSM, tile_attribution=CREDIT))
    store, canvas = find(content, "map-spec"), find(content, "map-canvas")
    assert store is not None
    assert canvas is not None
    assert store.data["layers"][0]["data"] == OSM  # type: ignore[attr-defined]
    shown = json.dumps(
        canvas.to_plotly_json(), default=lambda c: c.to_plotly_json(), ensure_ascii=False
    )
    assert f"Base map: {CREDIT}" in shown
    assert "map-attribution" in shown


async def test_the_map_page_without_tiles_has_no_tile_layer_nor_attribution() -> None:
    content = await render(DashboardOptions(tile_attribution=CREDIT))
    store, canvas = find(content, "map-spec"), find(content, "map-canvas")
    assert store is not None
    assert canvas is not None
    assert "://" not in json.dumps(store.data)  # type: ignore[attr-defined]
    shown = json.dumps(
        canvas.to_plotly_json(), default=lambda c: c.to_plotly_json(), ensure_ascii=False
    )
    assert "map-attribution" not in shown
    assert CREDIT not in shown


@pytest.mark.parametrize(
    "url",
    [
        OSM,
        "http://tiles.internal:8080/seoul/{z}/{x}/{y}.png?key=abc",
        "https://tiles.example/{z}/{x}/{-y}/{y}.png",
    ],
)
def test_tile_templates_accepted(url: str) -> None:
    settings = Settings(dashboard_tile_url=url, dashboard_tile_attribution=CREDIT)
    assert settings.dashboard_tile_url == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("tile.openstreetmap.org/{z}/{x}/{y}.png", "http:// or https://"),
        ("ftp://tiles.example/{z}/{x}/{y}.png", "http:// or https://"),
        ("javascript:alert(1)//{z}/{x}/{y}", "http:// or https://"),
        ("https:///{z}/{x}/{y}.png", "http:// or https://"),
        ("https://tiles.example/{z}/{x} /{y}.png", "http:// or https://"),
        ("https://tiles.example/{z}/{x}.png", "missing {y}"),
        ("https://tiles.example/seoul.png", "missing {z}, {x}, {y}"),
        ("https://{s}.tiles.example/{z}/{x}/{y}.png", "only the placeholders"),
        ("https://tiles.example/{z}/{x}/{y}.png}", "only the placeholders"),
    ],
)
def test_a_bad_tile_template_is_a_settings_error(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match="dashboard_tile_url") as refused:
        Settings(dashboard_tile_url=url, dashboard_tile_attribution=CREDIT)
    assert reason in str(refused.value)


def test_tiles_need_their_attribution_and_blank_means_none() -> None:
    with pytest.raises(ValueError, match="CIVIC_DASHBOARD_TILE_ATTRIBUTION"):
        Settings(dashboard_tile_url=OSM)
    with pytest.raises(ValueError, match="CIVIC_DASHBOARD_TILE_ATTRIBUTION"):
        Settings(dashboard_tile_url=OSM, dashboard_tile_attribution="  ")
    assert Settings(dashboard_tile_url="").dashboard_tile_url is None
    assert Settings().dashboard_tile_url is None


async def test_the_server_hands_its_settings_to_the_dashboards(
    settings: Settings, stores: Stores, tmp_path: Path
) -> None:
    # given a tile service and npm packages in a folder of their own
    bundle = tmp_path / "deck.gl" / "dist.min.js"
    bundle.parent.mkdir(parents=True)
    bundle.write_text("/* deck.gl from CIVIC_NODE_MODULES */")
    configured = settings.model_copy(
        update={
            "dashboard_tile_url": OSM,
            "dashboard_tile_attribution": CREDIT,
            "node_modules": tmp_path,
        }
    )
    # when the server is built from them
    app = create_app(configured, stores)
    # then the dashboards have them, and the vendor route serves from that folder
    assert app.state.dashboards.options == DashboardOptions(OSM, CREDIT, tmp_path)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t.test") as http:
            answer = await http.get("/dashboard/vendor/deck.gl.min.js")
    assert answer.status_code == 200
    assert answer.text == "/* deck.gl from CIVIC_NODE_MODULES */"
