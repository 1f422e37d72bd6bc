"""A routed filing over a real server: an Open311 POST (JSON) routed below the threshold, an
analyst's rejection through GraphQL, and a `caseUpdates` subscriber seeing the case received,
assigned by the model, then reassigned by the decision.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from graph.catalogue import departments
from graph.records.api_keys import Tier
from ml.registry import Registry
from ml.routing import RoutingModel, train
from resolvers.services.routing import OPEN311_CHANNEL
from seeds.complaints import Settings as ComplaintSettings
from seeds.complaints import generate
from tests.e2e.conftest import serving

GU = "11680"
CASES = """
subscription ($district: String, $after: ID) {
  caseUpdates(district: $district, after: $after) { id caseId kind department }
}"""
CASE = "query ($id: ID!) { case(id: $id) { routing { reviewId provisional department } } }"
REJECT = """
mutation ($input: RejectReviewInput!) { rejectReview(input: $input) {
  __typename ... on DecideReviewSuccess { review { status } } } }"""
WAIT_S = 15


@pytest.fixture(scope="module")
def ml_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ml")
    registry = Registry(root)
    stored = registry.add(train(scale=0.001, seed=5))
    registry.promote(stored.name, stored.version)
    return root


@pytest.fixture
async def routed_server(settings: Settings, stores: Stores, ml_dir: Path) -> AsyncIterator[str]:
    application = create_app(settings.model_copy(update={"ml_dir": ml_dir}), stores)
    async with application.router.lifespan_context(application), serving(application) as url:
        yield url


def doubted_text(ml_dir: Path) -> str:
    """A generated complaint (seed 9: no training draw) the model routes below its threshold."""
    model = RoutingModel.from_stored(Registry(ml_dir).load("routing"))
    complaints, _ = generate(0.0005, 9, ComplaintSettings())
    now = datetime.now(UTC)
    scored = [(model.route(t, OPEN311_CHANNEL, GU, now).confidence, t) for t in complaints.text]
    confidence, text = min(scored)
    assert confidence < model.threshold - 0.02
    return text


async def test_a_rejected_routing_reaches_a_case_updates_subscriber(
    routed_server: str, stores: Stores, keys: dict[Tier, str], ml_dir: Path
) -> None:
    # given: a subscriber to the gu's case events from the latest one on
    [row] = await stores.records.query("SELECT MAX(id) AS last FROM case_event", [])
    seen: list[dict[str, Any]] = []

    async def listen() -> None:
        transport = WebsocketsTransport(
            url=routed_server.replace("http://", "ws://") + "/graphql",
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        )
        async with Client(transport=transport) as session:
            request = gql(CASES)
            request.variable_values = {"district": GU, "after": str(row["last"])}
            async for result in session.subscribe(request):
                seen.append(result["caseUpdates"])

    listening = asyncio.create_task(listen())
    text = doubted_text(ml_dir)
    async with httpx.AsyncClient(base_url=routed_server) as http:
        # when: filed through Open311's JSON, then rejected through GraphQL
        body = {"service_code": "noise", "description": text, "lat": 37.5115, "long": 127.0595}
        created = await http.post("/open311/v2/requests.json", json=body)
        assert created.status_code == 201
        [receipt] = created.json()
        assert receipt["service_notice"] is not None
        case_id = receipt["service_request_id"]
        query = {"query": CASE, "variables": {"id": case_id}}
        routing = (await http.post("/graphql", json=query)).json()["data"]["case"]["routing"]
        other = next(d["code"] for d in departments() if d["code"] != routing["department"])
        decision = {"id": routing["reviewId"], "department": other}
        rejected = await http.post(
            "/graphql",
            json={"query": REJECT, "variables": {"input": decision}},
            headers={"X-API-Key": keys[Tier.ANALYST]},
        )
        assert rejected.json()["data"]["rejectReview"]["review"]["status"] == "REJECTED"
        try:
            async with asyncio.timeout(WAIT_S):
                while len([u for u in seen if u["caseId"] == case_id]) < 3:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
        finally:
            listening.cancel()
        after = (await http.post("/graphql", json=query)).json()["data"]["case"]["routing"]
    # then
    updates = [(u["kind"], u["department"]) for u in seen if u["caseId"] == case_id]
    assert updates == [
        ("received", ""),
        ("assigned", routing["department"]),
        ("assigned", other),
    ]
    assert routing["provisional"] is True
    assert after["provisional"] is False
