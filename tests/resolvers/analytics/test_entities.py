"""`_entities` of the analytics subgraph, as a gateway asks it: reviews in one records call and
only for analysts, models by name, a missing one NOT_FOUND in its slot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from civicgraph.stores import Stores
from graph.records.api_keys import Tier
from ml.registry import MODELS
from ml.review import ReviewKind
from resolvers.subgraphs import subgraph_schema
from tests.resolvers.analytics.conftest import Propose, context

ENTITIES = "query ($r: [_Any!]!) { _entities(representations: $r) { %s } }"
REVIEW = "... on Review { id kind status subject }"
MODEL = "... on Model { name trained howToTrain }"
BATCH = 100


async def ask(
    app: Starlette, stores: Stores, tier: Tier, ml: Path, selection: str, reps: list[Any]
) -> Any:
    return await subgraph_schema("analytics").execute(
        ENTITIES % selection,
        variable_values={"r": reps},
        context_value=context(app, stores, tier, ml),
    )


async def test_entities_resolve_100_reviews_with_one_records_call(
    app: Starlette, stores: Stores, propose: Propose, tmp_path: Path
) -> None:
    # given BATCH pending reviews
    made = [await propose(ReviewKind.OUTBREAK_ALARM, "11500", minutes=n) for n in range(BATCH)]
    reps = [{"__typename": "Review", "id": r.review_id} for r in made]
    # when a gateway asks the analytics subgraph for all of them at once, as an analyst
    before = stores.records.calls
    result = await ask(app, stores, Tier.ANALYST, tmp_path, REVIEW, reps)
    calls = stores.records.calls - before
    # then each comes back in its slot, for one records call
    assert result.errors is None, result.errors
    assert [e["id"] for e in result.data["_entities"]] == [r.review_id for r in made]
    assert {e["status"] for e in result.data["_entities"]} == {"PENDING"}
    assert calls == 1, calls


@pytest.mark.parametrize("tier", [Tier.PUBLIC, Tier.DEVELOPER])
async def test_entities_refuse_reviews_below_the_analyst_tier(
    app: Starlette, stores: Stores, propose: Propose, tmp_path: Path, tier: Tier
) -> None:
    made = await propose()
    reps = [{"__typename": "Review", "id": made.review_id}] * 2
    result = await ask(app, stores, tier, tmp_path, REVIEW, reps)
    assert result.data["_entities"] == [None, None]
    assert [(e.path, e.extensions["code"]) for e in result.errors] == [
        (["_entities", 0], "forbidden"),
        (["_entities", 1], "forbidden"),
    ]


async def test_entities_missing_review_and_model_are_not_found_in_their_slots(
    app: Starlette, stores: Stores, propose: Propose, tmp_path: Path
) -> None:
    made = await propose()
    reviews = [
        {"__typename": "Review", "id": made.review_id},
        {"__typename": "Review", "id": "RV-000000000000"},
    ]
    found = await ask(app, stores, Tier.ANALYST, tmp_path, REVIEW, reviews)
    assert found.data["_entities"][0]["id"] == made.review_id
    assert found.data["_entities"][1] is None
    assert [(e.path, e.extensions["code"]) for e in found.errors] == [
        (["_entities", 1], "not_found")
    ]
    models = [{"__typename": "Model", "name": name} for name in (*MODELS, "weather")]
    listed = await ask(app, stores, Tier.PUBLIC, tmp_path, MODEL, models)
    assert [e and e["name"] for e in listed.data["_entities"]] == [*MODELS, None]
    assert all(e["trained"] is False for e in listed.data["_entities"][:-1])
    assert [(e.path, e.extensions["code"]) for e in listed.errors] == [
        (["_entities", len(MODELS)], "not_found")
    ]
