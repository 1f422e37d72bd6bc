"""The analytics page's prediction sections through the real app in process, in Korean and
English: hotspots (spec, date, version, top cells), water stations upstream to downstream with
their alarm's moved measures and 48-hour histories, outbreak alarms with their review; what to
run when no model is trained or nothing is scored; the queue filtered by kind; the page's live
topics."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from dashboards.app import PAGES
from graph.records.api_keys import Tier
from ml.registry import Registry
from tests.dashboards.callbacks import call
from tests.dashboards.predictions_city import City, open_city
from tests.dashboards.test_door import sign_in
from tests.ml.test_registry import tiny_model


def callbacks(app: Any) -> dict[str, dict[str, Any]]:
    return app.state.dashboards.dash.callback_map  # type: ignore[no-any-return]


async def page(app: Any, key: str, lang: str, gu: str | None = None, search: str = "") -> str:
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://civicgraph.test"
    )
    assert (await sign_in(client, key)).status_code == 303
    values = {
        "url.pathname": "/dashboard/analytics",
        "url.search": search,
        "lang.data": lang,
        "gu.data": gu,
    }
    answer = await call(client, callbacks(app), "page.children", values)
    assert answer.status_code == 200, answer.text
    return answer.text


async def city_app(
    settings: Settings, stores: Stores, folder: Path, *, scored: bool, trained: bool = False
) -> AsyncIterator[tuple[Any, City]]:
    city = await open_city(stores, folder, scored=scored)
    registry = Registry(folder / "ml")
    if trained:
        stored = registry.add(tiny_model("water"))
        registry.promote("water", stored.version)
    application = create_app(
        settings.model_copy(update={"ml_dir": folder / "ml", "data_dir": folder}), city.stores
    )
    try:
        async with application.router.lifespan_context(application):
            yield application, city
    finally:
        await city.stores.records.close()


@pytest.fixture(scope="module")
async def scored(
    settings: Settings, stores: Stores, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Any, City]]:
    async for pair in city_app(settings, stores, tmp_path_factory.mktemp("scored"), scored=True):
        yield pair


def found_by_id(text: str, wanted: str) -> list[dict[str, Any]]:
    """The props of every component with id `wanted` in a render's JSON."""
    found: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("id") == wanted:
                found.append(value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(text))
    return found


def selected(text: str, select_id: str) -> str:
    """The value of the selected option of the native select `select_id`."""
    (props,) = found_by_id(text, select_id)
    options = [o["props"] for o in props["children"]]
    return next(str(o["value"]) for o in options if o.get("selected"))


def spec_of(text: str) -> dict[str, Any]:
    """The hotspot map's deck.gl spec in a page render's JSON."""
    found: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("id") == "hotspot-spec":
                found.append(value["data"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(text))
    assert len(found) == 1
    return found[0]


async def test_hotspots_are_hexagons_with_their_day_version_and_top_cells(
    scored: tuple[Any, City],
) -> None:
    app, city = scored
    english = await page(app, city.keys[Tier.ANALYST], "en")
    korean = await page(app, city.keys[Tier.ANALYST], "ko")
    # then the map holds every cell read, weighted by expected incidents, the top cells ringed
    spec = spec_of(english)
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert layers["hotspots"]["@@type"] == "PolygonLayer"
    hexagons = layers["hotspots"]["data"]
    assert sum(h["cells"] for h in hexagons) == 60
    assert round(sum(h["sum"] for h in hexagons), 3) == round(
        sum(4.0 - i * 0.12 - extra for i in range(30) for extra in (0.0, 0.5)), 3
    )
    assert len(layers["top"]["data"]) == 6
    assert "mapStyle" not in spec or not spec["mapStyle"]
    # and the day in the reader's locale, the version, the top cells' table and the rules
    assert "1 Dec 2026" in english
    assert "2026. 12. 1." in korean
    assert "20261130T090000Z-cccc3333" in english
    assert "c-11680-00" in english
    assert "Gangnam-gu" in english
    assert "4.00" in english
    assert "20:00–21:00" in english
    assert "never people, and no patrol changes before an analyst approves it" in english
    assert "kind=PATROL_ALLOCATION#panel-queue" in english
    assert "사람에 대한 예측이 아니며" in korean


async def test_hotspots_follow_the_gu(scored: tuple[Any, City]) -> None:
    app, city = scored
    songpa = await page(app, city.keys[Tier.ANALYST], "en", gu="11710")
    assert sum(h["cells"] for h in spec_of(songpa)["layers"][1]["data"]) == 30
    assert "c-11680-00" not in songpa
    assert "c-11710-00" in songpa


async def test_water_stations_run_upstream_to_downstream_with_moved_measures(
    scored: tuple[Any, City],
) -> None:
    app, city = scored
    english = await page(app, city.keys[Tier.ANALYST], "en")
    korean = await page(app, city.keys[Tier.ANALYST], "ko")
    alarmed = city.stations[1]
    assert "graph-water-strip" in english
    assert "graph-water-history" in english
    assert "Dissolved oxygen −3.2 σ; Turbidity +2.8 σ" in english
    assert "용존산소 −3.2 σ; 탁도 +2.8 σ" in korean
    assert "⚠ alarm" in english
    assert "⚠ 경보" in korean
    # every station's 48 hours are drawn, one line each
    body = json.loads(english)
    text = json.dumps(body, ensure_ascii=False)
    assert text.count('"mode": "lines"') == len(city.stations)
    assert alarmed in text
    assert "20261130T090000Z-aaaa1111" in english


async def test_outbreak_alarms_say_whether_their_review_waits(scored: tuple[Any, City]) -> None:
    app, city = scored
    english = await page(app, city.keys[Tier.ANALYST], "en")
    korean = await page(app, city.keys[Tier.ANALYST], "ko")
    assert "graph-outbreak-by-gu" in english
    assert f"#review-{city.outbreak_review}" in english
    assert f"Review {city.outbreak_review}" in english
    assert "waiting for review" in english
    assert "검토 대기 중" in korean
    # Jongno-gu's alarm has no pending review
    assert "no pending review (decided, or not proposed)" in english
    assert "influenza-like illness" in english
    assert "인플루엔자 의사 증상" in korean
    assert "0.93" in english


async def test_queue_filters_by_kind(scored: tuple[Any, City]) -> None:
    app, city = scored
    all_kinds = await page(app, city.keys[Tier.ANALYST], "en")
    routings = await page(app, city.keys[Tier.ANALYST], "en", search="?kind=CASE_ROUTING")
    outbreaks = await page(app, city.keys[Tier.ANALYST], "en", search="?kind=OUTBREAK_ALARM")
    row = f'"id":"review-{city.outbreak_review}"'  # the queue's row (links hold "#review-")
    assert row in all_kinds.replace(" ", "")
    assert row in outbreaks.replace(" ", "")
    assert row not in routings.replace(" ", "")
    assert selected(outbreaks, "queue-kind-select") == "OUTBREAK_ALARM"
    assert selected(all_kinds, "queue-kind-select") == ""


@pytest.mark.parametrize("trained", [False, True], ids=["untrained", "unscored"])
async def test_sections_say_how_to_get_predictions(
    settings: Settings, stores: Stores, tmp_path: Path, trained: bool
) -> None:
    async for app, city in city_app(settings, stores, tmp_path, scored=False, trained=trained):
        english = await page(app, city.keys[Tier.ANALYST], "en")
        korean = await page(app, city.keys[Tier.ANALYST], "ko")
    assert english.count("civicgraph ml score") == 3
    assert korean.count("civicgraph ml score") == 3
    assert "civicgraph ml train hotspots" in english
    if trained:  # the water model serves: score it; the others: train, then score
        assert "The Water-quality anomaly detection model is trained but has not scored" in english
        assert "수질 이상 탐지 모델은(는) 학습되었지만" in korean
    else:
        assert "is trained but" not in english
        assert "The Outbreak early warning model is not trained yet." in english
        assert "감염병 조기 경보 모델은(는) 아직 학습 전입니다." in korean
    assert "hotspot-spec" not in english


async def test_a_refused_source_is_said_in_words(
    scored: tuple[Any, City], keys: dict[Tier, str]
) -> None:
    # given a developer key calling the page's render by hand (the page itself is refused)
    from dashboards.pages import analytics_predictions as sections
    from dashboards.sources import Answer

    refused = Answer(None, [{"message": "no", "extensions": {"code": "forbidden"}}])
    out = sections.water(refused, None, {}, "ko")
    assert "이 등급의 키로는 볼 수 없습니다" in repr(out)
    out = sections.outbreaks(refused, None, {}, None, "en")
    assert "your key's tier may not see it (forbidden)" in repr(out)


def test_the_page_rerenders_on_anomalies_and_log() -> None:
    assert PAGES["analytics"].topics == frozenset({"log", "anomalies"})
