"""The environment the incident generator draws: lighting, foot traffic, nightlife and transit.

Each layer has spatial structure on the hotspot grid (ml.hotspot_grid): smooth Gaussian random
fields (white noise filtered with a Gaussian of a stated length), transit stations placed more
densely where the city is denser (about 0.55 per km², Seoul's ~330 subway stations over 605 km²),
entertainment districts at the real centres of Seoul's nightlife areas that fall inside the grid
(approximate centres read off public maps, strengths drawn per seed) plus a few drawn at random,
and foot traffic as three hour-of-week profiles (commuting, daytime leisure, nightlife) each with
its own spatial weight. A layer's true value drives the incidents; what the model and the
platform see is `observed`: lighting with sensor noise, foot traffic with a per-cell
multiplicative bias (people-counter estimates), exact point positions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.features import HOURS_PER_WEEK
from ml.hotspot_grid import Grid, to_metres

NIGHTLIFE_LONLAT = (
    (126.9235, 37.5563),  # Hongdae, Mapo-gu
    (126.9368, 37.5597),  # Sinchon, Seodaemun-gu
    (126.9946, 37.5345),  # Itaewon, Yongsan-gu
    (127.0276, 37.4979),  # Gangnam station, Gangnam-gu / Seocho-gu
    (127.0286, 37.5270),  # Sinsa / Apgujeong, Gangnam-gu
    (126.9918, 37.5714),  # Jongno 3-ga, Jongno-gu
    (126.9860, 37.5637),  # Myeongdong, Jung-gu
    (127.0018, 37.5822),  # Daehangno, Jongno-gu
    (127.0701, 37.5404),  # Konkuk University, Gwangjin-gu
    (126.9071, 37.5157),  # Yeongdeungpo station, Yeongdeungpo-gu
    (127.1110, 37.5120),  # Jamsil Bangi-dong, Songpa-gu
    (126.9294, 37.4842),  # Sillim, Gwanak-gu
    (126.9816, 37.4766),  # Sadang, Dongjak-gu
    (126.8913, 37.5088),  # Sindorim, Guro-gu
    (126.8497, 37.5414),  # Hwagok, Gangseo-gu
    (127.0254, 37.6380),  # Suyu, Gangbuk-gu
    (127.0448, 37.5802),  # Cheongnyangni, Dongdaemun-gu
    (127.0616, 37.6551),  # Nowon station, Nowon-gu
    (126.9210, 37.6190),  # Yeonsinnae, Eunpyeong-gu
    (127.1238, 37.5386),  # Cheonho, Gangdong-gu
)
"""Approximate centres (lon, lat) of Seoul's nightlife districts."""

STATIONS_PER_KM2 = 0.55
NIGHTLIFE_DECAY_M = 400.0
STATION_DECAY_M = 350.0


def week_profiles() -> dict[str, np.ndarray]:
    """Hour-of-week profiles (each 168 values, hour 0 = Monday 00:00 Seoul time).

    commute: weekday peaks at 08 and 18 h; leisure: 11–22 h, higher at weekends; night: 20–03 h,
    strongest on Friday and Saturday nights; dark: 1 from 19 h to 06 h (a year-round
    approximation of Seoul's night); away: homes empty, 09–18 h on weekdays, half at weekends.
    """
    hour = np.arange(HOURS_PER_WEEK)
    day, hod = np.divmod(hour, 24)
    weekday = day < 5

    def bump(centre: float, width: float) -> np.ndarray:
        return np.asarray(np.exp(-0.5 * ((hod - centre) / width) ** 2))

    commute = np.where(
        weekday, 0.15 + bump(8, 1.2) + 0.9 * bump(18.5, 1.5), 0.1 + 0.2 * bump(14, 4)
    )
    leisure = np.where((hod >= 10) & (hod <= 22), 1.0, 0.15) * np.where(weekday, 0.6, 1.0)
    # hours after midnight belong to the previous evening's night out
    evening_day = np.where(hod < 6, (day - 1) % 7, day)
    night_hours = np.clip(1.0 - np.abs(((hod + 4) % 24) - 4) / 5.0, 0.0, 1.0)  # peak at 0 h
    night_weight = np.select([evening_day == 4, evening_day == 5], [2.2, 2.5], 1.0)
    night = night_hours * night_weight
    dark = ((hod >= 19) | (hod < 6)).astype(float)
    away = np.where((hod >= 9) & (hod < 18), np.where(weekday, 1.0, 0.5), 0.15)
    return {"commute": commute, "leisure": leisure, "night": night, "dark": dark, "away": away}


def smooth_field(grid: Grid, rng: np.random.Generator, length_m: float) -> np.ndarray:
    """A Gaussian random field over the cells (n_cells,), mean 0 and SD 1 over the area.

    White noise on the lattice filtered by a Gaussian of SD `length_m` metres.
    """
    # scipy imported here, not by every process that imports the feeds (the CLI's every command)
    from scipy.ndimage import gaussian_filter

    noise = rng.standard_normal(grid.shape)
    field = gaussian_filter(noise, sigma=length_m / grid.cell_m, mode="reflect")[grid.row, grid.col]
    return np.asarray((field - field.mean()) / max(float(field.std()), 1e-12))


def distance_to_nearest(grid: Grid, points: np.ndarray) -> np.ndarray:
    """Each cell centre's distance (m) to the nearest of `points` (k, 2) in metres; inf if k = 0."""
    if len(points) == 0:
        return np.full(grid.n_cells, np.inf)
    from scipy.spatial import cKDTree  # imported here: see smooth_field

    distance, _ = cKDTree(points).query(np.column_stack([grid.x, grid.y]))
    return np.asarray(distance)


def decayed_sum(grid: Grid, points: np.ndarray, weights: np.ndarray, decay_m: float) -> np.ndarray:
    """Σ_j weights_j · exp(-d(cell, point_j) / decay_m) per cell (n_cells,)."""
    if len(points) == 0:
        return np.zeros(grid.n_cells)
    dx = grid.x[:, None] - points[None, :, 0]
    dy = grid.y[:, None] - points[None, :, 1]
    return np.asarray(np.exp(-np.hypot(dx, dy) / decay_m) @ weights)


@dataclass(frozen=True)
class Environment:
    """What the platform knows of the places (the model's environment input).

    `lighting` (n_cells,) street-lighting level 0–1; `foot_traffic` (n_cells, 168) people per
    cell-hour relative to the area's mean (1.0) for each hour of the week; `nightlife` (k, 2) and
    `stations` (s, 2) points in metres (EPSG:5186).
    """

    lighting: np.ndarray
    foot_traffic: np.ndarray
    nightlife: np.ndarray
    stations: np.ndarray


@dataclass(frozen=True)
class CityLayers:
    """The true layers (what drives incidents) and the `observed` environment.

    `residential` (n_cells,) 0–1: homes rather than shops and offices (away from the dense
    centre and from stations); the platform has no layer of it (the model reads it, if at all,
    through lighting and foot traffic).
    """

    lighting: np.ndarray
    foot_traffic: np.ndarray
    nightlife_pull: np.ndarray
    residential: np.ndarray
    observed: Environment


def draw_layers(grid: Grid, rng: np.random.Generator) -> CityLayers:
    """Draw a city's environment on `grid` from `rng` (see the module docstring)."""
    area_km2 = grid.n_cells * grid.cell_km2
    urban = smooth_field(grid, rng, 1500.0)
    # transit stations, denser where the city is denser
    n_stations = max(1, int(rng.poisson(STATIONS_PER_KM2 * area_km2)))
    chance = np.exp(1.2 * urban)
    cells = rng.choice(grid.n_cells, size=n_stations, replace=False, p=chance / chance.sum())
    jitter = rng.uniform(-0.5, 0.5, size=(n_stations, 2)) * grid.cell_m
    stations = np.column_stack([grid.x[cells], grid.y[cells]]) + jitter
    # nightlife: the real districts inside the area, plus a few drawn at random
    lon, lat = np.array(NIGHTLIFE_LONLAT).T
    nx, ny = to_metres(lon, lat)
    inside = grid.cells_at(nx, ny) >= 0
    real = np.column_stack([nx[inside], ny[inside]])
    n_extra = int(rng.poisson(area_km2 / 60.0)) + (1 if len(real) == 0 else 0)
    extra_cells = rng.choice(grid.n_cells, size=n_extra, replace=False, p=chance / chance.sum())
    extra = np.column_stack([grid.x[extra_cells], grid.y[extra_cells]])
    nightlife = np.vstack([real, extra]).reshape(-1, 2)
    strength = (
        rng.lognormal(0.0, 0.4, len(nightlife)) * np.r_[np.ones(len(real)), np.full(n_extra, 0.6)]
    )
    pull = decayed_sum(grid, nightlife, strength, NIGHTLIFE_DECAY_M)
    near_station = decayed_sum(grid, stations, np.ones(n_stations), STATION_DECAY_M)
    # street lighting: brighter downtown, near stations and nightlife
    light_score = (
        0.9 * urban + 1.5 * near_station + 1.2 * pull + 0.6 * smooth_field(grid, rng, 300.0) - 0.4
    )
    lighting = 1.0 / (1.0 + np.exp(-light_score))
    # foot traffic: commuting around stations, leisure where dense, nightlife around districts
    profiles = week_profiles()
    commute_base = np.exp(0.6 * urban) * (0.2 + near_station)
    leisure_base = np.exp(0.5 * urban + 0.4 * smooth_field(grid, rng, 800.0))
    foot = (
        np.outer(commute_base, profiles["commute"])
        + np.outer(leisure_base, profiles["leisure"])
        + np.outer(1.5 * pull, profiles["night"])
        + 0.02
    )
    foot /= foot.mean()
    observed = Environment(
        lighting=np.clip(lighting + rng.normal(0.0, 0.05, grid.n_cells), 0.0, 1.0),
        foot_traffic=foot * rng.lognormal(0.0, 0.15, grid.n_cells)[:, None],
        nightlife=nightlife,
        stations=stations,
    )
    residential = 1.0 / (1.0 + np.exp(1.2 * urban + 1.5 * near_station - 0.5))
    return CityLayers(lighting, foot, pull, residential, observed)
