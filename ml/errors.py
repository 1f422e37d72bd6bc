"""Errors the ml package raises on purpose."""

from __future__ import annotations

from graph.errors import CivicGraphError


class MLError(CivicGraphError):
    """Base of every error the ml package raises on purpose."""


class UnknownModel(MLError):
    """A model name that is not one of the city's models."""


class ModelNotTrained(MLError):
    """No trained version of a model is in the registry: it says how to train one."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"the {name} model has not been trained: run `civicgraph ml train {name}` "
            "(`make run` trains the small defaults on first run)"
        )
        self.name = name


class RegistryDamaged(MLError):
    """A registry entry whose files are missing or do not parse (edited or half-copied by hand)."""


MAX_SEED = 999
"""The largest training seed: up to it, every model's evaluation seeds are disjoint from its
training seeds (each model's `train` derives both from the seed; docs/analytics.md)."""


class InvalidScale(MLError):
    """A training scale outside (0, 1], or too small to train on."""


class InvalidSeed(MLError):
    """A training seed outside 0 to MAX_SEED."""


def check_training(scale: float, seed: int) -> None:
    """InvalidScale unless 0 < scale <= 1; InvalidSeed unless 0 <= seed <= MAX_SEED."""
    if not 0 < scale <= 1:
        raise InvalidScale(f"scale must be in (0, 1], got {scale}")
    if not 0 <= seed <= MAX_SEED:
        raise InvalidSeed(
            f"seed must be 0 to {MAX_SEED} (evaluation seeds stay disjoint from training "
            f"seeds there), got {seed}"
        )
