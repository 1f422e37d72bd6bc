"""Backend-neutral descriptions of what a caller wants from the graph."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Direction = Literal["out", "in"]


@dataclass(frozen=True)
class BBox:
    """A WGS84 bounding box. Requires south <= north and west <= east."""

    south: float
    west: float
    north: float
    east: float


@dataclass(frozen=True)
class Near:
    """A circle on the earth: centre and radius in metres."""

    lat: float
    lon: float
    radius_m: float


@dataclass(frozen=True)
class NodeQuery:
    """Nodes of one label, filtered, ordered by key, paged by key (keyset pagination).

    `equals` maps a property to the values it may take (SQL's IN); `ranges` bounds a property.
    Only keys strictly between `after` and `before` are taken; `limit` None means all.
    `descending` orders by key from the highest down (for pages taken from the end).
    """

    label: str
    equals: Mapping[str, Sequence[str]] = field(default_factory=dict)
    bbox: BBox | None = None
    near: Near | None = None
    after: str | None = None
    limit: int | None = None
    before: str | None = None
    descending: bool = False
    ranges: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    """Property -> (low, high), inclusive; None leaves that side open."""


@dataclass(frozen=True)
class Hop:
    """One relationship hop from a set of start nodes, e.g. Sensor -MOUNTED_ON-> Asset."""

    rel: str
    source: str
    target: str
    direction: Direction = "out"
    target_equals: Mapping[str, Sequence[str]] = field(default_factory=dict)


Link = tuple[str, str, str]
"""An outgoing relationship of a new node: (relationship type, target label, target key)."""
