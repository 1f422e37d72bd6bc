"""The mayor's dashboards in headless Chromium (Debian's, driven by Playwright), every request
to another origin blocked: every page in Korean and English with no console error and no
serious or critical axe-core violation, screenshots kept under var/screenshots/dashboards/
(git-ignored; docs/dashboards.md shows them), figures updated by push (a reading, a case, a
ballot) without reload, pause, connection loss, the gu drill-down, and the public page."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, Route

from civicgraph.app import create_app
from civicgraph.settings import REPO_ROOT, Settings
from civicgraph.stores import Stores, open_stores
from dashboards.app import PAGES
from dashboards.pages.public import PUBLIC_TILES
from graph.city_day import city_day
from graph.records.api_keys import Tier
from graph.records.api_usage import calls_on, epoch_day
from tests.conftest import (
    TEST_HISTORY_DAYS,
    TEST_SCALE,
    UNLIMITED,
    keys_for,
    seed_for_tests,
)
from tests.contract.test_identity_api import SUITE
from tests.contract.test_polls_api import poll_input
from tests.e2e.browser import chromium
from tests.e2e.conftest import serving
from tests.helpers import resident_id as new_resident_id
from zk.credentials.epochs import Epoch
from zk.credentials.remote import IdentityClient
from zk.polls.ballots import make_ballot
from zk.wallet import Wallet

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
async def city(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Any, Stores]]:
    """A city of its own: these tests publish a reading, file cases and cast ballots at the
    current time, which the session's shared city (seeded up to SEED_UNTIL) must never see."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("dashboards-city"),
        scale=TEST_SCALE,
        history_days=TEST_HISTORY_DAYS,
        simulator=False,
        readings_retention_days=36_500,
        **UNLIMITED,
    )
    opened = await open_stores(settings, migrate=True)
    await seed_for_tests(opened)
    application = create_app(settings, opened)
    try:
        async with application.router.lifespan_context(application):
            yield application, opened
    finally:
        await opened.close()


@pytest.fixture(scope="module")
def app(city: tuple[Any, Stores]) -> Any:
    return city[0]


@pytest.fixture(scope="module")
def stores(city: tuple[Any, Stores]) -> Stores:
    return city[1]


@pytest.fixture(scope="module")
async def keys(stores: Stores) -> dict[Tier, str]:
    return await keys_for(stores)


@pytest.fixture
async def server(app: Any) -> AsyncIterator[str]:
    async with serving(app) as url:
        yield url


AXE = REPO_ROOT / "gateway" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = REPO_ROOT / "var" / "screenshots" / "dashboards"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
STAFF_PAGES = [slug for slug, page in PAGES.items() if page.min_tier is Tier.ANALYST]
SETTLE_MS = 400


@dataclass
class Watch:
    """What one browser context saw: console errors, page errors, requests to other origins,
    live frames and callback requests."""

    origin: str
    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    frames: list[str] = field(default_factory=list)
    callbacks: int = 0
    scripts: list[str] = field(default_factory=list)

    async def route(self, route: Route) -> None:
        if route.request.url.startswith(self.origin):
            await route.continue_()
        else:
            self.blocked.append(route.request.url)
            await route.abort()

    def attach(self, page: Page) -> None:
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        page.on("request", self._request)

    def _frame(self, payload: Any) -> None:
        self.frames.append(payload if isinstance(payload, str) else str(payload))

    def _request(self, request: Any) -> None:
        if request.url.endswith("/_dash-update-component"):
            self.callbacks += 1
        if request.resource_type == "script":
            self.scripts.append(request.url)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def open_context(browser: Browser, server: str) -> tuple[BrowserContext, Page, Watch]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    watch = Watch(server)
    await context.route("**/*", watch.route)
    page = await context.new_page()
    watch.attach(page)
    return context, page, watch


async def sign_in(page: Page, server: str, key: str) -> None:
    await page.goto(f"{server}/dashboard/signin")
    await page.locator("#signin-key").fill(key)
    async with page.expect_navigation():
        await page.locator("form button[type=submit]").first.click()


async def settled(page: Page) -> None:
    """The page's callbacks have answered and its main region has a heading."""
    await page.locator("#page h1").first.wait_for(timeout=30_000)
    await page.wait_for_function(
        "() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=30_000
    )
    await page.wait_for_timeout(SETTLE_MS)


async def choose_language(page: Page, lang: str) -> None:
    await page.locator(f"#lang-{lang}").click()
    await page.wait_for_function(f"() => document.documentElement.lang === '{lang}'")
    await settled(page)


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    # through DevTools, which the page's CSP (inline scripts by hash only) does not govern
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def kpi(page: Page, name: str) -> str:
    return await page.locator(f"#kpi-{name}").inner_text()


async def mode_bar(page: Page) -> set[str]:
    """The titles of the charts' mode bar buttons on the page."""
    titles = await page.eval_on_selector_all(
        ".modebar-btn", "(buttons) => buttons.map((b) => b.getAttribute('data-title'))"
    )
    return {str(title) for title in titles if title}


async def test_every_page_in_both_languages_loads_clean_and_passes_axe(
    browser: Browser, server: str, keys: dict[Tier, str]
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page, watch = await open_context(browser, server)
    try:
        await sign_in(page, server, keys[Tier.ANALYST])
        found: dict[str, list[dict[str, Any]]] = {}
        buttons: dict[str, set[str]] = {}
        for slug in STAFF_PAGES:
            await page.goto(f"{server}{PAGES[slug].path}")
            await settled(page)
            for lang in ("ko", "en"):
                await choose_language(page, lang)
                await page.screenshot(
                    path=str(SHOTS / f"{slug or 'overview'}-{lang}.png"), full_page=True
                )
                found[f"{slug or 'overview'} {lang}"] = await axe_violations(page)
                buttons[f"{slug or 'overview'} {lang}"] = await mode_bar(page)
    finally:
        await context.close()
    assert {name: v for name, v in found.items() if v} == {}
    # the charts drew with plotly's basic bundle from our origin, never the wheel's full one
    assert any(url.endswith("/dashboard/vendor/plotly-basic.min.js") for url in watch.scripts)
    assert not [url for url in watch.scripts if "package_data/plotly" in url]
    # the charts' mode bars speak the page's language and never offer to send data away
    assert buttons["overview ko"], "the overview has charts with mode bars"
    assert "PNG 이미지 파일로 차트를 다운로드 합니다" in buttons["overview ko"]
    assert "Download plot as a PNG" in buttons["overview en"]
    assert not [b for b in buttons["overview ko"] if b.isascii()]
    assert {n: [b for b in t if "Share" in b or "JSON" in b] for n, t in buttons.items()} == {
        n: [] for n in buttons
    }
    assert watch.errors == []
    assert watch.blocked == []


async def test_the_public_page_shows_only_public_figures(browser: Browser, server: str) -> None:
    context, page, watch = await open_context(browser, server)
    try:
        await page.goto(f"{server}/dashboard/")
        await settled(page)
        shown = await page.locator("[data-kpi]").evaluate_all("els => els.map(e => e.dataset.kpi)")
        hidden = await page.locator("#nav li[hidden]").count()
        for lang in ("ko", "en"):
            await choose_language(page, lang)
            await page.screenshot(path=str(SHOTS / f"public-{lang}.png"), full_page=True)
            assert await axe_violations(page) == []
        await page.goto(f"{server}/dashboard/cases")
        await settled(page)
        signin = await page.locator("#signin-key").count()
    finally:
        await context.close()
    assert shown
    assert set(shown) <= set(PUBLIC_TILES)
    assert hidden == len(STAFF_PAGES) - 1  # every staff page but the landing one
    assert signin == 1
    assert watch.errors == []
    assert watch.blocked == []


async def test_the_api_indicator_shows_todays_calls_in_korean_and_english(
    browser: Browser, server: str, app: Any, stores: Stores, keys: dict[Tier, str]
) -> None:
    # given calls served today, flushed to the usage records
    async with httpx.AsyncClient(base_url=server) as http:
        for _ in range(3):
            await http.post("/graphql", json={"query": "{ datasetThemes }"})
    await app.state.usage.flush()
    flushed = await calls_on(stores.records, epoch_day(city_day(datetime.now(UTC))))
    context, page, watch = await open_context(browser, server)
    shown: dict[str, tuple[str, str]] = {}
    try:
        await sign_in(page, server, keys[Tier.OPERATOR])
        await page.goto(f"{server}/dashboard/")
        await settled(page)
        for lang in ("ko", "en"):
            await choose_language(page, lang)
            label = await page.locator("[data-kpi=api_calls_today] .kpi-label").inner_text()
            shown[lang] = (label, await kpi(page, "api_calls_today"))
            assert await axe_violations(page) == []
    finally:
        await context.close()
    # then the tile reads the usage figures (at least what was flushed), in each language
    assert shown["ko"][0] == "오늘 API 호출"
    assert shown["en"][0] == "API calls today"
    for _, value in shown.values():
        assert int(value.replace(",", "")) >= flushed >= 3
    assert watch.errors == []


async def file_case(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/graphql",
        json={
            "query": "mutation($i: FileCaseInput!) { fileCase(input: $i) { __typename } }",
            "variables": {
                "i": {
                    "serviceCode": "noise",
                    "description": "Night construction",
                    "lat": 37.5115,
                    "lon": 127.0595,
                }
            },
        },
    )
    assert answer.json()["data"]["fileCase"]["__typename"] == "FileCaseSuccess", answer.text


SENSOR = '{ sensors(filter: {district: ["11680"]}, first: 1) { edges { node { id } } } }'


async def publish_reading(client: httpx.AsyncClient, key: str) -> None:
    found = await client.post(
        "/graphql",
        json={"query": SENSOR},
    )
    sensor = found.json()["data"]["sensors"]["edges"][0]["node"]["id"]
    reading = {
        "sensor_id": sensor,
        "measured_at": datetime.now(UTC).isoformat(),
        "values": {"pm25": 21.0},
    }
    answer = await client.post(
        "/ingest/readings", json={"readings": [reading]}, headers={"X-API-Key": key}
    )
    assert answer.status_code == 200, answer.text


POLL = (
    """mutation($i: CreatePollInput!) { createPoll(input: $i) { __typename ... on Poll { id } } }"""
)
ENROL = """mutation($id: ID!) { createEnrolmentCode(residentId: $id, days: 7) {
  ... on EnrolmentCode { enrolmentCode } } }"""


async def cast_ballot(client: httpx.AsyncClient, keys: dict[Tier, str], stores: Stores) -> None:
    """One resident of Gangnam-gu votes in a new open poll, through the API as a wallet does."""
    operator = {"X-API-Key": keys[Tier.OPERATOR]}
    now = datetime.now(UTC)
    made = await client.post(
        "/graphql",
        headers=operator,
        json={"query": POLL, "variables": {"i": poll_input()}},
    )
    poll_id = made.json()["data"]["createPoll"]["id"]
    resident_id = new_resident_id()
    props = {"id": resident_id, "district_code": "11680", "dong_code": None, "birth_year": 1960}
    assert await stores.graph.create_node(
        "Citizen", props | {"sex": "F", "welfare_eligible": False}
    )
    enrolled = await client.post(
        "/graphql", headers=operator, json={"query": ENROL, "variables": {"id": resident_id}}
    )
    code = enrolled.json()["data"]["createEnrolmentCode"]["enrolmentCode"]
    identity = IdentityClient(client, server_of(client))
    poll = await identity.poll(poll_id)
    credential = await identity.request_credential(Wallet.new(), SUITE, Epoch.at(now), code)
    await identity.cast_ballot(make_ballot(SUITE, credential.held(), poll, "yes"))


def server_of(client: httpx.AsyncClient) -> str:
    return str(client.base_url).rstrip("/")


async def changes(page: Page, watch: Watch, name: str, act: Any) -> float:
    """Seconds from `act` to the tile `name` showing another value, which must come from a
    pushed frame (no reload, no polling)."""
    before = await kpi(page, name)
    frames = len(watch.frames)
    started = time.monotonic()
    await act()
    await page.wait_for_function(
        "([name, before]) => document.getElementById('kpi-' + name).innerText !== before",
        arg=[name, before],
        timeout=20_000,
    )
    elapsed = time.monotonic() - started
    assert len(watch.frames) > frames  # the push that caused it
    return elapsed


async def test_a_reading_a_case_and_a_ballot_change_their_figures_by_push(
    browser: Browser, server: str, keys: dict[Tier, str], stores: Stores
) -> None:
    context, page, watch = await open_context(browser, server)
    async with httpx.AsyncClient(base_url=server) as client:
        try:
            await sign_in(page, server, keys[Tier.ANALYST])
            await page.goto(f"{server}/dashboard/")
            await settled(page)
            navigations: list[str] = []
            page.on("framenavigated", lambda f: navigations.append(f.url))
            latency = {
                "reading": await changes(
                    page,
                    watch,
                    "readings_minute",
                    lambda: publish_reading(client, keys[Tier.OPERATOR]),
                ),
                "case": await changes(page, watch, "filed_today", lambda: file_case(client)),
                "ballot": await changes(
                    page, watch, "ballots", lambda: cast_ballot(client, keys, stores)
                ),
            }
        finally:
            await context.close()
    print("event to screen, s:", latency)  # the bench measures it: bench/dashboard.py
    assert navigations == []  # no reload
    assert watch.errors == []


async def test_pause_holds_the_figures_and_a_lost_connection_says_so(
    browser: Browser, server: str, keys: dict[Tier, str], app: Any
) -> None:
    context, page, watch = await open_context(browser, server)
    async with httpx.AsyncClient(base_url=server) as client:
        try:
            await sign_in(page, server, keys[Tier.ANALYST])
            await page.goto(f"{server}/dashboard/")
            await settled(page)
            await page.locator("#pause").click()
            await page.wait_for_function(
                "() => document.getElementById('pause').getAttribute('aria-pressed') === 'true'"
            )
            held = await kpi(page, "filed_today")
            frames = len(watch.frames)
            await file_case(client)
            while len(watch.frames) == frames:  # noqa: ASYNC110 - the push arrives, unshown
                await asyncio.sleep(0.1)
            await page.wait_for_timeout(1000)
            paused_value = await kpi(page, "filed_today")
            status_paused = await page.locator("#live-status").get_attribute("data-state")
            await page.locator("#pause").click()
            await page.wait_for_function(
                "held => document.getElementById('kpi-filed_today').innerText !== held", arg=held
            )
            await app.state.pulse.close_connections()  # as when a worker restarts
            await page.wait_for_function(
                "() => document.getElementById('live-status').dataset.state === 'closed'",
                timeout=20_000,
            )
            lost = await page.locator("#live-status").inner_text()
            await page.wait_for_function(
                "() => document.getElementById('live-status').dataset.state === 'open'",
                timeout=40_000,
            )
        finally:
            await context.close()
    assert paused_value == held
    assert status_paused == "paused"
    assert lost in (
        "실시간 연결이 끊겼습니다. 다시 연결하는 중…",
        "Live connection lost. Reconnecting…",
    )


async def test_choosing_a_gu_drills_every_page_into_it(
    browser: Browser, server: str, keys: dict[Tier, str]
) -> None:
    context, page, watch = await open_context(browser, server)
    try:
        await sign_in(page, server, keys[Tier.ANALYST])
        await page.goto(f"{server}/dashboard/")
        await settled(page)
        await choose_language(page, "en")
        bars = await page.locator("#panel-open-cases-by-gu tbody tr").count()
        await page.locator("#gu-select").select_option("11680")  # Gangnam-gu
        await page.wait_for_function(
            "() => document.querySelectorAll('#panel-open-cases-by-gu tbody tr').length === 1"
        )
        await settled(page)
        rows = await page.locator("#panel-open-cases-by-gu tbody tr").all_text_contents()
        await page.locator("#nav-cases").click()
        await settled(page)
        still = await page.locator("#gu-select option:checked").inner_text()
    finally:
        await context.close()
    assert bars == 25
    assert rows[0].startswith("Gangnam-gu")
    assert "Gangnam-gu" in still
    assert watch.errors == []
