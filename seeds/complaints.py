"""Synthetic Seoul complaints with known truth: text, channel, gu and time, and the department.

What it draws, in order, for each complaint (all parameters are `Settings` or the tables below):

1. The day of `Settings.year` (fewer on weekends, fewer still on Korean public holidays, from the
   `holidays` package), the channel (the smart app's share grows through the year: drift), the
   hour (each channel its own day profile) and the gu (by 2020 census population).
2. The service, from base shares (illegal parking the largest, as in Seoul) times context effects:
   monsoon floods, spring thaw potholes, night noise, weekday-office-hours construction, evening
   street vendors, photo reports of parking through the app, odour in industrial gu, floods in
   the low-lying gu hit in 2022, and drift (parking reports grow, WiFi outages shrink).
3. The topic: the service's own (its phrasings name it) or, with the service's `AMBIGUITY` chance,
   a topic it shares with a service of another department ("water on the road": floods or a
   sunken road), whose words do not tell which. Only step 2's context makes one more likely.
4. The text: Korean (most) or English (more on the web form, in central gu, rising through the
   year), an opening, a place (gu name, station, landmark), a time, the phrasing and a request;
   120 Dasan's are operators' summaries. Then typos and spacing variation (most in app reports).
5. The recorded department: the true one, or with the channel's label-noise rate another (mostly
   the easily confused one).

The observable part (`Complaints`) and the truth (`ComplaintTruth`) are separate objects. The
truth carries each complaint's posterior over departments given everything observable (exact:
the generator knows steps 2–5), so `ComplaintTruth.ceiling()` is the best accuracy any model
could reach; typos only lower what a model can read, so the true ceiling is at most that.

Channels (ours to name; Seoul's three ways to file): `dasan-120` the 120 Dasan call centre,
`eungdapso-web` the 응답소 web form, `smart-app` the Seoul smart complaint app.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import holidays
import numpy as np

from graph.catalogue import departments, services
from seeds import complaint_phrases as words
from seeds.districts import seoul_gu

GENERATOR_VERSION = "1"
COMPLAINTS_AT_SCALE_1 = 1_200_000
"""Seoul's complaints in a year (seeds/data/city_figures.csv, cases_per_year)."""

CHANNELS = ("dasan-120", "eungdapso-web", "smart-app")

BASE_SHARE = {
    "illegal-parking": 0.25,
    "road-damage": 0.07,
    "streetlight-out": 0.06,
    "illegal-dumping": 0.10,
    "waste-bin-full": 0.05,
    "noise": 0.10,
    "air-odour": 0.04,
    "construction-safety": 0.05,
    "illegal-ads": 0.06,
    "street-vendor": 0.04,
    "stray-animal": 0.04,
    "flooding": 0.04,
    "park-facility": 0.05,
    "wifi-outage": 0.02,
    "cctv-fault": 0.03,
}
"""Each service's share before context effects (ours; parking the largest as in Seoul)."""

AMBIGUITY = {
    "flooding": ("water-on-road", 0.35),
    "road-damage": ("water-on-road", 0.15),
    "air-odour": ("smell", 0.35),
    "illegal-dumping": ("smell", 0.10),
    "street-vendor": ("blocked-sidewalk", 0.35),
    "illegal-parking": ("blocked-sidewalk", 0.06),
    "construction-safety": ("construction-nuisance", 0.35),
    "noise": ("construction-nuisance", 0.12),
    "streetlight-out": ("dark-alley", 0.25),
    "cctv-fault": ("dark-alley", 0.30),
    "stray-animal": ("animal-in-park", 0.25),
    "park-facility": ("animal-in-park", 0.12),
}
"""service → (the ambiguous topic it shares, the chance its complaint is phrased that way)."""

CONFUSED_WITH = {
    "transport": "street",
    "street": "transport",
    "roads": "water",
    "water": "roads",
    "cleaning": "environment",
    "environment": "cleaning",
    "safety": "environment",
    "health": "parks",
    "parks": "health",
    "digital": "roads",
}
"""The department a mislabelled complaint most often lands in (label noise)."""

INDUSTRIAL_GU = frozenset({"11200", "11530", "11545", "11560", "11500"})
CENTRAL_GU = frozenset({"11110", "11140"})
FLOOD_GU = frozenset({"11680", "11650", "11620", "11590", "11470", "11530"})
BUILDING_GU = frozenset({"11680", "11650", "11710"})
FOREIGN_GU = frozenset({"11170", "11140", "11110", "11680", "11440"})

HOUR_PROFILE = {
    "dasan-120": [3, 2, 2, 1, 1, 2, 3, 5, 8, 10, 10, 9, 8, 9, 9, 9, 8, 7, 6, 6, 5, 5, 4, 3],
    "eungdapso-web": [
        1,
        1,
        0.5,
        0.5,
        0.5,
        1,
        2,
        4,
        8,
        11,
        11,
        10,
        8,
        10,
        10,
        10,
        9,
        7,
        5,
        5,
        4,
        3,
        2,
        1,
    ],
    "smart-app": [2, 1, 1, 0.5, 0.5, 1, 3, 6, 8, 8, 8, 8, 9, 8, 8, 8, 8, 9, 10, 10, 9, 7, 5, 3],
}
"""Complaints by hour of the Seoul day per channel (ours: the call centre answers all night)."""


@dataclass(frozen=True)
class Settings:
    """The generator's parameters (defaults are the documented ones).

    `ambiguity` multiplies every service's chance of an ambiguous phrasing; `label_noise` and
    `typo_rate` are per channel in CHANNELS order; `english_share` is the base share of English
    complaints; `app_share` the smart app's share at the start and at the end of the year.
    """

    year: int = 2025
    ambiguity: float = 1.0
    label_noise: tuple[float, float, float] = (0.02, 0.04, 0.05)
    typo_rate: tuple[float, float, float] = (0.05, 0.20, 0.35)
    english_share: float = 0.06
    app_share: tuple[float, float] = (0.25, 0.45)

    def as_dict(self) -> dict[str, object]:
        """The settings as JSON-able values (for a model card)."""
        return {
            "year": self.year,
            "ambiguity": self.ambiguity,
            "label_noise": list(self.label_noise),
            "typo_rate": list(self.typo_rate),
            "english_share": self.english_share,
            "app_share": list(self.app_share),
        }


@dataclass(frozen=True)
class Complaints:
    """What the city sees of n complaints: each array has length n.

    `at` is datetime64[s] in UTC; `department` is the department the complaint was recorded to
    (a label, with the generator's noise), a code of graph/data/departments.csv.
    """

    text: list[str]
    channel: np.ndarray
    district_code: np.ndarray
    at: np.ndarray
    department: np.ndarray

    def __len__(self) -> int:
        return len(self.text)


@dataclass(frozen=True)
class ComplaintTruth:
    """What only the generator knows about the same n complaints.

    `posterior` (n × len(departments)) is each complaint's probability of each true department
    given everything observable; `recorded_posterior` the same for the recorded label.
    """

    service: np.ndarray
    department: np.ndarray
    topic: np.ndarray
    ambiguous: np.ndarray
    mislabelled: np.ndarray
    english: np.ndarray
    departments: tuple[str, ...]
    posterior: np.ndarray = field(repr=False)
    recorded_posterior: np.ndarray = field(repr=False)

    def ceiling(self) -> float:
        """The best expected accuracy against the true department any model could reach."""
        return float(self.posterior.max(axis=1).mean()) if len(self.service) else 0.0

    def recorded_ceiling(self) -> float:
        """The best expected accuracy against the recorded (noisy) department."""
        if not len(self.service):
            return 0.0
        best = self.posterior.argmax(axis=1)
        return float(self.recorded_posterior[np.arange(len(best)), best].mean())


def owning_departments() -> tuple[str, ...]:
    """The departments that own a service, in departments.csv order (the routing labels)."""
    owners = {s.department for s in services()}
    return tuple(d["code"] for d in departments() if d["code"] in owners)


def count_at(scale: float) -> int:
    """Complaints in a year at `scale` (1.0 = Seoul's 1.2 million). Requires 0 < scale <= 1."""
    if not 0 < scale <= 1:
        raise ValueError(f"scale must be in (0, 1], got {scale}")
    return max(round(COMPLAINTS_AT_SCALE_1 * scale), 1)


@cache
def _gu() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], np.ndarray]:
    areas = seoul_gu()
    weights = np.array([a.population or 1 for a in areas], dtype=float)
    return (
        tuple(a.code for a in areas),
        tuple(a.name_ko for a in areas),
        tuple(a.name_en for a in areas),
        weights / weights.sum(),
    )


@cache
def _year_days(year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each day of `year`: its datetime64[D], weekday (0 = Monday), Korean public holiday."""
    first = date(year, 1, 1)
    n = (date(year + 1, 1, 1) - first).days
    off = holidays.country_holidays("KR", years=year)
    days = [first + timedelta(days=i) for i in range(n)]
    return (
        np.array(days, dtype="datetime64[D]"),
        np.array([d.weekday() for d in days], dtype=np.int8),
        np.array([d in off for d in days], dtype=bool),
    )


@dataclass(frozen=True)
class _Context:
    doy: np.ndarray
    hour: np.ndarray
    offday: np.ndarray
    channel: np.ndarray
    gu: np.ndarray


def _service_weights(ctx: _Context, gu_codes: tuple[str, ...]) -> np.ndarray:
    """Unnormalised P(service | context), n × services in catalogue order."""
    codes = [s.code for s in services()]
    col = {c: i for i, c in enumerate(codes)}
    n = len(ctx.doy)
    w = np.tile(np.array([BASE_SHARE[c] for c in codes]), (n, 1))
    doy, hour, off = ctx.doy, ctx.hour, ctx.offday
    frac = doy / 365.0
    monsoon = (doy >= 172) & (doy <= 250)
    thaw = (doy >= 31) & (doy <= 119)
    summer = (doy >= 151) & (doy <= 273)
    winter = (doy < 59) | (doy >= 334)
    spring = (doy >= 59) & (doy < 151)
    outdoor = (doy >= 90) & (doy <= 304)
    night = (hour >= 22) | (hour < 7)
    evening = (hour >= 17) & (hour < 23)
    dark = (hour >= 19) | (hour < 6)
    office = (hour >= 9) & (hour < 18) & ~off
    dasan, web, app = (ctx.channel == i for i in range(3))
    in_gu = {
        name: np.isin(ctx.gu, [gu_codes.index(g) for g in group])
        for name, group in (
            ("industrial", INDUSTRIAL_GU),
            ("central", CENTRAL_GU),
            ("flood", FLOOD_GU),
            ("building", BUILDING_GU),
        )
    }

    def times(service: str, factor: float | np.ndarray, where: np.ndarray | None = None) -> None:
        if where is None:
            w[:, col[service]] *= factor
        else:
            w[:, col[service]] *= np.where(where, factor, 1.0)

    times("illegal-parking", 1 + 0.6 * frac)
    times("illegal-parking", 1.4, evening)
    times("illegal-parking", 2.5, app)
    times("illegal-parking", 1.2, off)
    times("road-damage", 2.5, thaw)
    times("road-damage", 1.4, monsoon)
    times("road-damage", 0.8, winter)
    times("streetlight-out", 4.0, dark)
    times("illegal-dumping", 2.0, summer)
    times("illegal-dumping", 1.2, off)
    times("waste-bin-full", 1.5, off)
    times("waste-bin-full", 1.2, summer)
    times("noise", 4.0, night)
    times("noise", 1.8, off)
    times("noise", 1.4, summer)
    times("noise", 1.5, dasan)
    times("air-odour", 4.0, in_gu["industrial"])
    times("air-odour", 1.3, summer)
    times("air-odour", 1.3, web)
    times("construction-safety", 2.5, office)
    times("construction-safety", 0.25, off)
    times("construction-safety", 0.2, night)
    times("construction-safety", 1.5, in_gu["building"])
    times("construction-safety", 0.7, winter)
    times("illegal-ads", 1.5, in_gu["central"])
    times("illegal-ads", 1.5, app)
    times("street-vendor", 3.0, evening)
    times("street-vendor", 2.0, off)
    times("street-vendor", 3.0, in_gu["central"])
    times("street-vendor", 1.4, outdoor)
    times("stray-animal", 1.5, spring)
    times("stray-animal", 1.5, dasan)
    times("flooding", 8.0, monsoon)
    times("flooding", 0.2, winter)
    times("flooding", 2.0, in_gu["flood"])
    times("park-facility", 2.0, outdoor)
    times("park-facility", 2.5, off)
    times("wifi-outage", 1.4 - 0.8 * frac)
    times("wifi-outage", 1.3, app)
    times("cctv-fault", 2.0, office)
    times("cctv-fault", 1.5, web)
    times("cctv-fault", 0.5, night)
    return w


def _draw_context(n: int, settings: Settings, rng: np.random.Generator) -> _Context:
    days, weekday, holiday = _year_days(settings.year)
    off_days = (weekday >= 5) | holiday
    day_weight = np.where(holiday, 0.6, np.where(weekday >= 5, 0.7, 1.0))
    doy = rng.choice(len(days), n, p=day_weight / day_weight.sum())
    frac = doy / 365.0
    app = settings.app_share[0] + (settings.app_share[1] - settings.app_share[0]) * frac
    dasan = (1 - app) * 0.45
    u = rng.random(n)
    channel = np.where(u < dasan, 0, np.where(u < 1 - app, 1, 2)).astype(np.int8)
    hour = np.empty(n, dtype=np.int8)
    for i, name in enumerate(CHANNELS):
        mask = channel == i
        profile = np.array(HOUR_PROFILE[name], dtype=float)
        hour[mask] = rng.choice(24, int(mask.sum()), p=profile / profile.sum())
    gu = rng.choice(25, n, p=_gu()[3])
    return _Context(doy, hour.astype(np.int64), off_days[doy], channel, gu)


def _noise_matrix(rate: float, labels: tuple[str, ...]) -> np.ndarray:
    """P(recorded = column | true = row) at a label-noise `rate`."""
    k = len(labels)
    m = np.full((k, k), rate * 0.4 / (k - 1))
    for i, d in enumerate(labels):
        m[i, i] = 1 - rate
        m[i, labels.index(CONFUSED_WITH[d])] += rate * 0.6
    return m


def _typos(text: str, rng: np.random.Generator) -> str:
    """Typing slips: dropped or added spaces, dropped, doubled or swapped characters, a wrong
    final consonant in a Hangul syllable, and trailing ㅠㅠ or !!."""
    chars = list(text)
    if rng.random() < 0.3:
        chars = [c for c in chars if c != " "]
    for _ in range(1 + int(rng.poisson(0.7))):
        if len(chars) < 4:
            break
        i = int(rng.integers(1, len(chars) - 1))
        op = int(rng.integers(6))
        if op == 0:
            chars.insert(i, " ")
        elif op == 1:
            del chars[i]
        elif op == 2:
            chars.insert(i, chars[i])
        elif op == 3:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif op == 4 and "가" <= chars[i] <= "힣":
            code = ord(chars[i]) - 0xAC00
            chars[i] = chr(0xAC00 + code - code % 28 + int(rng.integers(28)))
        else:
            chars.append(("ㅠㅠ", "ㅡㅡ", "!!", "...", "ㅜ")[int(rng.integers(5))])
    return "".join(chars)


_UNIFORMS = 12
"""Uniform draws one text takes (beyond its typos)."""


def _pick(options: tuple[str, ...], u: float) -> str:
    return options[int(u * len(options))]


def render(
    topic: str,
    *,
    gu_code: str,
    channel: str,
    english: bool,
    doy: int,
    rng: np.random.Generator,
    typo_rate: float = 0.0,
    uniforms: Sequence[float] | None = None,
) -> str:
    """One complaint's text about `topic` (a service code or an ambiguous topic of AMBIGUITY).

    Requires gu_code to be one of the 25 gu and channel one of CHANNELS; `doy` (0–365) sets how
    far the year's new words (shared e-scooters) have spread. `uniforms` (12 draws in [0, 1))
    make the choices when given (the generator draws them for all texts at once), else `rng`
    does; typos always draw from `rng`.
    """
    u = rng.random(_UNIFORMS).tolist() if uniforms is None else uniforms
    codes, names_ko, names_en, _ = _gu()
    g = codes.index(gu_code)
    if topic in words.OWN_KO:
        ko, en = words.OWN_KO[topic], words.OWN_EN[topic]
        if topic == "illegal-parking" and u[0] < 0.5 * max(0.0, (doy - 120) / 245):
            ko, en = words.KICKBOARD_KO, words.KICKBOARD_EN
    else:
        ko, en = words.AMBIGUOUS[topic]
    if english:
        place = _pick(words.PLACES_EN, u[1])
        where = f" {place} in {names_en[g]}" if u[2] < 0.6 else f" {place}"
        core = _pick(en, u[3])
        if u[4] < 0.5:
            core = core[0].upper() + core[1:]
        text = f"{_pick(words.OPENINGS_EN, u[5])}{core}{where}.{_pick(words.REQUESTS_EN, u[6])}"
    else:
        place = _pick(words.PLACES_KO, u[1])
        if place.startswith("역"):
            place = _pick(words.STATIONS_KO, u[2]) + place
        roll = u[3]
        if roll < 0.4:
            where = f"{names_ko[g]} {place}"
        elif roll < 0.8:
            where = place
        else:
            where = ""
        if where:
            where += _pick(("에 ", "에서 ", ", ", " "), u[4])
        core = f"{where}{_pick(words.TIMES_KO, u[5])}{_pick(ko, u[6])}"
        if channel == "dasan-120":
            text = f"{_pick(words.DASAN_KO, u[7])}{core}.{_pick(words.DASAN_TAIL_KO, u[8])}"
        else:
            text = f"{_pick(words.OPENINGS_KO, u[7])}{core}.{_pick(words.REQUESTS_KO, u[8])}"
    if typo_rate > 0 and u[9] < typo_rate:
        text = _typos(text, rng)
    return text


def describe_service(
    service_code: str, *, gu_code: str, channel: str, doy: int, rng: np.random.Generator
) -> str:
    """A Korean complaint text for a case of a known service (for the case seeder).

    The topic is the service's own or, with its AMBIGUITY chance, its ambiguous one.
    """
    topic, chance = AMBIGUITY.get(service_code, ("", 0.0))
    chosen = topic if rng.random() < chance else service_code
    return render(chosen, gu_code=gu_code, channel=channel, english=False, doy=doy, rng=rng)


def generate(
    scale: float, seed: int, settings: Settings | None = None
) -> tuple[Complaints, ComplaintTruth]:
    """A year of complaints at `scale` (1.0 = 1.2 million), the same for the same seed.

    Returns the observable complaints and their truth, row for row. Raises ValueError for a
    scale outside (0, 1].
    """
    settings = settings or Settings()
    n = count_at(scale)
    rng = np.random.default_rng([seed, 0x5E0C])
    gu_codes, _, _, _ = _gu()
    labels = owning_departments()
    catalogue = services()
    svc_codes = np.array([s.code for s in catalogue])
    svc_dept = np.array([labels.index(s.department) for s in catalogue])

    ctx = _draw_context(n, settings, rng)
    weights = _service_weights(ctx, gu_codes)
    cumulative = np.cumsum(weights, axis=1)
    cumulative /= cumulative[:, -1:]
    service = (rng.random((n, 1)) > cumulative).sum(axis=1)

    amb_chance = np.array([AMBIGUITY.get(c, ("", 0.0))[1] for c in svc_codes])
    amb_chance = np.minimum(amb_chance * settings.ambiguity, 1.0)
    amb_topic = np.array([AMBIGUITY.get(c, (c, 0.0))[0] for c in svc_codes])
    ambiguous = rng.random(n) < amb_chance[service]
    topic = np.where(ambiguous, amb_topic[service], svc_codes[service])

    # The posterior over services given the topic and the context, then over departments.
    likelihood = np.where(amb_topic[None, :] == topic[:, None], amb_chance[None, :], 0.0)
    own = svc_codes[None, :] == topic[:, None]
    likelihood = np.where(own, 1 - amb_chance[None, :], likelihood)
    joint = weights * likelihood
    joint /= joint.sum(axis=1, keepdims=True)
    posterior = np.zeros((n, len(labels)))
    for s, d in enumerate(svc_dept):
        posterior[:, d] += joint[:, s]
    del weights, cumulative, likelihood, joint

    base_en = settings.english_share * (1 + 0.5 * ctx.doy / 365.0)
    en_factor = np.array([0.5, 1.5, 1.0])[ctx.channel]
    en_factor = en_factor * np.where(
        np.isin(ctx.gu, [gu_codes.index(g) for g in FOREIGN_GU]), 2.5, 1
    )
    english = rng.random(n) < np.minimum(base_en * en_factor, 1.0)

    true_dept = svc_dept[service]
    recorded = true_dept.copy()
    recorded_posterior = np.empty_like(posterior)
    mislabelled = np.zeros(n, dtype=bool)
    for c, rate in enumerate(settings.label_noise):
        rows = np.flatnonzero(ctx.channel == c)
        matrix = _noise_matrix(rate, labels)
        recorded_posterior[rows] = posterior[rows] @ matrix
        u = rng.random(len(rows))
        cum = np.cumsum(matrix[true_dept[rows]], axis=1)
        recorded[rows] = (u[:, None] > cum).sum(axis=1).clip(max=len(labels) - 1)
    mislabelled = recorded != true_dept

    text_rng = np.random.default_rng([seed, 0x7E47])
    typo_rate = np.array(settings.typo_rate)
    uniforms = text_rng.random((n, _UNIFORMS)).tolist()
    text = [
        render(
            str(topic[i]),
            gu_code=gu_codes[ctx.gu[i]],
            channel=CHANNELS[ctx.channel[i]],
            english=bool(english[i]),
            doy=int(ctx.doy[i]),
            rng=text_rng,
            typo_rate=float(typo_rate[ctx.channel[i]]),
            uniforms=uniforms[i],
        )
        for i in range(n)
    ]

    days = _year_days(settings.year)[0]
    minute = rng.integers(0, 60, n)
    local = days[ctx.doy].astype("datetime64[s]") + (ctx.hour * 3600 + minute * 60).astype(
        "timedelta64[s]"
    )
    at = local - np.timedelta64(9 * 3600, "s")  # Seoul is UTC+9, no daylight saving
    labels_arr = np.array(labels)
    observable = Complaints(
        text=text,
        channel=np.array(CHANNELS)[ctx.channel],
        district_code=np.array(gu_codes)[ctx.gu],
        at=at,
        department=labels_arr[recorded],
    )
    truth = ComplaintTruth(
        service=svc_codes[service],
        department=labels_arr[true_dept],
        topic=topic,
        ambiguous=ambiguous,
        mislabelled=mislabelled,
        english=english,
        departments=labels,
        posterior=posterior,
        recorded_posterior=recorded_posterior,
    )
    return observable, truth
