"""`models` and `model(name:)`: each of the city's models with its serving version and card, or
`trained: false` and how to train it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from civicgraph.app import create_app
from civicgraph.settings import Settings
from civicgraph.stores import Stores
from ml.registry import MODELS, Registry
from ml.trained import NEVER
from resolvers.analytics.types import ModelMetric
from tests.helpers import error_codes, graphql
from tests.ml.test_registry import tiny_model

MODELS_QUERY = """
{
  models {
    name trained howToTrain version sha256 trainedAt gitRevision meetsTargets features
    intendedUse notFor card
    metrics { metric unit model baselines { name value } target met higherIsBetter }
    data { generator generatorVersion settings trainSeeds evalSeeds trainRows evalRows }
  }
}
"""
MODEL = """
query ($name: String!) { model(name: $name) { name trained version } }
"""
TRAINED_AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
async def trained_client(
    settings: Settings, stores: Stores, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A client of an app whose registry serves a tiny water model (and nothing else), with
    that model's version."""
    root = tmp_path_factory.mktemp("ml")
    registry = Registry(root)
    stored = registry.add(tiny_model("water"), trained_at=TRAINED_AT)
    registry.promote("water", stored.version)
    application = create_app(settings.model_copy(update={"ml_dir": root}), stores)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://ml.test") as http:
            yield http, stored.version


async def test_models_lists_every_model_untrained_with_how_to_train(
    client: httpx.AsyncClient,
) -> None:
    # given the session's app, whose registry is empty
    # when anyone lists the models
    body = await graphql(client, MODELS_QUERY)
    # then each of the four is there, not trained, with the command that trains it
    assert "errors" not in body
    models = body["data"]["models"]  # type: ignore[index]
    assert [m["name"] for m in models] == list(MODELS)
    for found in models:
        assert found["trained"] is False
        assert f"civicgraph ml train {found['name']}" in found["howToTrain"]
        assert found["version"] is None
        assert found["card"] is None
        assert found["data"] is None
        assert found["metrics"] == []
        assert found["features"] == []


async def test_models_show_the_serving_version_with_its_card(
    trained_client: tuple[httpx.AsyncClient, str],
) -> None:
    # given a registry serving a tiny LightGBM water model
    http, version = trained_client
    # when the models are listed
    body = await graphql(http, MODELS_QUERY)
    # then water serves that version with its card's figures; the others are untrained
    assert "errors" not in body
    by_name = {m["name"]: m for m in body["data"]["models"]}  # type: ignore[index]
    water = by_name.pop("water")
    assert water["trained"] is True
    assert water["howToTrain"] is None
    assert water["version"] == version
    assert len(water["sha256"]) == 64
    assert water["sha256"].startswith(version[-8:])
    assert water["trainedAt"].startswith("2026-11-30T09:00:00")
    assert water["metrics"] == [
        {
            "metric": "precision",
            "unit": "",
            "model": 0.91,
            "baselines": [{"name": "cusum", "value": 0.72}],
            "target": "≥ cusum",
            "met": True,
            "higherIsBetter": True,
        }
    ]
    assert water["meetsTargets"] is True
    assert water["features"] == ["a", "b", "c"]
    assert water["intendedUse"] == "Send a sampling team."
    assert water["notFor"] == "Blaming a plant without a sample."
    assert water["data"] == {
        "generator": "ml.generators.water",
        "generatorVersion": "1",
        "settings": {"stations": 8},
        "trainSeeds": [0, 1],
        "evalSeeds": [10_000],
        "trainRows": 300,
        "evalRows": 100,
    }
    assert water["card"].startswith("# Model card: water")
    assert "| precision | 0.91 | cusum 0.72 | ≥ cusum | yes |" in water["card"]
    assert all(not m["trained"] for m in by_name.values())


async def test_model_by_name_and_an_unknown_name_is_not_found(
    trained_client: tuple[httpx.AsyncClient, str],
) -> None:
    http, version = trained_client
    found = await graphql(http, MODEL, {"name": "water"})
    assert found["data"] == {"model": {"name": "water", "trained": True, "version": version}}
    untrained = await graphql(http, MODEL, {"name": "routing"})
    assert untrained["data"] == {"model": {"name": "routing", "trained": False, "version": None}}
    unknown = await graphql(http, MODEL, {"name": "weather"})
    assert error_codes(unknown) == ["not_found"]
    assert unknown["errors"][0]["extensions"]["field"] == "name"  # type: ignore[index]


async def test_a_damaged_model_is_said_and_never_hides_the_others(
    settings: Settings, stores: Stores, tmp_path: Path
) -> None:
    # given a registry serving a water and an outbreak model, both then edited by hand
    registry = Registry(tmp_path)
    for name in ("water", "outbreak"):
        registry.promote(name, registry.add(tiny_model(name), trained_at=TRAINED_AT).version)
    (tmp_path / "water" / registry.current_version("water") / "card.json").write_text('"x"')  # type: ignore[operator]
    (tmp_path / "outbreak" / "current").write_text("../../etc\n")  # and the outbreak pointer
    application = create_app(settings.model_copy(update={"ml_dir": tmp_path}), stores)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://ml.test") as http:
            # when anyone lists the models
            body = await graphql(
                http, "{ models { name trained damaged version metrics { metric } } }"
            )
    # then the list answers: each damaged one says why it cannot serve, none fails
    assert "errors" not in body, body
    models = {m["name"]: m for m in body["data"]["models"]}  # type: ignore[index]
    assert models["water"]["trained"] is False
    assert "card.json is not an object" in models["water"]["damaged"]
    assert models["water"]["metrics"] == []
    assert "outbreak/current names no version" in models["outbreak"]["damaged"]
    # and no damage names a folder of the server (the list is public)
    assert all(str(tmp_path) not in (m["damaged"] or "") for m in models.values())
    assert models["routing"]["damaged"] is None


@pytest.mark.parametrize(
    ("stored", "want"),
    [(NEVER, None), (NEVER * 10, None), (9.0, 9.0), (0.0, 0.0)],
    ids=["never", "beyond-never", "hours", "zero"],
)
def test_a_baseline_that_never_detected_is_null(stored: float, want: float | None) -> None:
    # given a card's metric whose baseline holds ml.trained.NEVER (JSON has no infinity)
    metric = {
        "metric": "median detection delay",
        "unit": "h",
        "model": 7.25,
        "baselines": {"cusum": stored},
        "target": "< 6 h",
        "met": False,
    }
    # when the API reads it
    (baseline,) = ModelMetric.of(metric).baselines
    # then a never is null, anything else its value
    assert baseline.value == want
