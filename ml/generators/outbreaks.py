"""Daily syndromic counts per gu (ER visits, pharmacy sales, searches) with injected outbreaks.

Structure (each part a named setting of `OutbreakSettings`):

- level: each gu's count is its census population (`seeds.districts.seoul_gu`) times a rate per
  100,000 residents for the stream and syndrome (`BASE_RATES`);
- weekly cycle: ER busier on Mondays and at weekends (clinics closed), pharmacies mostly closed
  on Sundays, fewer searches at weekends (`WEEKDAY_FACTORS`);
- Korean public holidays (`ml.features.is_korean_holiday`: Seollal, Chuseok, …): ER up, pharmacies
  nearly shut, a rebound the day after (`HOLIDAY_FACTORS`, `AFTER_HOLIDAY_FACTORS`);
- seasonality: a city-wide influenza wave each winter (its height and peak day drawn per year;
  respiratory follows it at a fraction), a summer bump for gastrointestinal; the wave reaches
  searches and pharmacies before ER as an outbreak does. The wave is background, not an outbreak;
- slow drift: a mean-reverting random walk on each series' log level;
- overdispersion: negative binomial counts (gamma–Poisson) of size `NB_SIZE` per stream;
- distractors: short search-only spikes (news, not illness) that an alarm should not follow;
- missing days: a stream's feed in a gu drops single days and has multi-day outages (NaN);
- outbreaks: each starts in one gu and syndrome, grows exponentially to its ER peak and decays;
  it spreads to each neighbouring gu (`ml.features.gu_adjacency`) with a probability after a
  delay of a few days, weaker, for up to two generations. Pharmacy sales and searches follow the
  same curve shifted a few days earlier (people buy medicine and search symptoms before they go
  to an emergency room), which is why multi-source surveillance can warn earlier.

`generate(seed, settings)` returns the observable counts and the truth as two objects: the
evaluation reads only `SyndromicCounts`, and scores alarms against `OutbreakTruth` afterwards.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np

from ml.features import gu_adjacency, is_korean_holiday
from seeds.districts import seoul_gu

GENERATOR_VERSION = "1"

STREAMS = ("er", "pharmacy", "search")
"""Emergency-room visits, pharmacy sales (units), symptom searches (queries), in this order."""

SYNDROMES = ("respiratory", "gastrointestinal", "influenza_like")

BASE_RATES = np.array(
    [  # per 100,000 residents per day; rows STREAMS, columns SYNDROMES
        [4.0, 2.0, 1.5],
        [12.0, 6.0, 5.0],
        [15.0, 8.0, 10.0],
    ]
)

WEEKDAY_FACTORS = np.array(
    [  # Monday .. Sunday; rows STREAMS
        [1.25, 1.0, 0.95, 0.95, 1.0, 1.1, 1.2],
        [1.15, 1.05, 1.0, 1.0, 1.05, 0.85, 0.15],
        [1.1, 1.05, 1.0, 1.0, 0.95, 0.85, 0.95],
    ]
)
HOLIDAY_FACTORS = np.array([1.5, 0.2, 0.8])
AFTER_HOLIDAY_FACTORS = np.array([1.2, 1.3, 1.0])
NB_SIZE = np.array([25.0, 30.0, 20.0])
"""Negative binomial size per stream: variance = mean + mean² / size."""

SEASON_SHARE = np.array([0.35, 0.0, 1.0])
"""How much of the winter influenza wave each syndrome carries (respiratory a third of it)."""


@dataclass(frozen=True)
class OutbreakSettings:
    """The generator's parameters; the defaults are the ones training uses.

    days: simulated days from `start` (the first `warmup_days` hold no outbreaks, only history);
    outbreaks_per_gu_year: outbreaks starting per gu, syndrome and year;
    spread_probability, spread_delay_days (low, high inclusive): to each neighbouring gu;
    peak_multiple_median: an origin's ER excess at its peak as a multiple of its usual level
    (log-normal, sd `peak_multiple_log_sd`); neighbours get 0.4–0.9 of their source's;
    rise_days (low, high): from ER onset to ER peak; pharmacy_lead_days and search_lead_days
    (low, high): how much earlier those streams' curves run;
    drift_sd: daily step of the log-level random walk; missing_rate: share of single missing
    days per stream and gu; outages_per_year: multi-day feed outages per stream and gu;
    search_spikes_per_year: search-only distractor spikes per gu and syndrome.
    """

    start: str = "2024-01-01"
    days: int = 765
    warmup_days: int = 35
    outbreaks_per_gu_year: float = 0.5
    spread_probability: float = 0.45
    spread_delay_days: tuple[int, int] = (3, 8)
    peak_multiple_median: float = 0.9
    peak_multiple_log_sd: float = 0.45
    rise_days: tuple[int, int] = (6, 12)
    pharmacy_lead_days: tuple[int, int] = (2, 4)
    search_lead_days: tuple[int, int] = (3, 6)
    drift_sd: float = 0.004
    missing_rate: float = 0.015
    outages_per_year: float = 1.0
    search_spikes_per_year: float = 3.0

    def as_dict(self) -> dict[str, Any]:
        """The settings as JSON-able values (for the model card)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class SyndromicCounts:
    """What surveillance observes: `counts[stream, gu, syndrome, day]`, NaN where a feed missed.

    `days` is a datetime64[D] array of length T; `gu` the 25 gu codes (ml.features order),
    `syndromes` and `streams` the names of the other axes. Counts are non-negative whole numbers
    stored as floats (so a missing day can be NaN).
    """

    days: np.ndarray
    gu: tuple[str, ...]
    syndromes: tuple[str, ...]
    streams: tuple[str, ...]
    counts: np.ndarray

    def stream(self, name: str) -> np.ndarray:
        """The (gu, syndrome, day) counts of one stream."""
        return np.asarray(self.counts[self.streams.index(name)])


@dataclass(frozen=True)
class Episode:
    """One outbreak in one gu and syndrome; days are indices into `SyndromicCounts.days`.

    onset: the first day any stream carries excess (searches lead); peak: the day ER visits
    peak; end: the last day ER excess is at least 5 % of its peak. `generation` is 0 for the
    gu where the outbreak began, 1 and 2 for gu it spread to. `peak_excess` is ER's excess at
    the peak as a multiple of the series' usual level; `er_rise` the days from ER onset to
    peak; `pharmacy_lead` and `search_lead` how many days earlier those streams' curves run.
    """

    outbreak: int
    gu: int
    syndrome: int
    onset: int
    peak: int
    end: int
    peak_excess: float
    generation: int
    er_rise: int
    pharmacy_lead: int
    search_lead: int


@dataclass(frozen=True)
class OutbreakTruth:
    """What the generator injected, kept apart from the counts: every episode of every outbreak."""

    episodes: tuple[Episode, ...]
    warmup_days: int


def _populations() -> np.ndarray:
    codes, _ = gu_adjacency()
    by_code = {a.code: a.population for a in seoul_gu()}
    return np.array([by_code[c] for c in codes], dtype=float)


def _curve(days: np.ndarray, peak: float, rise: int) -> np.ndarray:
    """Exponential growth from 5 % at `peak - rise` to 1 at `peak`, then a slower decay."""
    growth = np.log(20.0) / rise
    relative = days - peak
    up = np.exp(growth * np.minimum(relative, 0.0))
    down = np.exp(-growth / 1.5 * np.maximum(relative, 0.0))
    shape = np.where(relative <= 0, up, down)
    return np.where((relative >= -rise) & (shape >= 0.05), shape, 0.0)


def _season(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """(syndrome, day) multipliers: a winter influenza wave per season and a summer GI bump."""
    years = days.astype("datetime64[Y]")
    day_of_year = (days - years.astype("datetime64[D]")).astype(np.int64)
    index = np.arange(len(days), dtype=float)
    wave = np.zeros(len(days))
    first = int(years[0].astype(int)) + 1970
    for year in range(first - 1, first + len(days) // 365 + 2):
        centre = (np.datetime64(f"{year}-01-20") - days[0]).astype(int) + rng.normal(0, 12)
        height = rng.uniform(1.5, 4.0)
        wave += height * np.exp(-0.5 * ((index - centre) / 18.0) ** 2)
    summer = 0.3 * np.exp(-0.5 * ((day_of_year - 200) / 30.0) ** 2)
    season = 1.0 + SEASON_SHARE[:, None] * wave[None, :]
    season[SYNDROMES.index("gastrointestinal")] += summer
    return season


def _draw_episodes(
    rng: np.random.Generator, settings: OutbreakSettings, adjacency: np.ndarray
) -> list[Episode]:
    gu_count = adjacency.shape[0]
    busy: dict[tuple[int, int], list[tuple[int, int]]] = {}
    episodes: list[Episode] = []
    years = settings.days / 365.25
    latest = settings.days - 40
    earliest = settings.warmup_days + 15

    def free(gu: int, syndrome: int, onset: int, end: int) -> bool:
        return all(end + 20 < a or onset > b + 20 for a, b in busy.get((gu, syndrome), []))

    def between(bounds: tuple[int, int]) -> int:
        return int(rng.integers(bounds[0], bounds[1] + 1))

    def add(outbreak: int, gu: int, syndrome: int, peak: int, excess: float, gen: int) -> bool:
        rise = between(settings.rise_days)
        search_lead = between(settings.search_lead_days)
        pharmacy_lead = min(between(settings.pharmacy_lead_days), search_lead)
        onset = peak - rise - search_lead
        end = peak + int(np.ceil(1.5 * rise))  # the decay is 1.5 times slower than the growth
        if onset < earliest or end >= settings.days or not free(gu, syndrome, onset, end):
            return False
        busy.setdefault((gu, syndrome), []).append((onset, end))
        episodes.append(
            Episode(
                outbreak,
                gu,
                syndrome,
                onset,
                peak,
                end,
                excess,
                gen,
                rise,
                pharmacy_lead,
                search_lead,
            )
        )
        return True

    count = rng.poisson(settings.outbreaks_per_gu_year * years * gu_count * len(SYNDROMES))
    outbreak = 0
    for _ in range(count):
        gu = int(rng.integers(gu_count))
        syndrome = int(rng.integers(len(SYNDROMES)))
        peak = int(rng.integers(earliest + 25, latest))
        excess = float(
            settings.peak_multiple_median * np.exp(rng.normal(0, settings.peak_multiple_log_sd))
        )
        if not add(outbreak, gu, syndrome, peak, excess, 0):
            continue
        frontier = [(gu, peak, excess)]
        for generation in (1, 2):
            reached: list[tuple[int, int, float]] = []
            for source, source_peak, source_excess in frontier:
                for neighbour in np.flatnonzero(adjacency[source]):
                    if rng.random() >= settings.spread_probability / generation:
                        continue
                    low, high = settings.spread_delay_days
                    delay = int(rng.integers(low, high + 1))
                    weaker = source_excess * rng.uniform(0.4, 0.9)
                    n = int(neighbour)
                    if add(outbreak, n, syndrome, source_peak + delay, weaker, generation):
                        reached.append((n, source_peak + delay, weaker))
            frontier = reached
        outbreak += 1
    return episodes


def generate(
    seed: int, settings: OutbreakSettings | None = None
) -> tuple[SyndromicCounts, OutbreakTruth]:
    """Draw one city's daily counts and the outbreaks in them; the same seed gives the same draw.

    Returns (observable counts, truth), counts shaped (3 streams, 25 gu, 3 syndromes,
    `settings.days`). Every random part draws from its own stream derived from `seed`, so
    changing one setting does not reshuffle the others.
    """
    settings = settings or OutbreakSettings()
    streams = np.random.SeedSequence(seed).spawn(6)
    rng_season, rng_drift, rng_outbreaks, rng_spikes, rng_missing, rng_counts = (
        np.random.default_rng(s) for s in streams
    )
    codes, adjacency = gu_adjacency()
    days = np.datetime64(date.fromisoformat(settings.start), "D") + np.arange(settings.days)
    day_count, gu_count, syn_count = settings.days, len(codes), len(SYNDROMES)

    weekday = (days.astype(np.int64) + 3) % 7
    holiday = is_korean_holiday(days)
    after_holiday = np.concatenate([[False], holiday[:-1]]) & ~holiday
    calendar = WEEKDAY_FACTORS[:, weekday]
    calendar = np.where(holiday[None, :], calendar * HOLIDAY_FACTORS[:, None], calendar)
    calendar = np.where(after_holiday[None, :], calendar * AFTER_HOLIDAY_FACTORS[:, None], calendar)

    base = BASE_RATES[:, None, :] * _populations()[None, :, None] / 100_000  # (stream, gu, syn)
    season = _season(rng_season, days)  # (syn, day)
    lead = np.array([0, 2, 4])  # the season reaches pharmacies and searches first
    seasonal = np.stack([np.roll(season, -lead[s], axis=1) for s in range(len(STREAMS))])
    for s in range(len(STREAMS)):
        seasonal[s, :, day_count - lead[s] :] = season[:, day_count - lead[s] :]

    steps = rng_drift.normal(0, settings.drift_sd, (len(STREAMS), gu_count, syn_count, day_count))
    drift = np.zeros_like(steps)
    for t in range(1, day_count):
        drift[..., t] = 0.995 * drift[..., t - 1] + steps[..., t]

    mean = base[..., None] * calendar[:, None, None, :] * seasonal[:, None, :, :] * np.exp(drift)
    usual = base[..., None] * seasonal[:, None, :, :]  # level without calendar or drift

    episodes = _draw_episodes(rng_outbreaks, settings, adjacency)
    index = np.arange(day_count, dtype=float)
    excess = np.zeros_like(mean)
    for e in episodes:
        for s, shift in enumerate((0, e.pharmacy_lead, e.search_lead)):
            shape = _curve(index, e.peak - shift, e.er_rise)
            level = usual[s, e.gu, e.syndrome, e.peak]
            strength = (1.0, 0.8, 0.9)[s]
            excess[s, e.gu, e.syndrome] += strength * e.peak_excess * level * shape

    spikes = rng_spikes.poisson(
        settings.search_spikes_per_year * day_count / 365.25 / 3, (gu_count, syn_count, day_count)
    )
    spike_days = (spikes > 0).astype(float)
    spike_size = rng_spikes.uniform(0.5, 1.5, spike_days.shape) * spike_days
    spread_spike = (
        spike_size + 0.5 * np.roll(spike_size, 1, axis=-1) + 0.25 * np.roll(spike_size, 2, axis=-1)
    )
    excess[STREAMS.index("search")] += spread_spike * mean[STREAMS.index("search")]

    total = np.maximum(mean + excess, 1e-9)
    size = NB_SIZE[:, None, None, None]
    counts = rng_counts.poisson(rng_counts.gamma(size, total / size)).astype(float)

    missing = rng_missing.random((len(STREAMS), gu_count, day_count)) < settings.missing_rate
    outages = rng_missing.poisson(
        settings.outages_per_year * day_count / 365.25, (len(STREAMS), gu_count)
    )
    for s, g in zip(*np.nonzero(outages), strict=True):
        for _ in range(int(outages[s, g])):
            first = int(rng_missing.integers(day_count))
            missing[s, g, first : first + int(rng_missing.integers(2, 7))] = True
    counts[np.broadcast_to(missing[:, :, None, :], counts.shape)] = np.nan

    observed = SyndromicCounts(days, codes, SYNDROMES, STREAMS, counts)
    return observed, OutbreakTruth(tuple(episodes), settings.warmup_days)
