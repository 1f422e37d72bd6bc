"""How long work reports its progress without knowing who shows it.

A model's `train` calls `progress(step, done)` with a short description of the step and the
fraction of the whole work done (0.0–1.0); the CLI draws it as a rich progress bar, tests pass
`quiet`.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Called with the current step's description and the fraction of the work done."""

    def __call__(self, step: str, done: float) -> None: ...


def quiet(step: str, done: float) -> None:
    """A progress that shows nothing."""
