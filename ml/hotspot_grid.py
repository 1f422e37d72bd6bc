"""The hotspot model's grid: square cells of about 250 m over Seoul's real area, each in one gu.

The 25 gu polygons (`seeds.districts.seoul_gu`, NGII boundaries in lon/lat) are projected to
metres in EPSG:5186 (Korea 2000 / Central Belt 2010, a transverse Mercator whose scale error is
below 0.01 % over Seoul), a square lattice with corners on multiples of the cell size is laid over
their bounding box, and a cell is kept when its centre falls inside one of the gu; it takes that
gu's code. Cells are addressed by index (0 … n-1, row-major from the south-west corner) and by
(row, col) in the lattice, whose raster form (`Grid.raster`) the ring features and the kernel
density use. Grids are built once per process and per (gu set, cell size) (cached).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely
from pyproj import Transformer

from ml.errors import MLError
from seeds.districts import seoul_gu

CELL_M = 250.0
"""Cell side in metres (Chainey et al. 2008 map at 250 m; about 1/4 of a city block group)."""

CRS = "EPSG:5186"
"""The projected CRS cells are laid in (metres)."""

_TO_METRES = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
_TO_LONLAT = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)

SEOUL_CENTRE_GU = "11140"
"""Jung-gu: sub-areas for small scales grow from it across shared borders."""


class UnknownGu(MLError):
    """A gu code that is not one of Seoul's 25 (e.g. "11999"), or an empty set of gu."""


@dataclass(frozen=True, eq=False)
class Grid:
    """Cells of `cell_m` metres whose centres fall inside the gu `gu_codes`.

    Per cell (arrays of length n_cells): `x`, `y` centre in metres (EPSG:5186), `row`, `col` in
    the lattice, `gu` the gu code of the cell's centre. `shape` is the lattice (rows, cols);
    `origin` its south-west corner in metres.
    """

    gu_codes: tuple[str, ...]
    cell_m: float
    origin: tuple[float, float]
    shape: tuple[int, int]
    row: np.ndarray
    col: np.ndarray
    x: np.ndarray
    y: np.ndarray
    gu: np.ndarray

    @property
    def n_cells(self) -> int:
        """The number of cells."""
        return int(self.x.shape[0])

    @property
    def cell_km2(self) -> float:
        """The area of one cell in km²."""
        return self.cell_m * self.cell_m / 1e6

    def raster(self, values: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """`values` (n_cells, …) laid on the lattice: (rows, cols, …), `fill` outside the area."""
        out = np.full((*self.shape, *values.shape[1:]), fill, dtype=np.result_type(values, fill))
        out[self.row, self.col] = values
        return out

    def cells_at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The index of the cell holding each point (metres, EPSG:5186), -1 outside the grid."""
        col = np.floor((np.asarray(x) - self.origin[0]) / self.cell_m).astype(np.int64)
        row = np.floor((np.asarray(y) - self.origin[1]) / self.cell_m).astype(np.int64)
        inside = (row >= 0) & (row < self.shape[0]) & (col >= 0) & (col < self.shape[1])
        index = np.full(self.shape, -1, dtype=np.int64)
        index[self.row, self.col] = np.arange(self.n_cells)
        out = np.full(row.shape, -1, dtype=np.int64)
        out[inside] = index[row[inside], col[inside]]
        return out

    def lonlat(self) -> tuple[np.ndarray, np.ndarray]:
        """Each cell centre's longitude and latitude (degrees, WGS 84)."""
        lon, lat = _TO_LONLAT.transform(self.x, self.y)
        return np.asarray(lon), np.asarray(lat)


def to_metres(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes (degrees, WGS 84) as x, y in metres (EPSG:5186)."""
    x, y = _TO_METRES.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def _project(coords: np.ndarray) -> np.ndarray:
    x, y = _TO_METRES.transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


@cache
def gu_polygons_m() -> dict[str, shapely.Geometry]:
    """Each gu code's boundary in metres (EPSG:5186). Cached; do not modify the result."""
    return {a.code: shapely.transform(a.geometry, _project) for a in seoul_gu()}


def sub_area(n_gu: int) -> tuple[str, ...]:
    """`n_gu` (1–25) contiguous gu grown from Jung-gu across shared borders, sorted by code.

    Breadth-first over the real adjacency (ml.features.gu_adjacency), nearest codes first, so
    a small scale trains on a connected piece of downtown Seoul.
    """
    from ml.features import gu_adjacency  # the adjacency loads the boundaries once

    codes, adjacency = gu_adjacency()
    if not 1 <= n_gu <= len(codes):
        raise UnknownGu(f"a sub-area has 1 to {len(codes)} gu, not {n_gu}")
    chosen = [codes.index(SEOUL_CENTRE_GU)]
    frontier = list(chosen)
    while len(chosen) < n_gu:
        here = frontier.pop(0)
        for other in np.flatnonzero(adjacency[here]):
            if int(other) not in chosen and len(chosen) < n_gu:
                chosen.append(int(other))
                frontier.append(int(other))
    return tuple(sorted(codes[i] for i in chosen))


@cache
def build_grid(gu_codes: tuple[str, ...], cell_m: float = CELL_M) -> Grid:
    """The grid over the gu `gu_codes` (UnknownGu for a code not in Seoul or an empty tuple).

    Requires cell_m > 0. Cached: the same arguments return the same (read-only) Grid.
    """
    polygons = gu_polygons_m()
    unknown = sorted(set(gu_codes) - set(polygons))
    if unknown or not gu_codes:
        raise UnknownGu(f"not Seoul gu codes: {unknown or 'none given'}")
    codes = tuple(sorted(set(gu_codes)))
    union = shapely.union_all([polygons[c] for c in codes])
    west, south, east, north = union.bounds
    x0 = np.floor(west / cell_m) * cell_m
    y0 = np.floor(south / cell_m) * cell_m
    cols = int(np.ceil((east - x0) / cell_m))
    rows = int(np.ceil((north - y0) / cell_m))
    row, col = np.divmod(np.arange(rows * cols), cols)
    x = x0 + (col + 0.5) * cell_m
    y = y0 + (row + 0.5) * cell_m
    gu = np.full(rows * cols, "", dtype="<U5")
    for code in codes:
        polygon = polygons[code]
        shapely.prepare(polygon)
        gu[(gu == "") & shapely.contains_xy(polygon, x, y)] = code
    keep = gu != ""
    arrays = [row[keep], col[keep], x[keep], y[keep], gu[keep]]
    for array in arrays:
        array.setflags(write=False)
    return Grid(codes, cell_m, (float(x0), float(y0)), (rows, cols), *arrays)
