"""The deterministic generator of the city's synthetic operations at a scale factor.

Real data (districts, boundaries, populations) comes from `seeds.districts`; everything else
is drawn from one numpy Generator seeded with RANDOM_SEED, in a fixed order, so the same scale
gives the same city. At scale 1.0 the counts are Seoul's (seeds/data/city_figures.csv); at any
scale every gu has at least one S-DoT sensor, water station, asset of each kind and case of each
service, and the Han River has its eight stations (`seeds.han_river`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

from graph.catalogue import departments, gu_office_id, services
from graph.ontology import (
    ASSET_KINDS,
    DATASET_THEMES,
    NODE_TYPES,
    SDOT_DATA_TYPES,
    WATER_DATA_TYPES,
)
from graph.records.case_events import EVENT_COLUMNS
from seeds import han_river
from seeds.districts import Area, adjacent_pairs, seoul_dong, seoul_gu
from seeds.figures import RANDOM_SEED, Scale
from seeds.geo import points_in

CITY_TZ = ZoneInfo("Asia/Seoul")

ASSET_FIGURE = {
    "smart_pole": "smart_poles",
    "wifi_ap": "wifi_aps",
    "cctv": "cctv",
    "structure": "structures",
    "parking_lot": "parking_lots",
    "waste_bin": "waste_bins",
}
ASSET_PREFIX = {
    "smart_pole": "pole",
    "wifi_ap": "wifi",
    "cctv": "cctv",
    "structure": "bldg",
    "parking_lot": "park",
    "waste_bin": "bin",
}
SERVICE_ASSET = {
    "streetlight-out": "smart_pole",
    "waste-bin-full": "waste_bin",
    "wifi-outage": "wifi_ap",
    "cctv-fault": "cctv",
    "construction-safety": "structure",
    "illegal-parking": "parking_lot",
}
FORMATS = ("CSV", "JSON", "XML", "XLSX", "SHP", "API")
PERIODICITY = ("realtime", "daily", "weekly", "monthly", "quarterly", "yearly")
LICENCES = ("KOGL-Type1", "CC-BY-4.0")
OPEN_LICENCE = "CC-BY-4.0"
"""The licence of the datasets whose rows the platform serves (ds-sdot, ds-water-quality)."""
HOUR_WEIGHTS = np.array(
    [1, 1, 1, 1, 1, 2, 4, 6, 9, 11, 11, 10, 9, 10, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2], dtype=float
)
"""Complaints by hour of day in city time: few at night, most in office hours (ours)."""


ASSET_COLUMNS = NODE_TYPES["Asset"].property_names
SENSOR_COLUMNS = NODE_TYPES["Sensor"].property_names
CASE_COLUMNS = NODE_TYPES["Case"].property_names[1:]
"""The columns a case's rows gather (its id is kept apart)."""
CASE_CHUNK = 100_000
"""Cases generated and handed over at a time: at scale 1.0 a year is 1.2 million."""


@dataclass(frozen=True)
class NodeBatch:
    """Rows of one node label (graph.ontology's columns, in order)."""

    label: str
    table: pa.Table


@dataclass(frozen=True)
class RelBatch:
    """Relationships `name` from `source` to `target` nodes, as a `from`, `to` key table."""

    name: str
    source: str
    target: str
    table: pa.Table


@dataclass(frozen=True)
class EventBatch:
    """Case events for the records' `case_event` table, in its columns (`EVENT_COLUMNS`: no
    actor for seeded events, `at` in UTC)."""

    table: pa.Table


Batch = NodeBatch | RelBatch | EventBatch


def _rel(
    name: str, source: str, target: str, pairs: Sequence[tuple[str | int, str]]
) -> RelBatch | None:
    if not pairs:
        return None
    a, b = zip(*pairs, strict=True)
    return RelBatch(name, source, target, pa.table({"from": list(a), "to": list(b)}))


@dataclass
class CityRows:
    """A whole city in memory, every label and relationship in one table (small scales, tests).
    A seed streams `Generator.batches` instead, whose memory does not grow with the scale."""

    nodes: dict[str, pa.Table] = field(default_factory=dict)
    rels: list[tuple[str, str, str, pa.Table]] = field(default_factory=list)
    cases: pa.Table | None = None

    @classmethod
    def of(cls, batches: Iterable[Batch]) -> CityRows:
        nodes: dict[str, list[pa.Table]] = {}
        rels: dict[tuple[str, str, str], list[pa.Table]] = {}
        events: list[pa.Table] = []
        for batch in batches:
            if isinstance(batch, NodeBatch):
                nodes.setdefault(batch.label, []).append(batch.table)
            elif isinstance(batch, RelBatch):
                rels.setdefault((batch.name, batch.source, batch.target), []).append(batch.table)
            else:
                events.append(batch.table)
        return cls(
            {label: pa.concat_tables(tables) for label, tables in nodes.items()},
            [(*key, pa.concat_tables(tables)) for key, tables in rels.items()],
            pa.concat_tables(events) if events else None,
        )


@dataclass
class _CaseChunk:
    """Cases gathered until there are `CASE_CHUNK` of them."""

    ids: list[str] = field(default_factory=list)
    cols: dict[str, list[Any]] = field(default_factory=lambda: {k: [] for k in CASE_COLUMNS})
    located: list[tuple[str, str]] = field(default_factory=list)
    concerns: list[tuple[str, str]] = field(default_factory=list)
    assigned: list[tuple[str, str]] = field(default_factory=list)
    filed: list[tuple[int, str]] = field(default_factory=list)
    """(resident's number, case id): the graph stores a resident's key as its number."""
    events: list[tuple[str, str, str, str, str, str, str, datetime]] = field(default_factory=list)

    def batches(self) -> Iterator[Batch | None]:
        if not self.ids:
            return
        stamp = pa.timestamp("us", tz="UTC")
        cols: dict[str, Any] = dict(self.cols)
        for name in ("requested_at", "updated_at", "expected_at"):
            cols[name] = pa.array(cols[name], stamp)
        yield NodeBatch("Case", pa.table({"id": self.ids, **cols}))
        yield _rel("LOCATED_IN", "Case", "District", self.located)
        yield _rel("CONCERNS", "Case", "Asset", self.concerns)
        yield _rel("ASSIGNED_TO", "Case", "Department", self.assigned)
        yield _rel("FILED", "Citizen", "Case", self.filed)
        columns: dict[str, Any] = {
            name: [e[i] for e in self.events] for i, name in enumerate(EVENT_COLUMNS[:-1])
        }
        columns["at"] = pa.array([e[-1] for e in self.events], stamp)
        yield EventBatch(pa.table(columns))


def apportion(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split `total` by `weights` (largest remainder), giving each at least `minimum`."""
    n = len(weights)
    base = minimum * n
    rest = max(total - base, 0)
    w = np.asarray(weights, dtype=float)
    share = w / w.sum() * rest
    counts = np.floor(share).astype(int)
    leftover = rest - int(counts.sum())
    if leftover:
        order = np.argsort(-(share - counts), kind="stable")[:leftover]
        counts[order] += 1
    return [int(c) + minimum for c in counts]


class Generator:
    """Builds the city's rows at a scale, as a stream of batches. Requires 0 < scale <= 1.

    `batches()` yields every node and relationship table in an order a bulk loader can follow
    (a relationship batch comes after the node batches of both its ends), one gu of residents
    or `CASE_CHUNK` cases at a time, so memory stays bounded at scale 1.0 (9.6 M residents,
    1.2 M cases). The draws come from one numpy Generator in a fixed order: the same scale
    gives the same city, however it is consumed. A generator is used once."""

    def __init__(self, scale: float, until: datetime) -> None:
        self.scale = Scale(scale)
        self.until = until.astimezone(UTC)
        self.rng = np.random.default_rng(RANDOM_SEED)
        self.gu = seoul_gu()
        self.dong = seoul_dong()
        self.dong_by_gu: dict[str, list[Area]] = {g.code: [] for g in self.gu}
        for d in self.dong:
            self.dong_by_gu[d.parent_code].append(d)
        self.assets_by_gu_kind: dict[tuple[str, str], list[str]] = {}
        self.asset_points: dict[tuple[str, str], np.ndarray] = {}
        """(gu, kind) -> (lat, lon) rows, in the order of `assets_by_gu_kind`'s ids."""
        self.citizen_numbers: dict[str, np.ndarray] = {}
        """gu -> each resident's random number (int64): the graph's key of the resident, whose id
        the API shows as `cz-` and 16 hex digits (`graph.numbered_key`)."""
        self._measures: RelBatch | None = None

    def batches(self) -> Iterator[Batch]:
        """The whole city, batch by batch (see the class)."""
        for step in (
            self.districts,
            self.departments,
            self.citizens,
            self.assets,
            self.sensors,
            self.datasets,
            self.cases,
        ):
            yield from (batch for batch in step() if batch is not None)

    def planned_nodes(self) -> int:
        """How many nodes `batches()` yields, known before drawing any (for a progress bar)."""
        catalogue = len(services())
        placed = [ASSET_FIGURE[kind] for kind in ASSET_KINDS] + ["sdot_sensors", "water_stations"]
        return (
            len(self.gu)
            + len(self.dong)
            + len(departments())
            + len(self.gu)
            + self.scale.count("residents", minimum=len(self.gu) * 10)
            + sum(sum(self._per_gu(figure, 1)) for figure in placed)
            + len(han_river.stations())
            + self.scale.count("datasets", minimum=len(DATASET_THEMES) * 2)
            + max(self.scale.count("cases_per_year"), len(self.gu) * catalogue)
        )

    def build(self) -> CityRows:
        """The whole city in memory (small scales and tests)."""
        return CityRows.of(self.batches())

    # -- districts and departments -------------------------------------------------------

    def districts(self) -> Iterator[Batch | None]:
        areas = [*self.gu, *self.dong]
        centroids = [a.centroid for a in areas]
        yield NodeBatch(
            "District",
            pa.table(
                {
                    "code": [a.code for a in areas],
                    "level": [a.level for a in areas],
                    "name_ko": [a.name_ko for a in areas],
                    "name_en": [a.name_en for a in areas],
                    "parent_code": [a.parent_code for a in areas],
                    "lat": [c[0] for c in centroids],
                    "lon": [c[1] for c in centroids],
                    "area_km2": [round(a.area_km2, 3) for a in areas],
                    "population": pa.array([a.population for a in areas], pa.int64()),
                    "boundary": [a.geojson for a in areas],
                }
            ),
        )
        yield _rel(
            "LOCATED_IN", "District", "District", [(d.code, d.parent_code) for d in self.dong]
        )
        pairs = adjacent_pairs(self.gu)
        yield _rel("ADJACENT_TO", "District", "District", pairs + [(b, a) for a, b in pairs])

    def departments(self) -> Iterator[Batch | None]:
        bureaus = departments()
        ids = [d["code"] for d in bureaus] + [gu_office_id(g.code) for g in self.gu]
        yield NodeBatch(
            "Department",
            pa.table(
                {
                    "id": ids,
                    "name_en": [d["name_en"] for d in bureaus]
                    + [f"{g.name_en} Office" for g in self.gu],
                    "name_ko": [d["name_ko"] for d in bureaus]
                    + [f"{g.name_ko}청" for g in self.gu],
                    "district_code": [""] * len(bureaus) + [g.code for g in self.gu],
                }
            ),
        )
        yield _rel(
            "LOCATED_IN",
            "Department",
            "District",
            [(gu_office_id(g.code), g.code) for g in self.gu],
        )

    # -- people ----------------------------------------------------------------------------

    def citizens(self) -> Iterator[Batch | None]:
        """One gu's residents at a time, and where each lives (a dong)."""
        total = self.scale.count("residents", minimum=len(self.gu) * 10)
        per_gu = apportion(total, [g.population or 1 for g in self.gu])
        this_year = self.until.astimezone(CITY_TZ).year
        for gu, n in zip(self.gu, per_gu, strict=True):
            numbers = self.rng.integers(0, 2**63, n, dtype=np.int64)
            self.citizen_numbers[gu.code] = numbers
            ids = pa.array(numbers)  # the stored keys: ids are made at the store's edge
            options = self.dong_by_gu[gu.code]
            weights = np.array([d.area_km2 for d in options])
            dongs = np.array([d.code for d in options])[
                self.rng.choice(len(options), n, p=weights / weights.sum())
            ]
            ages = np.clip(self.rng.normal(44, 21, n), 0, 100).astype(int)
            sexes = np.where(self.rng.random(n) < 0.515, "F", "M")
            welfare = self.rng.random(n) < 0.055
            yield NodeBatch(
                "Citizen",
                pa.table(
                    {
                        "id": ids,
                        "district_code": pa.array(np.full(n, gu.code)),
                        "dong_code": pa.array(dongs),
                        "birth_year": pa.array((this_year - ages).astype(np.int64)),
                        "sex": pa.array(sexes),
                        "welfare_eligible": pa.array(welfare),
                    }
                ),
            )
            if n:
                yield RelBatch(
                    "LIVES_IN", "Citizen", "District", pa.table({"from": ids, "to": dongs})
                )

    # -- things ----------------------------------------------------------------------------

    def _per_gu(self, figure: str, minimum_per_gu: int) -> list[int]:
        total = self.scale.count(figure)
        return apportion(total, [g.area_km2 for g in self.gu], minimum=minimum_per_gu)

    def _placed(self, figure: str, minimum_per_gu: int) -> list[tuple[Area, np.ndarray]]:
        per_gu = self._per_gu(figure, minimum_per_gu)
        return [
            (g, points_in(g.geometry, n, self.rng)) for g, n in zip(self.gu, per_gu, strict=True)
        ]

    def assets(self) -> Iterator[Batch | None]:
        """One kind of asset at a time (600,000 structures at scale 1.0), then which WiFi
        access point is mounted on which smart pole."""
        for kind in ASSET_KINDS:
            cols: dict[str, list[object]] = {k: [] for k in ASSET_COLUMNS}
            located = []
            for gu, points in self._placed(ASSET_FIGURE[kind], 1):
                ids = [f"{ASSET_PREFIX[kind]}-{gu.code}-{i:05d}" for i in range(len(points))]
                self.assets_by_gu_kind[(gu.code, kind)] = ids
                self.asset_points[(gu.code, kind)] = points
                first_year = 2019 if kind in ("smart_pole", "wifi_ap") else 1975
                years = self.rng.integers(first_year, 2026, len(ids))
                status = np.where(self.rng.random(len(ids)) < 0.03, "maintenance", "active")
                label = kind.replace("_", " ")
                cols["id"] += ids
                cols["kind"] += [kind] * len(ids)
                cols["name"] += [f"{gu.name_en} {label} {i + 1}" for i in range(len(ids))]
                cols["lat"] += points[:, 0].tolist()
                cols["lon"] += points[:, 1].tolist()
                cols["district_code"] += [gu.code] * len(ids)
                cols["status"] += status.tolist()
                cols["installed_year"] += years.tolist()
                located += [(i, gu.code) for i in ids]
            yield NodeBatch("Asset", pa.table(cols))
            yield _rel("LOCATED_IN", "Asset", "District", located)
        # Seoul Free WiFi access points are integrated into the smart poles.
        mounted = []
        for gu in self.gu:
            poles = self.assets_by_gu_kind[(gu.code, "smart_pole")]
            aps = self.assets_by_gu_kind[(gu.code, "wifi_ap")]
            mounted += list(zip(aps, poles, strict=False))
        yield _rel("MOUNTED_ON", "Asset", "Asset", mounted)

    def sensors(self) -> Iterator[Batch | None]:
        """The sensors; which dataset each measures follows the datasets (`_measures`)."""
        cols: dict[str, list[object]] = {k: [] for k in SENSOR_COLUMNS}
        located, mounted, measures = [], [], []
        for kind, figure, prefix, types, model in (
            ("sdot", "sdot_sensors", "sdot", SDOT_DATA_TYPES, "SDOT-2020"),
            ("water_quality", "water_stations", "wq", WATER_DATA_TYPES, "WQ-M5"),
        ):
            for gu, points in self._placed(figure, 1):
                ids = [f"{prefix}-{gu.code}-{i:04d}" for i in range(len(points))]
                poles = self.assets_by_gu_kind[(gu.code, "smart_pole")]
                pole_points = self.asset_points[(gu.code, "smart_pole")]
                if kind == "sdot":  # S-DoT units sit on the smart poles while there are poles
                    for index, (sensor, pole) in enumerate(zip(ids, poles, strict=False)):
                        mounted.append((sensor, pole))
                        points[index] = pole_points[index]
                cols["id"] += ids
                cols["kind"] += [kind] * len(ids)
                cols["model"] += [model] * len(ids)
                cols["serial"] += [f"{prefix.upper()}{gu.code}{i:05d}" for i in range(len(ids))]
                cols["lat"] += points[:, 0].tolist()
                cols["lon"] += points[:, 1].tolist()
                cols["district_code"] += [gu.code] * len(ids)
                cols["data_types"] += [list(types)] * len(ids)
                cols["status"] += np.where(
                    self.rng.random(len(ids)) < 0.02, "offline", "active"
                ).tolist()
                cols["installed_year"] += self.rng.integers(2020, 2026, len(ids)).tolist()
                located += [(i, gu.code) for i in ids]
                measures += [(i, "ds-sdot" if kind == "sdot" else "ds-water-quality") for i in ids]
        # The Han River stations, the same at every scale, after the per-gu ones (no draws).
        for column, values in han_river.sensor_columns().items():
            cols[column] += values
        located += [(s.id, s.district_code) for s in han_river.stations()]
        measures += [(s.id, "ds-water-quality") for s in han_river.stations()]
        yield NodeBatch("Sensor", pa.table(cols))
        yield _rel("LOCATED_IN", "Sensor", "District", located)
        yield _rel("MOUNTED_ON", "Sensor", "Asset", mounted)
        self._measures = _rel("MEASURES", "Sensor", "Dataset", measures)

    # -- the data catalogue --------------------------------------------------------------

    def datasets(self) -> Iterator[Batch | None]:
        count = self.scale.count("datasets", minimum=len(DATASET_THEMES) * 2)
        bureaus = [d["code"] for d in departments()]
        fixed = [
            (
                "ds-sdot",
                "S-DoT 도시데이터 센서",
                "S-DoT urban data sensors",
                "environment",
                "data",
                "realtime",
            ),
            (
                "ds-water-quality",
                "실시간 수질 정보",
                "Real-time water quality",
                "environment",
                "water",
                "realtime",
            ),
        ]
        ids = [f[0] for f in fixed]
        ko = [f[1] for f in fixed]
        en = [f[2] for f in fixed]
        theme = [f[3] for f in fixed]
        publisher = [f[4] for f in fixed]
        period = [f[5] for f in fixed]
        desc = [f"{e}, published by Seoul Metropolitan Government." for e in en]
        themes = self.rng.choice(len(DATASET_THEMES), count - len(fixed))
        pubs = self.rng.choice(len(bureaus), count - len(fixed))
        pers = self.rng.choice(len(PERIODICITY), count - len(fixed))
        for n, (th, pub, per) in enumerate(zip(themes, pubs, pers, strict=True)):
            name = DATASET_THEMES[th]
            ids.append(f"ds-{n:05d}")
            en.append(f"Seoul {name.replace('-', ' ')} statistics {n + 1}")
            ko.append(f"서울시 {name} 통계 {n + 1}")
            desc.append(f"Statistics on {name.replace('-', ' ')} in Seoul, series {n + 1}.")
            theme.append(name)
            publisher.append(bureaus[pub])
            period.append(PERIODICITY[per])
        total = len(ids)
        issued_days = self.rng.integers(30, 3650, total)
        issued = [self.until - timedelta(days=int(d)) for d in issued_days]
        modified = [
            i + (self.until - i) * float(f)
            for i, f in zip(issued, self.rng.random(total), strict=True)
        ]
        fmt_counts = self.rng.integers(1, 4, total)
        formats = [
            sorted({FORMATS[k] for k in self.rng.choice(len(FORMATS), int(c))}) for c in fmt_counts
        ]
        licences = [LICENCES[int(k)] for k in self.rng.choice(len(LICENCES), total)]
        licences[: len(fixed)] = [OPEN_LICENCE] * len(fixed)  # their downloads: CC BY 4.0
        yield NodeBatch(
            "Dataset",
            pa.table(
                {
                    "id": ids,
                    "title_ko": ko,
                    "title_en": en,
                    "description": desc,
                    "theme": theme,
                    "publisher_code": publisher,
                    "license": licences,
                    "accrual_periodicity": period,
                    "formats": formats,
                    "keywords": [[t, "seoul"] for t in theme],
                    "issued": pa.array(issued, pa.timestamp("us", tz="UTC")),
                    "modified": pa.array(modified, pa.timestamp("us", tz="UTC")),
                    "landing_page": [
                        f"https://data.seoul.go.kr/dataList/{i}/S/1/datasetView.do" for i in ids
                    ],
                }
            ),
        )
        yield _rel("PUBLISHES", "Department", "Dataset", list(zip(publisher, ids, strict=True)))
        derived = [
            (i, "ds-sdot") for i, th in zip(ids[2:], theme[2:], strict=True) if th == "environment"
        ]
        yield _rel("DERIVED_FROM", "Dataset", "Dataset", derived)
        yield self._measures

    # -- complaints ------------------------------------------------------------------------

    def cases(self) -> Iterator[Batch | None]:
        """A year of complaints in the order they came in, `CASE_CHUNK` at a time: the cases,
        their relationships and their events."""
        catalogue = services()
        total = self.scale.count("cases_per_year")
        floor = len(self.gu) * len(catalogue)
        extra = max(total - floor, 0)
        # One case of every service in every gu, then the rest by population.
        gu_index = np.concatenate(
            [
                np.repeat(np.arange(len(self.gu)), len(catalogue)),
                self.rng.choice(len(self.gu), extra, p=self._population_weights()),
            ]
        )
        svc_index = np.concatenate(
            [
                np.tile(np.arange(len(catalogue)), len(self.gu)),
                self.rng.choice(len(catalogue), extra),
            ]
        )
        n = len(gu_index)
        day = self.rng.integers(0, 365, n)
        hour = self.rng.choice(24, n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
        minute = self.rng.integers(0, 60, n)
        city_midnight = self.until.astimezone(CITY_TZ).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        requested = [
            min(
                (
                    city_midnight - timedelta(days=int(d)) + timedelta(hours=int(h), minutes=int(m))
                ).astimezone(UTC),
                self.until - timedelta(minutes=5),
            )
            for d, h, m in zip(day, hour, minute, strict=True)
        ]
        speed = self.rng.gamma(2.0, 0.5, n)  # fraction of the deadline a case takes
        order = np.argsort(np.array([r.timestamp() for r in requested]), kind="stable")
        chunk = _CaseChunk()
        for seq, k in enumerate(order.tolist()):
            gu, svc = self.gu[gu_index[k]], catalogue[svc_index[k]]
            case_id = f"case-{seq + 1:08d}"
            asked = requested[k]
            expected = asked + timedelta(hours=svc.deadline_hours)
            done = asked + timedelta(hours=svc.deadline_hours * float(speed[k]) + 0.25)
            closed = done < self.until
            kind = SERVICE_ASSET.get(svc.code)
            if kind is not None:
                options = self.assets_by_gu_kind[(gu.code, kind)]
                pick = int(self.rng.integers(len(options)))
                lat, lon = self.asset_points[(gu.code, kind)][pick]
                chunk.concerns.append((case_id, options[pick]))
            else:
                lat, lon = points_in(gu.geometry, 1, self.rng)[0]
            department = svc.department if self.rng.random() < 0.4 else gu_office_id(gu.code)
            chunk.ids.append(case_id)
            cols = chunk.cols
            cols["service_code"].append(svc.code)
            cols["service_name"].append(svc.name)
            cols["description"].append(f"{svc.name_ko}: {svc.name} reported in {gu.name_en}.")
            cols["status"].append("closed" if closed else "open")
            cols["status_notes"].append("Resolved by the responsible department." if closed else "")
            cols["agency_responsible"].append(department)
            cols["requested_at"].append(asked)
            cols["updated_at"].append(done if closed else asked + timedelta(minutes=10))
            cols["expected_at"].append(expected)
            cols["lat"].append(float(lat))
            cols["lon"].append(float(lon))
            cols["district_code"].append(gu.code)
            cols["address"].append(f"{gu.name_en}, Seoul")
            chunk.located.append((case_id, gu.code))
            chunk.assigned.append((case_id, department))
            residents = self.citizen_numbers[gu.code]
            if self.rng.random() < 0.7:
                resident = int(residents[int(self.rng.integers(len(residents)))])
                chunk.filed.append((resident, case_id))
            events = chunk.events
            assigned_at = asked + timedelta(minutes=10)
            events.append((case_id, gu.code, "received", "open", "", "", "", asked))
            events.append((case_id, gu.code, "assigned", "open", "", department, "", assigned_at))
            if closed:
                events.append(
                    (
                        case_id,
                        gu.code,
                        "status_changed",
                        "closed",
                        "Resolved.",
                        department,
                        "",
                        done,
                    )
                )
            if len(chunk.ids) == CASE_CHUNK:
                yield from chunk.batches()
                chunk = _CaseChunk()
        yield from chunk.batches()

    def _population_weights(self) -> np.ndarray:
        w = np.array([g.population or 1 for g in self.gu], dtype=float)
        weights: np.ndarray = w / w.sum()
        return weights
