"""The city's models by name: the module that trains each one, imported when first asked for.

Each module (`ml.routing`, `ml.water`, `ml.outbreak`, `ml.hotspots`) exposes NAME, DEFAULT_SCALE
and `train(*, scale, seed, progress) -> TrainedModel`; importing them lazily keeps LightGBM and
scikit-learn out of commands that never train.
"""

from __future__ import annotations

import importlib
from typing import Protocol, cast

from ml.progress import Progress
from ml.registry import MODELS, check_name
from ml.trained import TrainedModel

__all__ = ["MODELS", "ModelModule", "module_of"]


class ModelModule(Protocol):
    """What each model's module offers the CLI."""

    NAME: str
    DEFAULT_SCALE: float

    def train(self, *, scale: float, seed: int, progress: Progress) -> TrainedModel:
        """Train on the generator's draws and evaluate against the baselines."""
        ...


def module_of(name: str) -> ModelModule:
    """The module that trains model `name` (UnknownModel for a name not in MODELS)."""
    return cast(ModelModule, importlib.import_module(f"ml.{check_name(name)}"))
