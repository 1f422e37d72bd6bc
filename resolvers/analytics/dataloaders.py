"""DataLoaders of the analytics domain: serving models by name, reviews by id, predictions by
key and their recent history, water stations by id.

A model's card is read from the registry once per request however many fields (and aliases)
ask for it; reviews and predictions are one records query per batch, stations one graph read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from graph.records.predictions import PredictionRow, predictions_by_key, subjects_history
from graph.records.reviews import find_reviews
from ml.errors import ModelNotTrained, RegistryDamaged
from ml.registry import StoredModel
from ml.review import Review
from resolvers.core import clock
from resolvers.core.dataloaders import ContextLoader, NodeByKeyLoader


@dataclass(frozen=True)
class NotTrained:
    """A model of the city with no serving version: `how` says how to train it."""

    name: str
    how: str


@dataclass(frozen=True)
class Damaged:
    """A model whose registry entry cannot serve (edited or half-copied by hand): `why`."""

    name: str
    why: str


class ServingModelByNameLoader(ContextLoader[str, StoredModel | NotTrained | Damaged]):
    """The serving version of each model (names checked by the caller: ml.registry.MODELS);
    NotTrained for a model never trained, Damaged for one whose entry cannot serve, so that
    one damaged model never hides the others. Any other error fails its own key."""

    async def batch_load(
        self, keys: list[str]
    ) -> Sequence[StoredModel | NotTrained | Damaged | BaseException]:
        registry = self.context.the_models()

        def load(name: str) -> StoredModel | NotTrained | Damaged | BaseException:
            try:
                return registry.load(name)
            except ModelNotTrained as missing:
                return NotTrained(name, str(missing))
            except RegistryDamaged as damaged:
                return Damaged(name, str(damaged))
            except Exception as error:  # a bug fails its own key, not the batch
                return error

        # reading a card and hashing a model file are disk work: off the event loop
        return await asyncio.to_thread(lambda: [load(name) for name in keys])


class ReviewByIdLoader(ContextLoader[str, Review | None]):
    """Reviews (pending or decided) by id; None for an id that names none."""

    async def batch_load(self, keys: list[str]) -> Sequence[Review | None]:
        found = await find_reviews(self.context.records, keys)
        return [Review.from_row(found[key]) if key in found else None for key in keys]


class PredictionByKeyLoader(ContextLoader[tuple[str, str, int], PredictionRow | None]):
    """Predictions by (kind, subject, window_start); None for a key with no row."""

    async def batch_load(self, keys: list[tuple[str, str, int]]) -> Sequence[PredictionRow | None]:
        found = await predictions_by_key(self.context.records, keys)
        return [found.get(key) for key in keys]


class HistoryLoader(ContextLoader[tuple[str, str, int], list[PredictionRow]]):
    """Recent windows by (kind, subject, hours): each subject's windows of the kind that start
    in the `hours` before the batch runs, oldest first; one records query per (kind, hours)
    however many predictions of the answer ask (`Prediction.history`, `predictionHistory`).
    Hours are checked by the caller (1 to MAX_HISTORY)."""

    async def batch_load(self, keys: list[tuple[str, str, int]]) -> Sequence[list[PredictionRow]]:
        now = int(clock.utc_now().timestamp())
        groups: dict[tuple[str, int], list[str]] = {}
        for kind, subject, hours in keys:
            groups.setdefault((kind, hours), []).append(subject)
        found: dict[tuple[str, str, int], list[PredictionRow]] = {}
        for (kind, hours), subjects in groups.items():
            by_subject = await subjects_history(
                self.context.records, kind, list(dict.fromkeys(subjects)), now - hours * 3600
            )
            found |= {(kind, subject, hours): rows for subject, rows in by_subject.items()}
        return [found[key] for key in keys]


class StationByIdLoader(NodeByKeyLoader):
    """Sensor nodes by id: a water prediction's station, for its position (the graph's
    `lat`/`lon`). The sensing domain owns Sensor; this domain reads the node, not its type."""

    label = "Sensor"
