"""Seven days of 2-minute sensor readings, with daily cycles in city time.

Values are plausible, not measured: each data type follows a diurnal curve (peak hour in
Asia/Seoul time), a per-sensor offset and noise, clipped to the raw ranges of S-DoT
(seoul-domain-facts.md §1). Rows come out per sensor, ready for `graph.records.readings`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from graph.ontology import DATA_TYPE_RANGES, SDOT_DATA_TYPES, WATER_DATA_TYPES
from graph.records.readings import DATA_TYPES
from seeds.figures import RANDOM_SEED, READING_INTERVAL_S
from seeds.han_river import is_river_station

CITY_UTC_OFFSET_H = 9  # Asia/Seoul has no daylight saving time


@dataclass(frozen=True)
class Curve:
    mean: float
    daily_amplitude: float
    peak_hour: float
    noise: float


CURVES: dict[str, Curve] = {
    "pm25": Curve(22, 8, 8, 6),
    "pm10": Curve(38, 12, 8, 10),
    "temperature": Curve(6, 5, 15, 1.0),
    "humidity": Curve(60, 15, 5, 5),
    "wind_speed": Curve(2.2, 1.0, 14, 0.8),
    "wind_direction": Curve(220, 40, 14, 60),
    "illuminance": Curve(9000, 12000, 12.5, 1500),
    "uv_index": Curve(1.5, 2.0, 12.5, 0.3),
    "noise": Curve(55, 10, 14, 4),
    "vibration": Curve(0.15, 0.08, 14, 0.04),
    "globe_temperature": Curve(8, 7, 14, 1.2),
    "no2": Curve(0.025, 0.012, 8, 0.005),
    "co": Curve(0.45, 0.15, 8, 0.06),
    "so2": Curve(0.003, 0.001, 10, 0.0005),
    "nh3": Curve(0.02, 0.008, 13, 0.004),
    "h2s": Curve(0.001, 0.0005, 5, 0.0003),
    "o3": Curve(0.025, 0.015, 15, 0.005),
    "water_temperature": Curve(9, 1.0, 16, 0.2),
    "ph": Curve(7.4, 0.2, 15, 0.05),
    "dissolved_oxygen": Curve(10.5, 1.0, 15, 0.3),
    "turbidity": Curve(2.5, 0.8, 12, 0.4),
    "conductivity": Curve(280, 20, 12, 8),
    "total_nitrogen": Curve(2.6, 0.15, 15, 0.15),
    "total_phosphorus": Curve(0.07, 0.01, 15, 0.008),
}


def ticks(until: datetime, days: int) -> np.ndarray:
    """Epoch seconds of every 2-minute tick in the `days` up to `until` (aligned, ascending)."""
    end = int(until.timestamp()) // READING_INTERVAL_S * READING_INTERVAL_S
    count = days * 86_400 // READING_INTERVAL_S
    return end - READING_INTERVAL_S * np.arange(count - 1, -1, -1, dtype=np.int64)


def sensor_rows(sensor_id: str, kind: str, times: np.ndarray, index: int) -> list[list[object]]:
    """Rows shaped like `graph.records.readings.COLUMNS` for one sensor."""
    rng = np.random.default_rng([RANDOM_SEED, index])
    hours = (times / 3600.0 + CITY_UTC_OFFSET_H) % 24
    measured = SDOT_DATA_TYPES if kind == "sdot" else WATER_DATA_TYPES
    columns: list[np.ndarray | None] = []
    for name in DATA_TYPES:
        if name not in measured:
            columns.append(None)
            continue
        c = CURVES[name]
        offset = rng.normal(0, c.noise)
        wave = np.cos((hours - c.peak_hour) / 24 * 2 * np.pi)
        values = c.mean + offset + c.daily_amplitude * wave + rng.normal(0, c.noise, len(times))
        low, high = DATA_TYPE_RANGES[name]
        columns.append(np.round(np.clip(values, low, high), 4))
    lists = [col.tolist() if col is not None else [None] * len(times) for col in columns]
    ids = [sensor_id] * len(times)
    return [list(row) for row in zip(ids, times.tolist(), *lists, strict=True)]


def history(
    sensors: list[tuple[str, str]], until: datetime, days: int
) -> Iterator[tuple[str, list[list[object]]]]:
    """(sensor id, rows) for each (id, kind) in `sensors` but the Han River stations, whose
    hourly readings come from the water feed (`ml.feeds.water`), not from these curves."""
    times = ticks(until, days)
    for index, (sensor_id, kind) in enumerate(sensors):
        if not is_river_station(sensor_id):
            yield sensor_id, sensor_rows(sensor_id, kind, times, index)


def live_rows(
    sensors: list[tuple[str, str]], at: int, rng: np.random.Generator
) -> list[list[object]]:
    """One tick (epoch seconds `at`) of every sensor in `sensors` ((id, kind)), for a simulator.

    The same curves as the history; each sensor keeps its own offset, the noise is fresh. The
    Han River stations are left out, as in `history`: the water feed alone writes them.
    """
    hour = (at / 3600.0 + CITY_UTC_OFFSET_H) % 24
    rows = []
    for index, (sensor_id, kind) in enumerate(sensors):
        if is_river_station(sensor_id):
            continue
        offsets = np.random.default_rng([RANDOM_SEED, index, 1])
        measured = SDOT_DATA_TYPES if kind == "sdot" else WATER_DATA_TYPES
        row: list[object] = [sensor_id, at]
        for name in DATA_TYPES:
            if name not in measured:
                row.append(None)
                continue
            c = CURVES[name]
            wave = np.cos((hour - c.peak_hour) / 24 * 2 * np.pi)
            value = c.mean + offsets.normal(0, c.noise) + c.daily_amplitude * wave
            value += rng.normal(0, c.noise)
            low, high = DATA_TYPE_RANGES[name]
            row.append(round(float(np.clip(value, low, high)), 4))
        rows.append(row)
    return rows
