"""Filing routes a case with the routing model: a confident department is final, an unconfident
one provisional with a pending review, which an analyst's decision settles on the case (graph,
case events, log leaf); without a model, or with a damaged one, filing is as it always was.

One small model is trained for the module (ml.routing.train at scale 0.001, ~6 s here); the
complaints it routes come from the generator at a seed no training draws (seeds are even).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.catalogue import departments, service
from graph.errors import WriteAbandoned
from graph.records import Records, write_intents
from graph.records.api_keys import Tier
from graph.records.case_events import CaseEventRow, record_events
from ml import review
from ml.registry import Registry
from ml.review import ReviewStatus
from ml.routing import RoutingModel, train
from ml.trained import TrainedModel
from resolvers.core.case_assignment import CASE_ASSIGNED, review_actor
from resolvers.core.context import Context, Limits
from resolvers.services.filing import NewCase, file
from resolvers.services.repair import repair_case_writes
from resolvers.services.routing import GRAPHQL_CHANNEL, OPEN311_CHANNEL, CaseRouter
from seeds.complaints import Settings as ComplaintSettings
from seeds.complaints import generate
from tests.helpers import graphql

GANGNAM = {"lat": 37.5115, "lon": 127.0595}  # COEX, Gangnam-gu
GANGNAM_GU = "11680"
TEXT_SEED = 7  # odd: no training draw (2·seed) and no evaluation draw (10 000 + seed)
FILE_CASE = """
mutation ($input: FileCaseInput!) {
  fileCase(input: $input) {
    __typename
    ... on FileCaseSuccess { case {
      id serviceCode agencyResponsible requestedAt department { id }
      routing { department confidence provisional reviewId modelVersion }
      events { kind department note }
    } }
    ... on ServicesError { code field }
  }
}
"""
CASE = """
query ($id: ID!) { case(id: $id) {
  agencyResponsible department { id }
  routing { department confidence provisional reviewId modelVersion }
  events { kind department note }
} }
"""
APPROVE = """
mutation ($input: ApproveReviewInput!) { approveReview(input: $input) {
  __typename ... on DecideReviewSuccess { review { id status leafIndex } }
  ... on AnalyticsError { code field } } }
"""
REJECT = """
mutation ($input: RejectReviewInput!) { rejectReview(input: $input) {
  __typename ... on DecideReviewSuccess { review { id status correctedDepartment leafIndex } }
  ... on AnalyticsError { code field } } }
"""
LOG_ENTRY = "query ($index: Int!) { logEntry(index: $index) { kind subject } }"
CASES_ROUTING = """
query ($first: Int!) { cases(first: $first) { edges { node {
  id routing { department provisional reviewId } } } } }
"""


@pytest.fixture(scope="module")
def trained() -> TrainedModel:
    return train(scale=0.001, seed=3)


@pytest.fixture(scope="module")
def registry(trained: TrainedModel, tmp_path_factory: pytest.TempPathFactory) -> Registry:
    models = Registry(tmp_path_factory.mktemp("ml"))
    stored = models.add(trained)
    models.promote(stored.name, stored.version)
    return models


@pytest.fixture(scope="module")
def model(registry: Registry) -> RoutingModel:
    return RoutingModel.from_stored(registry.load("routing"))


@pytest.fixture(scope="module")
def texts(model: RoutingModel) -> dict[str, str]:
    """A complaint the model routes surely and one it doubts, on both doors' channels now
    (the margins are wide, so the hour moving on between here and a test changes neither)."""
    complaints, _ = generate(0.0005, TEXT_SEED, ComplaintSettings())
    candidates = list(dict.fromkeys(complaints.text[:400]))
    now = datetime.now(UTC)
    scored = [
        (
            min(
                model.route(t, c, GANGNAM_GU, now).confidence
                for c in (GRAPHQL_CHANNEL, OPEN311_CHANNEL)
            ),
            max(
                model.route(t, c, GANGNAM_GU, now).confidence
                for c in (GRAPHQL_CHANNEL, OPEN311_CHANNEL)
            ),
            t,
        )
        for t in candidates
    ]
    sure = max(scored)
    doubted = min(scored, key=lambda s: s[1])
    assert sure[0] > model.threshold + 0.05
    assert doubted[1] < model.threshold - 0.02
    return {"sure": sure[2], "doubted": doubted[2]}


async def app_with(settings: Settings, stores: Stores, ml: Path) -> AsyncIterator[Starlette]:
    application = create_app(settings.model_copy(update={"ml_dir": ml}), stores)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="module")
async def routed(settings: Settings, stores: Stores, registry: Registry) -> AsyncIterator[Any]:
    """A client of an app whose registry serves the trained model."""
    async for application in app_with(settings, stores, registry.root):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://routed.test") as http:
            yield http


async def file_case(
    http: httpx.AsyncClient, text: str, service_code: str = "noise"
) -> dict[str, Any]:
    body = await graphql(
        http,
        FILE_CASE,
        {"input": {"serviceCode": service_code, "description": text, **GANGNAM}},
    )
    result: dict[str, Any] = body["data"]["fileCase"]  # type: ignore[index]
    assert result["__typename"] == "FileCaseSuccess", result
    case: dict[str, Any] = result["case"]
    return case


async def read_case(http: httpx.AsyncClient, case_id: str) -> dict[str, Any]:
    body = await graphql(http, CASE, {"id": case_id})
    case: dict[str, Any] = body["data"]["case"]  # type: ignore[index]
    return case


def expected(model: RoutingModel, text: str, channel: str, requested_at: str) -> Any:
    at = datetime.fromisoformat(requested_at.replace("Z", "+00:00"))
    return model.route(text, channel, GANGNAM_GU, at)


async def test_file_case_confident_routing_is_the_final_department(
    routed: httpx.AsyncClient, model: RoutingModel, registry: Registry, texts: dict[str, str]
) -> None:
    # when
    case = await file_case(routed, texts["sure"])
    # then
    want = expected(model, texts["sure"], GRAPHQL_CHANNEL, case["requestedAt"])
    assert not want.needs_review
    assert case["serviceCode"] == "noise"  # the filer's choice stays, whatever the model says
    assert case["agencyResponsible"] == case["department"]["id"] == want.department
    assert case["routing"] == {
        "department": want.department,
        "confidence": pytest.approx(want.confidence, rel=1e-5),
        "provisional": False,
        "reviewId": None,
        "modelVersion": registry.current_version("routing"),
    }
    assert [(e["kind"], e["department"]) for e in case["events"]] == [
        ("received", ""),
        ("assigned", want.department),
    ]


async def test_file_case_unconfident_routing_is_provisional_with_a_pending_review(
    routed: httpx.AsyncClient, model: RoutingModel, stores: Stores, texts: dict[str, str]
) -> None:
    # when
    case = await file_case(routed, texts["doubted"], "streetlight-out")
    # then
    want = expected(model, texts["doubted"], GRAPHQL_CHANNEL, case["requestedAt"])
    assert want.needs_review
    assert case["department"]["id"] == want.department
    routing = case["routing"]
    assert routing["provisional"] is True
    assert routing["reviewId"]
    pending = await review.get(stores.records, routing["reviewId"])
    assert pending.status is ReviewStatus.PENDING
    assert pending.subject == case["id"]
    assert pending.district_code == GANGNAM_GU
    assert pending.proposal == {
        "department": want.department,
        "confidence": f"{want.confidence:.6g}",
        "runner_up": want.runner_up,
        "runner_up_confidence": f"{want.runner_up_confidence:.6g}",
        "service_code": "streetlight-out",
    }
    assert routing["confidence"] == float(f"{want.confidence:.6g}")


async def test_approve_review_makes_the_routing_final(
    routed: httpx.AsyncClient, keys: dict[Tier, str], texts: dict[str, str]
) -> None:
    # given
    case = await file_case(routed, texts["doubted"])
    review_id = case["routing"]["reviewId"]
    # when
    body = await graphql(routed, APPROVE, {"input": {"id": review_id}}, keys[Tier.ANALYST])
    # then
    assert body["data"]["approveReview"]["review"]["status"] == "APPROVED"  # type: ignore[index]
    after = await read_case(routed, case["id"])
    department = case["routing"]["department"]
    assert after["department"]["id"] == after["agencyResponsible"] == department
    assert after["routing"]["provisional"] is False
    assert after["routing"]["reviewId"] == review_id
    assert [(e["kind"], e["department"]) for e in after["events"]][1:] == [
        ("assigned", department),
        ("assigned", department),
    ]


async def test_reject_review_with_a_department_reassigns_the_case(
    routed: httpx.AsyncClient, stores: Stores, keys: dict[Tier, str], texts: dict[str, str]
) -> None:
    # given
    case = await file_case(routed, texts["doubted"])
    review_id = case["routing"]["reviewId"]
    proposed = case["routing"]["department"]
    other = next(
        d["code"] for d in departments() if d["code"] != proposed and not d.get("district_code")
    )
    # when
    body = await graphql(
        routed,
        REJECT,
        {"input": {"id": review_id, "department": other, "note": "a park, not a road"}},
        keys[Tier.ANALYST],
    )
    # then
    decided = body["data"]["rejectReview"]["review"]  # type: ignore[index]
    assert decided["status"] == "REJECTED"
    assert decided["correctedDepartment"] == other
    after = await read_case(routed, case["id"])
    assert after["agencyResponsible"] == after["department"]["id"] == other
    assert after["routing"] == {**case["routing"], "provisional": False}
    assert [(e["kind"], e["department"]) for e in after["events"]][-1] == ("assigned", other)
    leaf = await graphql(routed, LOG_ENTRY, {"index": decided["leafIndex"]})
    assert leaf["data"]["logEntry"] == {"kind": "review.rejected", "subject": review_id}  # type: ignore[index]
    assert all(i.subject != case["id"] for i in await write_intents.pending(stores.records))


async def test_reject_review_refusal_leaves_the_case_unchanged(
    routed: httpx.AsyncClient, keys: dict[Tier, str], texts: dict[str, str]
) -> None:
    # given
    case = await file_case(routed, texts["doubted"])
    review_id = case["routing"]["reviewId"]
    # when
    body = await graphql(
        routed, REJECT, {"input": {"id": review_id, "department": "nowhere"}}, keys[Tier.ANALYST]
    )
    # then
    assert body["data"]["rejectReview"]["code"] == "INVALID_CORRECTION"  # type: ignore[index]
    after = await read_case(routed, case["id"])
    assert after["routing"]["provisional"] is True
    assert len(after["events"]) == 2


async def test_open311_post_routes_on_the_web_channel_and_notices_a_provisional_department(
    routed: httpx.AsyncClient, model: RoutingModel, texts: dict[str, str]
) -> None:
    for name, provisional in (("sure", False), ("doubted", True)):
        form = {
            "service_code": "noise",
            "description": texts[name],
            "lat": "37.5115",
            "long": "127.0595",
        }
        # when
        created = await routed.post("/open311/v2/requests.json", data=form)
        # then
        assert created.status_code == 201
        [receipt] = created.json()
        assert (receipt["service_notice"] is not None) is provisional
        [request] = (
            await routed.get(f"/open311/v2/requests/{receipt['service_request_id']}.json")
        ).json()
        assert request["service_notice"] == receipt["service_notice"]
        want = expected(model, texts[name], OPEN311_CHANNEL, request["requested_datetime"])
        assert want.needs_review is provisional
        assert request["agency_responsible"] == want.department
        assert request["service_code"] == "noise"


async def test_file_case_without_a_model_uses_the_service_department(
    settings: Settings, stores: Stores, tmp_path: Path, texts: dict[str, str]
) -> None:
    async for application in app_with(settings, stores, tmp_path / "empty"):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://plain.test") as http:
            # when
            case = await file_case(http, texts["doubted"], "illegal-dumping")
            form = {
                "service_code": "illegal-dumping",
                "description": texts["doubted"],
                "lat": "37.5115",
                "long": "127.0595",
            }
            created = await http.post("/open311/v2/requests.json", data=form)
    # then
    department = service("illegal-dumping").department  # type: ignore[union-attr]
    assert case["department"]["id"] == case["agencyResponsible"] == department
    assert case["routing"] is None
    assert [e["note"] for e in case["events"]] == ["", ""]
    assert created.status_code == 201
    assert created.json()[0]["service_notice"] is None


def damage_model_file(root: Path) -> None:
    [version] = (root / "routing").glob("2*")
    (version / "model.txt").write_text("not a booster\n")


def damage_pointer(root: Path) -> None:
    (root / "routing" / "current").write_text("../../etc\n")


@pytest.mark.parametrize("damage", [damage_model_file, damage_pointer], ids=["model", "pointer"])
async def test_file_case_with_a_damaged_registry_uses_the_service_department(
    app: Starlette,
    stores: Stores,
    trained: TrainedModel,
    tmp_path: Path,
    texts: dict[str, str],
    damage: Callable[[Path], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given
    models = Registry(tmp_path)
    stored = models.add(trained)
    models.promote(stored.name, stored.version)
    damage(tmp_path)
    context = Context(
        stores.graph, stores.records, Tier.PUBLIC, Limits(), app.state.locator, models=models
    )
    # when
    filed = await file(
        context, NewCase("road-damage", texts["doubted"], lat=GANGNAM["lat"], lon=GANGNAM["lon"])
    )
    # then
    assert filed.routed is None
    assert filed.review is None
    assert filed.case["agency_responsible"] == service("road-damage").department  # type: ignore[union-attr]
    assert "filing by service" in caplog.text


def test_router_loads_once_per_version_and_reloads_when_current_changes(
    trained: TrainedModel, tmp_path: Path, texts: dict[str, str]
) -> None:
    # given
    models = Registry(tmp_path)
    first = models.add(trained, trained_at=datetime(2026, 11, 1, tzinfo=UTC))
    models.promote(first.name, first.version)
    router = CaseRouter(models)
    now = datetime.now(UTC)
    # when
    versions = [router.route(texts["sure"], GRAPHQL_CHANNEL, GANGNAM_GU, now) for _ in range(3)]
    second = models.add(trained, trained_at=datetime(2026, 11, 2, tzinfo=UTC) + timedelta(hours=1))
    models.promote(second.name, second.version)
    after = router.route(texts["sure"], GRAPHQL_CHANNEL, GANGNAM_GU, now)
    # then
    assert {v.model_version for v in versions if v is not None} == {first.version}
    assert after is not None
    assert after.model_version == second.version
    assert router.loads == 2


async def test_case_routing_reads_the_same_records_for_a_page_of_2_and_of_20(
    routed: httpx.AsyncClient, stores: Stores
) -> None:
    calls = []
    for first in (2, 20):
        before = stores.records.calls
        body = await graphql(routed, CASES_ROUTING, {"first": first})
        assert len(body["data"]["cases"]["edges"]) == first  # type: ignore[index]
        calls.append(stores.records.calls - before)
    assert calls[0] == calls[1]


async def test_repair_carries_a_decided_reassignment_into_the_graph(
    routed: httpx.AsyncClient, stores: Stores, texts: dict[str, str]
) -> None:
    # given: a decision's event and intent stored, the process killed before the graph write
    case = await file_case(routed, texts["sure"])
    other = "parks" if case["agencyResponsible"] != "parks" else "roads"
    row = CaseEventRow(
        0,
        case["id"],
        GANGNAM_GU,
        "assigned",
        "open",
        "",
        other,
        review_actor("RV-X"),
        datetime.now(UTC),
    )

    async def intent(client: Any) -> None:
        await write_intents.begin(stores.records, CASE_ASSIGNED, case["id"], client=client)

    await record_events(stores.records, [row], then=intent)
    # when
    # (a millisecond on: an intent is stale once begun strictly before the cut-off, and a fast
    # machine begins it and repairs within one millisecond)
    later = write_intents.now_ms() + 1
    done = await repair_case_writes(stores.graph, stores.records, grace=timedelta(0), now_ms=later)
    # then
    assert case["id"] in done.reassigned
    after = await read_case(routed, case["id"])
    assert after["agencyResponsible"] == after["department"]["id"] == other
    assert all(i.subject != case["id"] for i in await write_intents.pending(stores.records))


class RefusingEvents:
    """The records, except that the transaction of a filing's first events fails at its end (a
    write intent that outlived its grace period does the same), after the review was queued."""

    def __init__(self, records: Records) -> None:
        self.records = records

    def __getattr__(self, name: str) -> Any:
        return getattr(self.records, name)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        async with self.records.transaction() as client:
            yield client
            raise WriteAbandoned("the filing's events were refused")


async def test_a_filing_that_fails_after_its_routing_leaves_no_review_and_no_case(
    app: Starlette, stores: Stores, registry: Registry, texts: dict[str, str]
) -> None:
    # given a model that doubts the complaint, and records that refuse the filing's events
    failing = RefusingEvents(stores.records)
    context = Context(
        stores.graph,
        failing,  # type: ignore[arg-type]
        Tier.PUBLIC,
        Limits(),
        app.state.locator,
        models=registry,
    )
    before = await stores.records.query("SELECT count(*) AS n FROM ml_review")
    # when
    with pytest.raises(WriteAbandoned):
        await file(
            context,
            NewCase("road-damage", texts["doubted"], lat=GANGNAM["lat"], lon=GANGNAM["lon"]),
        )
    # then no review names a case that was never filed
    assert await stores.records.query("SELECT count(*) AS n FROM ml_review") == before
