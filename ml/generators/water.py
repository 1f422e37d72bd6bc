"""Hourly Han River water quality at stations along the river, with injected pollution events.

Synthetic, with known truth; no real station, position or measurement is represented. Stations
are neutral ("Han River km 0", "Han River km 6", …), ordered upstream → downstream, `spacing_km`
apart. Six measures (MEASURES, units in UNITS) each hour, times in UTC (`datetime64[h]`), local
hours in Seoul (UTC+9). The structure, each part a setting of `WaterSettings`:

- seasons and days: water temperature follows a yearly cycle (coldest late January) and a daily
  one (warmest mid-afternoon); dissolved oxygen follows the temperature through oxygen solubility
  in fresh water (`do_saturation`) and a daily photosynthesis swing, as does pH;
- rain (natural, not pollution): river-wide storms, three times as frequent in June–September,
  reach every station within a few hours (each with its own tributary share) and raise turbidity
  several-fold, nitrogen and phosphorus, and lower DO and pH a little;
- sensor faults: isolated missing readings, station outages (every measure missing for hours),
  stuck sensors (one measure repeats its value for 6–48 h) and drift or fouling (one measure
  drifts linearly for 1–3 weeks, then is cleaned back);
- pollution, the events a model must find: sewage overflow (TN, TP and turbidity up, DO and a
  little pH down; a share start with a storm, as combined-sewer overflows do), industrial spill
  (pH shifts up or down; made rarer on weekends and Korean public holidays through
  `ml.features`, a generator assumption, not a measured fact) and sediment (turbidity, some TP).
  Each starts at an origin station, ramps up, holds, ramps down, and travels downstream at
  `flow_km_per_h`, weakening by exp(−distance / `reach_km`); a station counts as affected (in
  the truth, for the event's hours there) while that factor is at least `affected_fraction`,
  whatever the event's magnitude (0.25–1 of the kind's full effect: weak events count too).

`generate(seed, settings)` returns `(WaterObserved, WaterTruth)`: what a deployed model sees
(readings with NaN for missing) and, separately, the events, affected hours, rain and faults.
The same seed and settings give the same draw.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ml.features import is_korean_holiday
from seeds import han_river

GENERATOR_VERSION = "1"

MEASURES = han_river.MEASURES
"""The measures, in the order of the last axis of `WaterObserved.values`: what the platform's
river stations report (seeds/han_river.py)."""

UNITS = {
    "dissolved_oxygen": "mg/L",
    "total_nitrogen": "mg/L",
    "total_phosphorus": "mg/L",
    "turbidity": "NTU",
    "water_temperature": "°C",
    "ph": "pH",
}

KINDS = ("sewage", "industrial", "sediment")
"""Kinds of pollution event."""

HOURS_PER_MONTH = 730.5
"""Hours in a mean month (365.25 × 24 / 12): false alarms are counted per station-month."""

DO, TN, TP, TURB, TEMP, PH = range(6)

# Each kind's change at full strength (magnitude 1, at the origin), per measure.
_EFFECT = {
    "sewage": {TN: 2.0, TP: 0.25, DO: -2.5, TURB: 8.0, PH: -0.15},
    "industrial": {PH: 1.0, TN: 0.3},
    "sediment": {TURB: 40.0, TP: 0.05},
}
_KIND_SHARE = (0.45, 0.25, 0.30)


@dataclass(frozen=True)
class WaterSettings:
    """The generator's parameters (rates are per month of 730.5 hours)."""

    stations: int = 8
    days: int = 120
    spacing_km: float = 6.0
    flow_km_per_h: float = 3.0
    reach_km: float = 25.0
    affected_fraction: float = 0.35
    events_per_month: float = 3.0
    storms_per_month: float = 2.0
    sewage_with_storm: float = 0.3
    missing_rate: float = 0.02
    outages_per_station_month: float = 1.0
    stuck_per_station_month: float = 0.5
    drifts_per_station_month: float = 0.3

    def as_dict(self) -> dict[str, Any]:
        """The settings as JSON-able data (for the model card)."""
        return asdict(self)


@dataclass(frozen=True)
class WaterObserved:
    """What the stations report.

    `times`: (hours,) datetime64[h] in UTC, consecutive; `stations`: names, upstream first;
    `km`: (stations,) position along the river; `values`: (stations, hours, 6) float, measures in
    MEASURES order and UNITS, NaN where a reading is missing.
    """

    times: np.ndarray
    stations: tuple[str, ...]
    km: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class PollutionEvent:
    """One injected event: its kind, origin station, onset hour (index into `times`), how long it
    holds at the origin (hours) and its magnitude (1 = the kind's full effect); `reached` lists
    (station, first hour, last hour) for each station where it counts as affecting the river."""

    kind: str
    origin: int
    onset: int
    duration: int
    magnitude: float
    reached: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True)
class WaterTruth:
    """What happened: `events`; `affected` (stations, hours) bool; `rain` (stations, hours) the
    storm runoff's strength (0 = none); `faults` (stations, hours, 6) bool, readings that are
    missing, stuck or drifting."""

    events: tuple[PollutionEvent, ...]
    affected: np.ndarray
    rain: np.ndarray
    faults: np.ndarray


def do_saturation(temperature: np.ndarray) -> np.ndarray:
    """Oxygen solubility in fresh water at sea-level pressure (mg/L) at `temperature` (°C).

    The cubic fit 14.652 − 0.41022 T + 0.007991 T² − 0.000077774 T³, after Elmore & Hayes (1960),
    as tabulated in water-quality modelling texts; fit for 0–30 °C.
    """
    t = temperature
    return 14.652 - 0.41022 * t + 0.007991 * t**2 - 0.000077774 * t**3


def _ar1(rng: np.random.Generator, shape: tuple[int, ...], phi: float, sd: float) -> np.ndarray:
    """AR(1) noise along the last axis with stationary standard deviation `sd`."""
    # imported here: scipy.signal takes ~1.7 s to import, and every process that builds the
    # schema (the CLI's every command) reads this module's MEASURES
    from scipy.signal import lfilter

    shocks = rng.normal(0.0, sd * np.sqrt(1 - phi**2), size=shape)
    first = rng.normal(0.0, sd, size=shape[:-1])
    shocks[..., 0] = first
    return np.asarray(lfilter([1.0], [1.0, -phi], shocks, axis=-1))


def _count(rng: np.random.Generator, rate_per_month: float, hours: int) -> int:
    return int(rng.poisson(rate_per_month * hours / HOURS_PER_MONTH))


def _storms(
    rng: np.random.Generator, settings: WaterSettings, months: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """River-wide storm runoff (hours,) and the storm onsets' hours."""
    hours = len(months)
    wet = np.isin(months, (6, 7, 8, 9))
    weight = np.where(wet, 3.0, 1.0)
    mean_weight = weight.mean()
    n = _count(rng, settings.storms_per_month * mean_weight, hours)
    onsets = rng.choice(hours, size=n, p=weight / weight.sum()) if n else np.zeros(0, int)
    runoff = np.zeros(hours)
    t = np.arange(hours)
    for onset in np.sort(onsets):
        size = rng.lognormal(0.0, 0.5)
        rise = rng.uniform(3, 8)
        fall = rng.uniform(12, 36)
        lag = t - onset
        pulse = np.where(
            lag < 0, 0.0, np.where(lag < rise, lag / rise, np.exp(-(lag - rise) / fall))
        )
        runoff += size * pulse
    return np.minimum(runoff, 4.0), np.sort(onsets)


def _event_profile(hours: int, start: int, ramp: int, duration: int) -> np.ndarray:
    """0–1 strength at each hour: linear ramp up, hold for `duration`, linear ramp down."""
    t = np.arange(hours) - start
    up = np.clip((t + 1) / ramp, 0.0, 1.0)
    down = np.clip((ramp + duration + ramp - t) / ramp, 0.0, 1.0)
    return np.where(t < 0, 0.0, np.minimum(up, down))


def generate(
    seed: int, settings: WaterSettings | None = None, *, start: np.datetime64 | None = None
) -> tuple[WaterObserved, WaterTruth]:
    """One draw: (what the stations report, what happened). Deterministic in (seed, settings,
    start).

    `start`: the first hour (UTC, whole hour); by default a midnight of 2024 drawn from the
    seed. Giving it changes the dates (and so the seasons and quiet days) only: the seed's
    other draws stay as they were. Raises ValueError for settings without stations or days
    (settings are the caller's code).
    """
    settings = settings or WaterSettings()
    if settings.stations < 1 or settings.days < 1:
        raise ValueError("the water generator needs at least one station and one day")
    rng = np.random.default_rng([seed, 0x4A7E])
    n, hours = settings.stations, settings.days * 24
    drawn = np.datetime64("2024-01-01T00", "h") + np.timedelta64(
        int(rng.integers(0, 365)) * 24, "h"
    )
    start = drawn if start is None else start.astype("datetime64[h]")
    times = start + np.arange(hours).astype("timedelta64[h]")
    local = times + np.timedelta64(9, "h")
    local_hour = (local.astype(np.int64) % 24).astype(float)
    local_days = local.astype("datetime64[D]")
    day_of_year = (local_days - local_days.astype("datetime64[Y]").astype("datetime64[D]")).astype(
        float
    )
    months = local.astype("datetime64[M]").astype(np.int64) % 12 + 1
    km = np.arange(n) * settings.spacing_km
    position = np.arange(n)[:, None] / max(n - 1, 1)  # 0 upstream … 1 downstream

    # Storm runoff, reaching each station with a lag and its own tributary share.
    basin, storm_onsets = _storms(rng, settings, months)
    rain = np.zeros((n, hours))
    for s in range(n):
        lag = int(rng.integers(0, 3))
        rain[s, lag:] = basin[: hours - lag] * rng.uniform(0.6, 1.4)

    daily = np.sin(2 * np.pi * (local_hour - 9) / 24)  # peaks 15:00
    season = -np.cos(2 * np.pi * (day_of_year - 20) / 365.25)  # −1 late January, +1 late July
    values = np.empty((n, hours, len(MEASURES)))
    temperature = (
        14.0
        + 11.5 * season
        + 0.6 * daily
        + 0.3 * position
        + _ar1(rng, (n, hours), 0.97, 0.25)
        - 0.4 * rain
    )
    values[..., TEMP] = temperature
    values[..., DO] = (
        do_saturation(temperature) * (0.92 + 0.05 * daily - 0.04 * position)
        + _ar1(rng, (n, hours), 0.9, 0.15)
        - 0.25 * rain
    )
    values[..., TN] = (
        2.2 + 0.6 * position - 0.3 * season + _ar1(rng, (n, hours), 0.95, 0.08) + 0.5 * rain
    )
    values[..., TP] = 0.05 + 0.04 * position + _ar1(rng, (n, hours), 0.95, 0.006) + 0.06 * rain
    values[..., TURB] = (
        (6.0 + 4.0 * position) * np.exp(_ar1(rng, (n, hours), 0.95, 0.12)) * (1 + 5.0 * rain)
    )
    values[..., PH] = 7.6 + 0.2 * daily + _ar1(rng, (n, hours), 0.9, 0.04) - 0.1 * rain

    events, affected = _pollution(rng, settings, values, times, storm_onsets, km)
    faults = _sensor_faults(rng, settings, values)
    values[..., TN] = np.maximum(values[..., TN], 0.05)
    values[..., TP] = np.maximum(values[..., TP], 0.002)
    values[..., TURB] = np.maximum(values[..., TURB], 0.1)
    values[..., DO] = np.maximum(values[..., DO], 0.0)
    values = np.round(values, 3)
    stations = tuple(f"Han River km {k:g}" for k in km)
    observed = WaterObserved(times, stations, km, values)
    return observed, WaterTruth(tuple(events), affected, rain, faults)


def _pollution(
    rng: np.random.Generator,
    settings: WaterSettings,
    values: np.ndarray,
    times: np.ndarray,
    storm_onsets: np.ndarray,
    km: np.ndarray,
) -> tuple[list[PollutionEvent], np.ndarray]:
    """Inject pollution events into `values` in place; the events and the affected mask."""
    n, hours, _ = values.shape
    days = times.astype("datetime64[D]")
    weekday = (days.astype(np.int64) + 3) % 7
    quiet_day = (weekday >= 5) | is_korean_holiday(days)
    affected = np.zeros((n, hours), dtype=bool)
    events: list[PollutionEvent] = []
    for _ in range(_count(rng, settings.events_per_month, hours)):
        kind = KINDS[int(rng.choice(3, p=_KIND_SHARE))]
        onset = int(rng.integers(24 * 14, hours - 12)) if hours > 24 * 14 + 12 else 0
        if kind == "sewage" and len(storm_onsets) and rng.random() < settings.sewage_with_storm:
            onset = int(storm_onsets[rng.integers(0, len(storm_onsets))]) + int(rng.integers(0, 6))
        if kind == "industrial" and quiet_day[min(onset, hours - 1)] and rng.random() < 0.7:
            continue  # spills are rarer on weekends and holidays
        if onset >= hours:
            continue
        origin = int(rng.integers(0, n))
        duration = int(rng.integers(4, 37))
        ramp = int(rng.integers(2, 9))
        magnitude = float(rng.uniform(0.25, 1.0))
        sign = 1.0 if kind != "industrial" or rng.random() < 0.5 else -1.0
        reached = []
        for s in range(origin, n):
            distance = km[s] - km[origin]
            reach = np.exp(-distance / settings.reach_km)
            strength = magnitude * reach
            start = onset + int(np.rint(distance / settings.flow_km_per_h))
            if start >= hours:
                break
            profile = strength * _event_profile(hours, start, ramp, duration)
            for measure, change in _EFFECT[kind].items():
                factor = sign if measure == PH else 1.0
                values[s, :, measure] += factor * change * profile
            if reach >= settings.affected_fraction:
                end = min(start + 2 * ramp + duration - 1, hours - 1)
                affected[s, start : end + 1] = True
                reached.append((s, start, end))
        if reached:
            events.append(
                PollutionEvent(kind, origin, onset, duration, round(magnitude, 3), tuple(reached))
            )
    return events, affected


def _sensor_faults(
    rng: np.random.Generator, settings: WaterSettings, values: np.ndarray
) -> np.ndarray:
    """Apply drift, stuck sensors, outages and missing readings (NaN) to `values` in place;
    returns the faulty readings (stations, hours, measures) bool."""
    n, hours, m = values.shape
    faults = np.zeros(values.shape, dtype=bool)
    scale = np.nanstd(values, axis=(0, 1))
    for s in range(n):
        for _ in range(_count(rng, settings.drifts_per_station_month, hours)):
            measure = int(rng.integers(0, m))
            start = int(rng.integers(0, hours))
            length = int(rng.integers(24 * 7, 24 * 21))
            end = min(start + length, hours)
            sign = -1.0 if measure == DO else float(rng.choice((-1.0, 1.0)))
            ramp = np.arange(end - start) / length
            values[s, start:end, measure] += sign * rng.uniform(0.5, 1.5) * scale[measure] * ramp
            faults[s, start:end, measure] = True
        for _ in range(_count(rng, settings.stuck_per_station_month, hours)):
            measure = int(rng.integers(0, m))
            start = int(rng.integers(0, hours))
            end = min(start + int(rng.integers(6, 49)), hours)
            values[s, start:end, measure] = values[s, start, measure]
            faults[s, start:end, measure] = True
        for _ in range(_count(rng, settings.outages_per_station_month, hours)):
            start = int(rng.integers(0, hours))
            end = min(start + int(rng.integers(2, 25)), hours)
            values[s, start:end, :] = np.nan
            faults[s, start:end, :] = True
    lost = rng.random(values.shape) < settings.missing_rate
    values[lost] = np.nan
    faults |= lost
    return faults
