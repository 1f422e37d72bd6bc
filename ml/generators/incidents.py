"""Street incidents over Seoul's grid with known intensity: the hotspot model's generator.

Structure (parameters in `IncidentSettings`):

- Background: an inhomogeneous Poisson process per cell and hour, a mixture of three kinds of
  incident, each with its own place and time (crime types cluster in different places, Andresen
  & Linning 2012): violence ∝ foot(c, h)^foot_exponent · exp(night_effect · pull(c) · night(h)),
  theft ∝ foot(c, h), burglary ∝ residential(c) · away(h), the first and last times
  exp(dark_effect · (1 − light(c)) · dark(h)). h is the hour of the week
  (ml.features.hour_of_week; a Korean public holiday takes Sunday's profile); foot, light, pull,
  residential the true layers of ml.generators.city_layers. Each kind is multiplied by
  exp(latent + gu): latent an unobserved smooth field of SD `latent_sd` and length `latent_m`
  (micro-places no layer explains; a share `latent_shared` common to the kinds), gu a per-gu
  effect correlated between neighbouring gu (half its own draw, half its neighbours' mean,
  ml.features.gu_adjacency). The kinds are scaled to their shares of the background, which is
  `weekly_per_km2` · (1 − branching) incidents per km² and week at EPOCH, and the whole is
  multiplied by exp(drift(c) · years since EPOCH), drift a smooth field (slow drift: later
  periods differ from earlier ones).
- Self-excitation (near repeats): each incident triggers Poisson(`branching`) more, delayed by an
  exponential of mean `trigger_days` and displaced by a Gaussian of SD `trigger_m` per axis, the
  ETAS/Hawkes form of Mohler et al. 2011 (JASA 106:100); near-repeat risk is highest within a
  few hundred metres and days (Johnson et al. 2007, J. Quant. Criminol. 23:201). The values are
  chosen, not fitted: about half the incidents are near repeats. Offspring outside the grid are
  lost.
- Reporting: an incident is recorded with a probability drawn per gu in [report_low,
  report_high] (under-reporting that varies by place); only recorded incidents are observable.

`generate` returns two objects: `Incidents`, what the platform sees (the observed environment
and the recorded incidents by cell and hour), and `IncidentTruth` (the intensity per cell-hour of
the weeks asked for, every incident with its recorded flag, the true layers). The intensity is the
conditional intensity given every true incident before each hour, integrated over the cell-hour.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ml.features import HOURS_PER_WEEK, gu_adjacency, hour_of_week, is_korean_holiday
from ml.generators.city_layers import CityLayers, Environment, draw_layers, week_profiles
from ml.hotspot_grid import Grid

GENERATOR_VERSION = "1"
EPOCH = np.datetime64("2025-01-05T15", "h")
"""Monday 6 January 2025, 00:00 in Seoul (UTC+9), as a UTC hour: hour 0 of week 0."""

_SUNDAY = 6 * 24


@dataclass(frozen=True)
class IncidentSettings:
    """The generator's parameters (rates per km² and week; lengths in metres; effects in log)."""

    weekly_per_km2: float = 4.0
    branching: float = 0.5
    trigger_days: float = 2.0
    trigger_m: float = 120.0
    violence_share: float = 0.4
    theft_share: float = 0.4
    burglary_share: float = 0.2
    foot_exponent: float = 0.6
    dark_effect: float = 1.0
    night_effect: float = 1.5
    latent_sd: float = 0.8
    latent_m: float = 250.0
    latent_shared: float = 0.3
    gu_sd: float = 0.25
    drift_per_year: float = 0.8
    report_low: float = 0.6
    report_high: float = 0.9

    def as_dict(self) -> dict[str, Any]:
        """The settings as JSON-able data (for the model card)."""
        return asdict(self)


@dataclass(frozen=True)
class Incidents:
    """What the platform sees: the environment and the recorded incidents.

    `cell`, `hour` (int arrays, one entry per recorded incident): the cell index and the hour
    since `start` (a datetime64[h] in UTC, Monday 00:00 in Seoul); `weeks` simulated.
    """

    grid: Grid
    environment: Environment
    start: np.datetime64
    weeks: int
    cell: np.ndarray
    hour: np.ndarray

    def counts(self, first_hour: int, hours: int) -> np.ndarray:
        """Recorded incidents per cell and hour in [first_hour, first_hour + hours): (n_cells,
        hours) int32."""
        keep = (self.hour >= first_hour) & (self.hour < first_hour + hours)
        out = np.zeros((self.grid.n_cells, hours), dtype=np.int32)
        np.add.at(out, (self.cell[keep], self.hour[keep] - first_hour), 1)
        return out

    def holiday_hours(self, first_hour: int, hours: int) -> np.ndarray:
        """True for each hour of [first_hour, first_hour + hours) on a Korean public holiday."""
        local = self.start + np.arange(first_hour, first_hour + hours) + np.timedelta64(9, "h")
        return is_korean_holiday(local.astype("datetime64[D]"))


@dataclass(frozen=True)
class IncidentTruth:
    """The generator's truth: intensity of the asked weeks, every incident, the true layers.

    `intensity` (len(weeks), n_cells, 168): expected incidents per cell-hour, recorded or not,
    given every incident before the hour; `day_ahead` the same given only the incidents before
    the hour's day began (the best a forecast made each midnight can know); `background` the
    same without self-excitation; events `x`, `y` (m), `time` (hours since
    start), `cell`, `recorded`, `triggered` (an offspring, not a background incident).
    """

    weeks: tuple[int, ...]
    intensity: np.ndarray
    day_ahead: np.ndarray
    background: np.ndarray
    x: np.ndarray
    y: np.ndarray
    time: np.ndarray
    cell: np.ndarray
    recorded: np.ndarray
    triggered: np.ndarray
    layers: CityLayers
    report_rate: dict[str, float]


def _effective_how(start: np.datetime64, first_hour: int, hours: int) -> np.ndarray:
    """Hour of the week of each hour, a Korean holiday's hours taking Sunday's."""
    times = start + np.arange(first_hour, first_hour + hours)
    how = hour_of_week(times).astype(np.int64)
    local_day = (times + np.timedelta64(9, "h")).astype("datetime64[D]")
    return np.where(is_korean_holiday(local_day), _SUNDAY + how % 24, how)


def _background_rate(
    grid: Grid, layers: CityLayers, rng: np.random.Generator, s: IncidentSettings
) -> tuple[np.ndarray, np.ndarray]:
    """(base (n_cells, 168) per cell-hour at EPOCH, drift (n_cells,) log change per year)."""
    from ml.generators.city_layers import smooth_field

    profiles = week_profiles()
    codes, adjacency = gu_adjacency()
    z = rng.normal(0.0, s.gu_sd, len(codes))
    gu_effect = dict(zip(codes, 0.5 * z + 0.5 * (adjacency @ z) / adjacency.sum(1), strict=True))
    dark = np.exp(s.dark_effect * np.outer(1.0 - layers.lighting, profiles["dark"]))
    components = {
        "violence": layers.foot_traffic**s.foot_exponent
        * np.exp(s.night_effect * np.outer(layers.nightlife_pull, profiles["night"]))
        * dark,
        "theft": layers.foot_traffic,
        "burglary": np.outer(layers.residential, profiles["away"]) * dark,
    }
    shares = {"violence": s.violence_share, "theft": s.theft_share, "burglary": s.burglary_share}
    shared = smooth_field(grid, rng, s.latent_m)
    gu = np.array([gu_effect[g] for g in grid.gu])
    rate = np.zeros_like(layers.foot_traffic)
    for kind, component in components.items():
        own = smooth_field(grid, rng, s.latent_m)
        place = s.latent_sd * (s.latent_shared * shared + np.sqrt(1 - s.latent_shared**2) * own)
        weighted = component * np.exp(place + gu)[:, None]
        rate += shares[kind] * weighted / weighted.sum()
    drift = s.drift_per_year * smooth_field(grid, rng, 2000.0) / 2.0
    target = s.weekly_per_km2 * (1.0 - s.branching) * grid.n_cells * grid.cell_km2
    return rate * (target / rate.sum()), drift


def _years(start: np.datetime64, week: int) -> float:
    return float((start - EPOCH).astype(np.int64) / (24 * 365.25) + week * 7 / 365.25)


def _offspring(
    grid: Grid,
    rng: np.random.Generator,
    x: np.ndarray,
    y: np.ndarray,
    t: np.ndarray,
    end: float,
    s: IncidentSettings,
) -> tuple[np.ndarray, ...]:
    """Every generation of triggered incidents of the parents (x, y, t), until none is left."""
    found: list[tuple[np.ndarray, ...]] = []
    while len(t):
        n = rng.poisson(s.branching, len(t))
        px, py, pt = (np.repeat(a, n) for a in (x, y, t))
        t = pt + rng.exponential(s.trigger_days * 24.0, len(pt))
        x = px + rng.normal(0.0, s.trigger_m, len(pt))
        y = py + rng.normal(0.0, s.trigger_m, len(pt))
        keep = (t < end) & (grid.cells_at(x, y) >= 0)
        x, y, t = x[keep], y[keep], t[keep]
        found.append((x, y, t))
    return tuple(np.concatenate([f[i] for f in found]) for i in range(3))


def _triggered_intensity(
    grid: Grid,
    x: np.ndarray,
    y: np.ndarray,
    t: np.ndarray,
    first_hour: int,
    hours: int,
    s: IncidentSettings,
) -> np.ndarray:
    """Σ over incidents of branching · (mass of its Gaussian in each cell) · (mass of its
    exponential delay in each hour), for the `hours` hours from first_hour: (n_cells, hours)."""
    # scipy imported here, not by every process that imports the feeds (the CLI's every command)
    from scipy import sparse
    from scipy.special import ndtr

    omega = s.trigger_days * 24.0
    keep = (t < first_hour + hours) & (t > first_hour - 12 * omega)
    x, y, t = x[keep], y[keep], t[keep]
    reach = int(np.ceil(3.5 * s.trigger_m / grid.cell_m))
    offsets = np.arange(-reach, reach + 1)
    col = np.floor((x - grid.origin[0]) / grid.cell_m).astype(np.int64)
    row = np.floor((y - grid.origin[1]) / grid.cell_m).astype(np.int64)
    index = np.full((grid.shape[0] + 2 * reach, grid.shape[1] + 2 * reach), -1, dtype=np.int64)
    index[grid.row + reach, grid.col + reach] = np.arange(grid.n_cells)

    def axis_mass(position: np.ndarray, cell: np.ndarray, origin: float) -> np.ndarray:
        lower = origin + (cell[:, None] + offsets[None, :]) * grid.cell_m
        upper = lower + grid.cell_m
        return np.asarray(
            ndtr((upper - position[:, None]) / s.trigger_m)
            - ndtr((lower - position[:, None]) / s.trigger_m)
        )

    mass = (
        axis_mass(y, row, grid.origin[1])[:, :, None]
        * axis_mass(x, col, grid.origin[0])[:, None, :]
    )
    cells = index[
        (row + reach)[:, None, None] + offsets[None, :, None],
        (col + reach)[:, None, None] + offsets[None, None, :],
    ]
    inside = cells >= 0
    event = np.broadcast_to(np.arange(len(t))[:, None, None], cells.shape)
    spread = sparse.csr_matrix(
        (s.branching * mass[inside], (cells[inside], event[inside])),
        shape=(grid.n_cells, len(t)),
    )
    times = first_hour + np.arange(hours, dtype=float)
    begin = np.maximum(times[None, :], t[:, None])
    end = times[None, :] + 1.0
    delay = np.where(
        end > t[:, None],
        np.exp(-(begin - t[:, None]) / omega) - np.exp(-(end - t[:, None]) / omega),
        0.0,
    )
    return np.asarray(spread @ delay)


def generate(
    grid: Grid,
    *,
    seed: int,
    weeks: int,
    truth_weeks: tuple[int, ...] = (),
    start: np.datetime64 = EPOCH,
    settings: IncidentSettings | None = None,
    layers: CityLayers | None = None,
) -> tuple[Incidents, IncidentTruth]:
    """Draw `weeks` weeks of incidents on `grid` from `start` (a Monday 00:00 Seoul, UTC hour).

    Requires weeks ≥ 1 and each of `truth_weeks` in [0, weeks). The same (grid, seed, weeks,
    start, settings, layers) give the same draw: the RNG is rebuilt from `seed` on each call.
    `layers` (on `grid`) are the city's environment; None (training and evaluation cities)
    draws them from `seed` first. A deployment passes its fixed environment, so that the
    incidents it feeds the platform and the environment its scoring reads are one city's.
    """
    s = settings or IncidentSettings()
    truth_weeks = tuple(sorted(set(truth_weeks)))
    if weeks < 1 or any(not 0 <= w < weeks for w in truth_weeks):
        raise ValueError(f"weeks={weeks} must be ≥ 1 and hold truth_weeks={truth_weeks}")
    rng = np.random.default_rng(seed)
    if layers is None:
        layers = draw_layers(grid, rng)
    elif np.shape(layers.foot_traffic) != (grid.n_cells, HOURS_PER_WEEK):
        raise ValueError(f"the layers are not on this grid of {grid.n_cells} cells")
    base, drift = _background_rate(grid, layers, rng, s)
    codes = sorted(set(grid.gu.tolist()))
    report = dict(zip(codes, rng.uniform(s.report_low, s.report_high, len(codes)), strict=True))
    hours = weeks * HOURS_PER_WEEK
    how = _effective_how(start, 0, hours)
    backgrounds = []
    xs, ys, ts = [], [], []
    for week in range(weeks):
        span = slice(week * HOURS_PER_WEEK, (week + 1) * HOURS_PER_WEEK)
        rate = base[:, how[span]] * np.exp(drift * _years(start, week))[:, None]
        if week in truth_weeks:
            backgrounds.append(rate)
        count = rng.poisson(rate)
        cell, hour = np.nonzero(count)
        cell, hour = np.repeat(cell, count[cell, hour]), np.repeat(hour, count[cell, hour])
        xs.append(grid.x[cell] + rng.uniform(-0.5, 0.5, len(cell)) * grid.cell_m)
        ys.append(grid.y[cell] + rng.uniform(-0.5, 0.5, len(cell)) * grid.cell_m)
        ts.append(week * HOURS_PER_WEEK + hour + rng.uniform(0.0, 1.0, len(cell)))
    bx, by, bt = np.concatenate(xs), np.concatenate(ys), np.concatenate(ts)
    ox, oy, ot = _offspring(grid, rng, bx, by, bt, float(hours), s)
    x, y, t = np.r_[bx, ox], np.r_[by, oy], np.r_[bt, ot]
    triggered = np.r_[np.zeros(len(bt), bool), np.ones(len(ot), bool)]
    order = np.argsort(t, kind="stable")
    x, y, t, triggered = x[order], y[order], t[order], triggered[order]
    cell = grid.cells_at(x, y)
    recorded = rng.random(len(t)) < np.array([report[g] for g in grid.gu[cell]])
    intensity = np.zeros((len(truth_weeks), grid.n_cells, HOURS_PER_WEEK))
    day_ahead = np.zeros_like(intensity)
    for i, (week, bg) in enumerate(zip(truth_weeks, backgrounds, strict=True)):
        first = week * HOURS_PER_WEEK
        intensity[i] = bg + _triggered_intensity(grid, x, y, t, first, HOURS_PER_WEEK, s)
        for day in range(7):
            hours_of_day = slice(day * 24, day * 24 + 24)
            known = t < first + day * 24
            day_ahead[i, :, hours_of_day] = bg[:, hours_of_day] + _triggered_intensity(
                grid, x[known], y[known], t[known], first + day * 24, 24, s
            )
    observed = Incidents(
        grid, layers.observed, start, weeks, cell[recorded], np.floor(t[recorded]).astype(np.int64)
    )
    truth = IncidentTruth(
        tuple(truth_weeks),
        intensity,
        day_ahead,
        np.stack(backgrounds) if backgrounds else np.zeros_like(intensity),
        x,
        y,
        t,
        cell,
        recorded,
        triggered,
        layers,
        report,
    )
    return observed, truth
