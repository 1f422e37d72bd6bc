"""Random points inside real boundaries, reproducible from a numpy Generator."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry


def points_in(geometry: BaseGeometry, count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` uniform points inside `geometry`, as an array of (lat, lon) rows."""
    out = np.empty((0, 2))
    if count <= 0:
        return out
    west, south, east, north = geometry.bounds
    shapely.prepare(geometry)
    while len(out) < count:
        need = (count - len(out)) * 2 + 8
        lon = rng.uniform(west, east, need)
        lat = rng.uniform(south, north, need)
        inside = shapely.contains_xy(geometry, lon, lat)
        out = np.vstack([out, np.column_stack([lat[inside], lon[inside]])])
    return out[:count]
