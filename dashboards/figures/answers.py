"""Reading a GraphQL answer's `data` safely: any step may be missing or null (a refused or
failed source), and a figure then shows "–" instead of raising."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Data = Mapping[str, Any] | None
"""A source's `data` (None when nothing ran)."""


def get(data: Any, *path: str) -> Any:
    """The value at `path` under `data`, or None when a step is missing or not an object."""
    value: Any = data
    for step in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def rows_at(data: Any, *path: str) -> list[Mapping[str, Any]]:
    """The list of objects at `path` (empty when missing); non-objects in it are skipped."""
    value = get(data, *path)
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    return [row for row in value if isinstance(row, Mapping)]
