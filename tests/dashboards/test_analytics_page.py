"""The analytics page through the real app in process: refused below the analyst tier, the
cards of an empty registry and of a real (tiny) LightGBM model, the queue of the chosen gu, and
decisions through the page's callback at the viewer's key, typed refusals in words."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from ml import review
from ml.registry import MODELS, Registry
from ml.review import ReviewKind
from ml.trained import NEVER, Comparison
from tests.dashboards.callbacks import call
from tests.dashboards.test_door import sign_in
from tests.helpers import graphql
from tests.ml.reviews import pending_review
from tests.ml.test_registry import tiny_model

GU = "11710"
"""Songpa-gu: no other test proposes reviews there."""
NOWON = "11350"
"""Nowon-gu: a view no other test of this file renders (a render is shared for seconds)."""
TRAINED_AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
REVIEW = """
query ($id: ID!) { review(id: $id) { status note correctedDepartment leafIndex
  decisionEntry { kind } } }
"""


def callbacks(app: Any) -> dict[str, dict[str, Any]]:
    return app.state.dashboards.dash.callback_map  # type: ignore[no-any-return]


async def page(client: httpx.AsyncClient, app: Any, lang: str = "en", gu: str | None = None) -> str:
    values = {"url.pathname": "/dashboard/analytics", "lang.data": lang, "gu.data": gu}
    answer = await call(client, callbacks(app), "page.children", values)
    assert answer.status_code == 200, answer.text
    return answer.text


def decision(
    review_id: str, chosen: str, note: str = "", department: str | None = None
) -> dict[str, Any]:
    """What the page's clientside callback hands the server when a button is pressed."""
    return {"review": review_id, "decision": chosen, "note": note, "department": department}


async def decide(
    client: httpx.AsyncClient, app: Any, request: Any, lang: str = "en", gu: str | None = GU
) -> dict[str, Any]:
    """Runs the decision callback: what it says, and the queue it re-read."""
    values = {"analytics-request.data": request, "lang.data": lang, "gu.data": gu}
    answer = await call(client, callbacks(app), "analytics-said.data", values)
    assert answer.status_code == 200, answer.text
    response = answer.json()["response"]
    return {
        "said": response["analytics-said"]["data"]["text"],
        "queue": response["analytics-queue"],
    }


async def signed_in(app: Any, key: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://civicgraph.test"
    )
    assert (await sign_in(client, key)).status_code == 303
    return client


@pytest.fixture(scope="module")
async def trained_app(
    settings: Settings, stores: Stores, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Any, str]]:
    """An app over the session's city whose registry serves a tiny real LightGBM water model
    (and nothing else), with that model's version."""
    root: Path = tmp_path_factory.mktemp("ml")
    registry = Registry(root)
    model = tiny_model("water")
    delay = Comparison("median detection delay", 7.25, {"cusum": NEVER}, "< 6 h", True, unit="h")
    model = replace(model, comparisons=(*model.comparisons, delay))
    stored = registry.add(model, trained_at=TRAINED_AT)
    registry.promote("water", stored.version)
    application = create_app(settings.model_copy(update={"ml_dir": root}), stores)
    async with application.router.lifespan_context(application):
        yield application, stored.version


async def propose(
    stores: Stores, kind: ReviewKind, minutes_ago: int = 5, where: str = GU, **proposal: Any
) -> str:
    """A new pending review of `kind` in gu `where`, proposed `minutes_ago`; its id."""
    proposed = await pending_review(
        stores.records,
        kind,
        district=where,
        at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
        subject_prefix="dash",
        **proposal,
    )
    return proposed.review_id


@pytest.mark.parametrize("tier", [None, Tier.DEVELOPER], ids=["public", "developer"])
async def test_analytics_page_refused_below_analyst(
    app: Any, client: httpx.AsyncClient, keys: dict[Tier, str], tier: Tier | None
) -> None:
    # given the public, or a developer's session
    viewer = client if tier is None else await signed_in(app, keys[tier])
    # when it opens the analytics page
    text = await page(viewer, app)
    # then it gets the sign-in form (a developer is told the page needs a staff key)
    assert "signin-key" in text
    assert "panel-models" not in text
    assert "panel-queue" not in text
    assert ("This page needs an analyst or operator key." in text) is (tier is not None)


async def test_analytics_page_with_no_model_says_how_to_train_each(
    app: Any, keys: dict[Tier, str]
) -> None:
    # given the session's app, whose registry is empty
    analyst = await signed_in(app, keys[Tier.ANALYST])
    for lang, words in (("en", "Not trained."), ("ko", "학습되지 않았습니다.")):
        # when an analyst opens the page
        text = await page(analyst, app, lang)
        # then every model is listed untrained with the command that trains it
        for name in MODELS:
            assert f"civicgraph ml train {name}" in text
        assert text.count(words) == len(MODELS)
        assert '"data-trained": "true"' not in text


async def test_analytics_page_shows_the_serving_card(
    trained_app: tuple[Any, str], keys: dict[Tier, str]
) -> None:
    # given a registry serving a tiny water model (precision 0.91 vs cusum 0.72, met)
    app, version = trained_app
    analyst = await signed_in(app, keys[Tier.ANALYST])
    # when an analyst opens the page in English and in Korean
    english, korean = await page(analyst, app, "en"), await page(analyst, app, "ko")
    # then the water card names its version, training time, metric and baseline, and the met
    # mark in words; the others say how to train them
    assert version in english
    assert "30 Nov 2026, 18:00" in english  # 09:00 UTC in Seoul
    assert "Water-quality anomaly detection" in english
    assert "수질 이상 탐지 모델" in korean
    assert "precision" in english
    assert "정밀도" in korean
    assert "cusum 0.72" in english
    assert "0.91" in english
    assert "✓ met" in english
    assert "✓ 달성" in korean
    # and a baseline that never detected says so in words, not as 1e9 hours
    assert "median detection delay (h)" in english
    assert "cusum never" in english
    assert "cusum 감지 못 함" in korean
    assert "1,000,000,000" not in english + korean
    assert "Send a sampling team." in english
    assert "Blaming a plant without a sample." in english
    assert "civicgraph ml train routing" in english
    assert "civicgraph ml train water" not in english


async def test_analytics_queue_follows_the_gu(
    trained_app: tuple[Any, str], stores: Stores, keys: dict[Tier, str]
) -> None:
    # given a pending routing in Songpa-gu
    app, _ = trained_app
    routing = await propose(stores, ReviewKind.CASE_ROUTING, minutes_ago=150)
    analyst = await signed_in(app, keys[Tier.ANALYST])
    # when the page is drilled into Songpa-gu, and into Gangnam-gu
    songpa = await page(analyst, app, "en", GU)
    gangnam = await page(analyst, app, "en", "11680")
    # then only Songpa-gu's queue holds it, with the department in words and its confidence
    assert routing in songpa
    assert routing not in gangnam
    assert "department: Road Management Division (confidence 41.0 %)" in songpa
    assert "Case routing" in songpa
    assert "2 h" in songpa
    korean = await page(analyst, app, "ko", GU)
    assert "부서: 도로관리과 (신뢰도 41.0 %)" in korean


async def test_analytics_queue_reads_each_kind_of_proposal_in_words(
    trained_app: tuple[Any, str], stores: Stores, keys: dict[Tier, str]
) -> None:
    # given a patrol allocation of 100 cells (as ml/scoring/hotspots.py `allocation` writes
    # it), an outbreak alarm and a water alarm, pending in Nowon-gu
    app, _ = trained_app
    cells = [
        {"cell": f"250m-{n:03d}", "expected": 0.0337565 - n * 1e-4, "peak_hour": 18}
        for n in range(100)
    ]
    day = "2026-11-30"
    patrol = await propose(
        stores,
        ReviewKind.PATROL_ALLOCATION,
        where=NOWON,
        day=day,
        district_code=NOWON,
        area_share=0.05,
        top_cells=120,
        cells=cells,
        review="A recommendation only.",
    )
    outbreak = await propose(
        stores,
        ReviewKind.OUTBREAK_ALARM,
        where=NOWON,
        gu=NOWON,
        syndrome="respiratory",
        day=day,
        score=0.9312,
        threshold=0.5,
        counts={"ed": 12, "pharmacy": None},
        neighbours=["11680", "11740"],
    )
    water = await propose(
        stores,
        ReviewKind.WATER_ALARM,
        where=NOWON,
        station="wq-han-03",
        name="Han River km 12",
        upstream="wq-han-02",
        onset="2026-11-30T05:00:00+00:00",
        score=0.8812,
        threshold=0.6,
        measures=[{"measure": "dissolved_oxygen", "z": -3.2}, {"measure": "turbidity", "z": 2.8}],
    )
    analyst = await signed_in(app, keys[Tier.ANALYST])
    # when an analyst opens the queue in English and in Korean
    english, korean = await page(analyst, app, "en", NOWON), await page(analyst, app, "ko", NOWON)
    # then each proposal is read in words: no Python repr, no gu code as a number
    for text in (english, korean):
        assert [r for r in (patrol, outbreak, water) if r not in text] == []
        assert "{'" not in text
        assert "'cell'" not in text
        assert "11,350" not in text
        assert "250m-003" not in text  # three cells listed, the rest counted
    assert "120 top cells on 30 Nov 2026" in english
    assert "250m-000: 0.0338 expected incidents, peak 18:00–19:00" in english
    assert "and 117 more cells" in english
    assert "2026. 11. 30. 상위 칸 120개" in korean
    assert "250m-000: 예상 사건 0.0338건" in korean
    assert "Nowon-gu · respiratory · 30 Nov 2026" in english
    assert "노원구 · 호흡기 · 2026. 11. 30." in korean
    assert "score 0.9312 (threshold 0.5)" in english
    assert "station Han River km 12 (wq-han-03)" in english
    assert "onset 30 Nov 2026, 14:00" in english  # 05:00 UTC in Seoul
    assert "measures that moved: Dissolved oxygen −3.2 σ; Turbidity +2.8 σ" in english
    assert "움직인 항목: 용존산소 −3.2 σ; 탁도 +2.8 σ" in korean
    # and each kind has its name in words
    assert "Patrol allocation" in english
    assert "순찰 배치" in korean
    assert "Outbreak alarm" in english
    assert "감염병 경보" in korean


async def test_analytics_decisions_are_logged_and_refusals_said_in_words(
    trained_app: tuple[Any, str], stores: Stores, keys: dict[Tier, str]
) -> None:
    app, _ = trained_app
    analyst = await signed_in(app, keys[Tier.ANALYST])
    alarm = await propose(stores, ReviewKind.WATER_ALARM)
    routing = await propose(stores, ReviewKind.CASE_ROUTING)

    # when an analyst approves the alarm through the page
    out = await decide(analyst, app, decision(alarm, "approve", "Sample confirms it"))
    status, queue = out["said"], json.dumps(out["queue"])
    # then it is approved, its leaf named, and the queue re-read without it
    assert status.startswith(f"{alarm} approved. (log leaf #")
    assert alarm not in queue
    assert routing in queue
    body = await graphql(app_client(app), REVIEW, {"id": alarm}, key=keys[Tier.ANALYST])
    found = body["data"]["review"]  # type: ignore[index]
    assert found["status"] == "APPROVED"
    assert found["note"] == "Sample confirms it"
    assert found["decisionEntry"]["kind"] == "review.approved"

    # when it is decided again (another analyst's page still showed it)
    again = await decide(analyst, app, decision(alarm, "reject"), lang="ko")
    # then the refusal is in words in the reader's language, with its code
    assert "이미 결정된 항목입니다" in again["said"]
    assert "(ALREADY_DECIDED)" in again["said"]

    # when a note holds a NUL, then it is refused in words, not as an unexpected error
    nul = await decide(analyst, app, decision(routing, "approve", "a\x00b"))
    assert "the note holds characters that cannot be stored" in nul["said"]
    assert "(bad_user_input)" in nul["said"]

    # when a routing is rejected without a department, then with one
    bare = await decide(analyst, app, decision(routing, "reject"))
    assert "needs a department other than the one proposed" in bare["said"]
    done = await decide(analyst, app, decision(routing, "reject", "A fallen tree", "parks"))
    assert done["said"].startswith(f"{routing} rejected.")
    body = await graphql(app_client(app), REVIEW, {"id": routing}, key=keys[Tier.ANALYST])
    found = body["data"]["review"]  # type: ignore[index]
    assert (found["status"], found["correctedDepartment"]) == ("REJECTED", "parks")
    assert found["decisionEntry"]["kind"] == "review.rejected"


@pytest.mark.parametrize("tier", [None, Tier.DEVELOPER], ids=["public", "developer"])
async def test_analytics_decision_refused_below_analyst(
    trained_app: tuple[Any, str], stores: Stores, keys: dict[Tier, str], tier: Tier | None
) -> None:
    # given a pending alarm and a caller below the analyst tier sending the callback by hand
    app, _ = trained_app
    alarm = await propose(stores, ReviewKind.WATER_ALARM)
    if tier is None:
        viewer = app_client(app)
    else:
        viewer = await signed_in(app, keys[tier])
    out = await decide(viewer, app, decision(alarm, "approve"))
    # then it is refused before anything runs, and the review still waits
    assert out["said"] == ("Only analysts and operators may approve or reject.")
    assert alarm not in json.dumps(out["queue"])
    assert (await review.get(stores.records, alarm)).status is review.ReviewStatus.PENDING


@pytest.mark.parametrize(
    "request_",
    [
        None,
        3,
        "x",
        {"review": "RV-1"},
        {"review": 1, "decision": "approve"},
        {"review": "RV-1", "decision": "approve", "note": 5},
    ],
    ids=["none", "number", "text", "no-decision", "bad-id", "bad-note"],
)
async def test_analytics_decision_ignores_malformed_requests(
    trained_app: tuple[Any, str], keys: dict[Tier, str], request_: Any
) -> None:
    app, _ = trained_app
    analyst = await signed_in(app, keys[Tier.ANALYST])
    values = {"analytics-request.data": request_, "lang.data": "en", "gu.data": GU}
    answer = await call(analyst, callbacks(app), "analytics-said.data", values)
    assert answer.status_code == 204, answer.text


def app_client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://civicgraph.test"
    )
