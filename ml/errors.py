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
