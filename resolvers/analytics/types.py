"""GraphQL types of the analytics domain: the city's models with their cards.

A model's fields come from the card `civicgraph ml train` wrote beside its serving version
(ml.card): the metrics of the same run beside each baseline, the data's generator and seeds,
what the model is for and what it must not be used for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from ml.card import card_markdown as markdown_of
from ml.errors import UnknownModel
from ml.registry import StoredModel, check_name
from ml.trained import NEVER
from resolvers.analytics.dataloaders import Damaged, NotTrained, ServingModelByNameLoader
from resolvers.core.errors import not_found
from resolvers.core.info import Info


@strawberry.type(description="A baseline's value of a metric, measured in the model's run.")
class Baseline:
    name: str = strawberry.field(description="The baseline, e.g. tfidf_logreg, ears_c2, cusum.")
    value: float | None = strawberry.field(
        description="The baseline's value in the metric's unit; null for never (e.g. a "
        "detection delay of a baseline that detected no event)."
    )

    @classmethod
    def of(cls, name: str, value: float) -> Baseline:
        """A card's baseline; a value of ml.trained.NEVER or more (the card's "never", JSON
        having no infinity) is null."""
        return cls(name=name, value=None if value >= NEVER else value)


@strawberry.type(description="One metric of a model beside its baselines (model card).")
class ModelMetric:
    metric: str = strawberry.field(description="e.g. macro_f1, sensitivity, pai.")
    unit: str = strawberry.field(description="The unit of the values; empty for a ratio.")
    model: float = strawberry.field(description="The model's value on the evaluation draws.")
    baselines: list[Baseline] = strawberry.field(description="Each baseline, on the same draws.")
    target: str = strawberry.field(description="What the model must reach, e.g. ≥ cusum.")
    met: bool = strawberry.field(description="Whether the model reached the target.")
    higher_is_better: bool

    @classmethod
    def of(cls, metric: dict[str, Any]) -> ModelMetric:
        return cls(
            metric=str(metric["metric"]),
            unit=str(metric.get("unit", "")),
            model=float(metric["model"]),
            baselines=[Baseline.of(str(k), float(v)) for k, v in metric["baselines"].items()],
            target=str(metric["target"]),
            met=bool(metric["met"]),
            higher_is_better=bool(metric.get("higher_is_better", True)),
        )


@strawberry.type(
    description="Where a model's training and evaluation data came from: a generator with "
    "known truth, and disjoint seeds for training and evaluation."
)
class TrainingData:
    generator: str = strawberry.field(
        description="The generator's module, e.g. ml.generators.water."
    )
    generator_version: str
    settings: JSON = strawberry.field(description="The generator's settings, as JSON.")
    train_seeds: list[int]
    eval_seeds: list[int]
    train_rows: int
    eval_rows: int

    @classmethod
    def of(cls, data: dict[str, Any]) -> TrainingData:
        return cls(
            generator=str(data["generator"]),
            generator_version=str(data["generator_version"]),
            settings=JSON(dict(data.get("settings", {}))),
            train_seeds=[int(s) for s in data["train_seeds"]],
            eval_seeds=[int(s) for s in data["eval_seeds"]],
            train_rows=int(data["train_rows"]),
            eval_rows=int(data["eval_rows"]),
        )


@strawberry.federation.type(
    keys=["name"],
    description="One of the city's models (routing, water, outbreak, hotspots) and the version "
    "that serves, with its model card; a model never trained says how to train it.",
)
class Model:
    name: str
    stored: strawberry.Private[StoredModel | None]
    missing: strawberry.Private[str | None]
    why_damaged: strawberry.Private[str | None] = None

    @strawberry.field(description="Whether a version of the model serves.")
    def trained(self) -> bool:
        return self.stored is not None

    @strawberry.field(
        description="How to train the model, when it was never trained; null once it serves."
    )
    def how_to_train(self) -> str | None:
        return self.missing

    @strawberry.field(
        description="Why the registry cannot serve this model (its entry was edited or "
        "half-copied by hand) and how to repair it; null when it serves or was never trained."
    )
    def damaged(self) -> str | None:
        return self.why_damaged

    @strawberry.field(description="The serving version: training time and model-file hash.")
    def version(self) -> str | None:
        return self.stored.version if self.stored else None

    @strawberry.field(
        description="SHA-256 of the serving model file, hex (its model.deployed "
        "log entry names the same)."
    )
    def sha256(self) -> str | None:
        return self.stored.sha256 if self.stored else None

    @strawberry.field(description="When the serving version was trained.")
    def trained_at(self) -> datetime | None:
        return datetime.fromisoformat(self._card["trained_at"]) if self.stored else None

    @strawberry.field(description="The code's git revision that trained it.")
    def git_revision(self) -> str | None:
        return str(self._card.get("git_revision", "unknown")) if self.stored else None

    @strawberry.field(description="Each metric beside its baselines, measured in one run.")
    def metrics(self) -> list[ModelMetric]:
        return [ModelMetric.of(m) for m in self._card.get("metrics", [])]

    @strawberry.field(description="Whether every metric reached its target.")
    def meets_targets(self) -> bool | None:
        return bool(self._card.get("meets_targets")) if self.stored else None

    @strawberry.field(description="The features the model reads, in its input order.")
    def features(self) -> list[str]:
        return [str(f) for f in self._card.get("features", [])]

    @strawberry.field(description="What the model is for.")
    def intended_use(self) -> str | None:
        return self._card.get("intended_use") if self.stored else None

    @strawberry.field(description="What the model must not be used for.")
    def not_for(self) -> str | None:
        return self._card.get("not_for") if self.stored else None

    @strawberry.field(description="The generator of its data and the seeds of each split.")
    def data(self) -> TrainingData | None:
        return TrainingData.of(self._card["data"]) if self.stored else None

    @strawberry.field(description="The model card as Markdown, for people.")
    def card(self) -> str | None:
        return markdown_of(self._card) if self.stored else None

    @property
    def _card(self) -> dict[str, Any]:
        return self.stored.card if self.stored is not None else {}

    @classmethod
    async def resolve_reference(cls, info: Info, name: str) -> Model:
        """Federation's `_entities` door: the model by name (NOT_FOUND for no model of the
        city's)."""
        return await model_named(info, name)

    @classmethod
    def of(cls, name: str, loaded: StoredModel | NotTrained | Damaged) -> Model:
        if isinstance(loaded, NotTrained):
            return cls(name=name, stored=None, missing=loaded.how)
        if isinstance(loaded, Damaged):
            return cls(name=name, stored=None, missing=None, why_damaged=loaded.why)
        return cls(name=name, stored=loaded, missing=None)


async def model_named(info: Info, name: str) -> Model:
    """The model `name` with its serving version. Raises NOT_FOUND for a name that is not one
    of ml.registry.MODELS; a damaged registry entry is the model's `damaged` reason."""
    try:
        check_name(name)
    except UnknownModel:
        raise not_found("model", name, "name") from None
    return Model.of(name, await info.context.loader(ServingModelByNameLoader).load(name))
