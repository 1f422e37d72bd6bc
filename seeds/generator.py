"""The deterministic generator of the city's synthetic operations at a scale factor.

Real data (districts, boundaries, populations) comes from `seeds.districts`; everything else
is drawn from one numpy Generator seeded with RANDOM_SEED, in a fixed order, so the same scale
gives the same city. At scale 1.0 the counts are Seoul's (seeds/data/city_figures.csv); at any
scale every gu has at least one S-DoT sensor, water station, asset of each kind and case of each
service, and the Han River has its eight stations (`seeds.han_river`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

from graph.catalogue import departments, gu_office_id, services
from graph.ontology import ASSET_KINDS, DATASET_THEMES, SDOT_DATA_TYPES, WATER_DATA_TYPES
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


@dataclass
class CityRows:
    """Everything the graph receives: node tables by label and relationship tables."""

    nodes: dict[str, pa.Table] = field(default_factory=dict)
    rels: list[tuple[str, str, str, pa.Table]] = field(default_factory=list)
    cases: pa.Table | None = None

    def rel(self, name: str, source: str, target: str, pairs: Sequence[tuple[str, str]]) -> None:
        if pairs:
            a, b = zip(*pairs, strict=True)
            self.rels.append((name, source, target, pa.table({"from": list(a), "to": list(b)})))


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
    """Builds the city's rows at a scale. Requires 0 < scale <= 1."""

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
        self.asset_position: dict[str, tuple[float, float]] = {}
        self.citizens_by_gu: dict[str, np.ndarray] = {}

    # -- districts and departments -------------------------------------------------------

    def districts(self, rows: CityRows) -> None:
        areas = [*self.gu, *self.dong]
        centroids = [a.centroid for a in areas]
        rows.nodes["District"] = pa.table(
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
        )
        rows.rel("LOCATED_IN", "District", "District", [(d.code, d.parent_code) for d in self.dong])
        pairs = adjacent_pairs(self.gu)
        rows.rel("ADJACENT_TO", "District", "District", pairs + [(b, a) for a, b in pairs])

    def departments(self, rows: CityRows) -> None:
        bureaus = departments()
        ids = [d["code"] for d in bureaus] + [gu_office_id(g.code) for g in self.gu]
        rows.nodes["Department"] = pa.table(
            {
                "id": ids,
                "name_en": [d["name_en"] for d in bureaus]
                + [f"{g.name_en} Office" for g in self.gu],
                "name_ko": [d["name_ko"] for d in bureaus] + [f"{g.name_ko}청" for g in self.gu],
                "district_code": [""] * len(bureaus) + [g.code for g in self.gu],
            }
        )
        rows.rel(
            "LOCATED_IN",
            "Department",
            "District",
            [(gu_office_id(g.code), g.code) for g in self.gu],
        )

    # -- people ----------------------------------------------------------------------------

    def citizens(self, rows: CityRows) -> None:
        total = self.scale.count("residents", minimum=len(self.gu) * 10)
        per_gu = apportion(total, [g.population or 1 for g in self.gu])
        ids, gus, dongs, years, sexes, welfare = [], [], [], [], [], []
        this_year = self.until.astimezone(CITY_TZ).year
        for gu, n in zip(self.gu, per_gu, strict=True):
            raw = self.rng.integers(0, 2**63, n, dtype=np.int64)
            gu_ids = np.array([f"cz-{v:016x}" for v in raw.tolist()])
            self.citizens_by_gu[gu.code] = gu_ids
            ids.append(gu_ids)
            gus.append(np.full(n, gu.code))
            options = self.dong_by_gu[gu.code]
            weights = np.array([d.area_km2 for d in options])
            dongs.append(
                np.array([d.code for d in options])[
                    self.rng.choice(len(options), n, p=weights / weights.sum())
                ]
            )
            ages = np.clip(self.rng.normal(44, 21, n), 0, 100).astype(int)
            years.append(this_year - ages)
            sexes.append(np.where(self.rng.random(n) < 0.515, "F", "M"))
            welfare.append(self.rng.random(n) < 0.055)
        rows.nodes["Citizen"] = pa.table(
            {
                "id": np.concatenate(ids),
                "district_code": np.concatenate(gus),
                "dong_code": np.concatenate(dongs),
                "birth_year": np.concatenate(years).astype(np.int64),
                "sex": np.concatenate(sexes),
                "welfare_eligible": np.concatenate(welfare),
            }
        )
        rows.rel(
            "LIVES_IN",
            "Citizen",
            "District",
            list(
                zip(
                    rows.nodes["Citizen"]["id"].to_pylist(),
                    np.concatenate(dongs).tolist(),
                    strict=True,
                )
            ),
        )

    # -- things ----------------------------------------------------------------------------

    def _placed(self, figure: str, minimum_per_gu: int) -> list[tuple[Area, np.ndarray]]:
        total = self.scale.count(figure)
        per_gu = apportion(total, [g.area_km2 for g in self.gu], minimum=minimum_per_gu)
        return [
            (g, points_in(g.geometry, n, self.rng)) for g, n in zip(self.gu, per_gu, strict=True)
        ]

    def assets(self, rows: CityRows) -> None:
        cols: dict[str, list[object]] = {
            k: []
            for k in (
                "id",
                "kind",
                "name",
                "lat",
                "lon",
                "district_code",
                "status",
                "installed_year",
            )
        }
        located, mounted = [], []
        for kind in ASSET_KINDS:
            for gu, points in self._placed(ASSET_FIGURE[kind], 1):
                ids = [f"{ASSET_PREFIX[kind]}-{gu.code}-{i:05d}" for i in range(len(points))]
                self.assets_by_gu_kind[(gu.code, kind)] = ids
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
                self.asset_position.update(zip(ids, map(tuple, points.tolist()), strict=True))
        # Seoul Free WiFi access points are integrated into the smart poles.
        for gu in self.gu:
            poles = self.assets_by_gu_kind[(gu.code, "smart_pole")]
            aps = self.assets_by_gu_kind[(gu.code, "wifi_ap")]
            mounted += list(zip(aps, poles, strict=False))
        rows.nodes["Asset"] = pa.table(cols)
        rows.rel("LOCATED_IN", "Asset", "District", located)
        rows.rel("MOUNTED_ON", "Asset", "Asset", mounted)

    def sensors(self, rows: CityRows) -> None:
        cols: dict[str, list[object]] = {
            k: []
            for k in (
                "id",
                "kind",
                "model",
                "serial",
                "lat",
                "lon",
                "district_code",
                "data_types",
                "status",
                "installed_year",
            )
        }
        located, mounted, measures = [], [], []
        for kind, figure, prefix, types, model in (
            ("sdot", "sdot_sensors", "sdot", SDOT_DATA_TYPES, "SDOT-2020"),
            ("water_quality", "water_stations", "wq", WATER_DATA_TYPES, "WQ-M5"),
        ):
            for gu, points in self._placed(figure, 1):
                ids = [f"{prefix}-{gu.code}-{i:04d}" for i in range(len(points))]
                poles = self.assets_by_gu_kind[(gu.code, "smart_pole")]
                if kind == "sdot":  # S-DoT units sit on the smart poles while there are poles
                    for index, (sensor, pole) in enumerate(zip(ids, poles, strict=False)):
                        mounted.append((sensor, pole))
                        points[index] = self.asset_position[pole]
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
        rows.nodes["Sensor"] = pa.table(cols)
        rows.rel("LOCATED_IN", "Sensor", "District", located)
        rows.rel("MOUNTED_ON", "Sensor", "Asset", mounted)
        rows.rel("MEASURES", "Sensor", "Dataset", measures)

    # -- the data catalogue --------------------------------------------------------------

    def datasets(self, rows: CityRows) -> None:
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
        rows.nodes["Dataset"] = pa.table(
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
        )
        rows.rel("PUBLISHES", "Department", "Dataset", list(zip(publisher, ids, strict=True)))
        derived = [
            (i, "ds-sdot") for i, th in zip(ids[2:], theme[2:], strict=True) if th == "environment"
        ]
        rows.rel("DERIVED_FROM", "Dataset", "Dataset", derived)

    # -- complaints ------------------------------------------------------------------------

    def cases(self, rows: CityRows) -> None:
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
        ids: list[str] = []
        cols: dict[str, list[Any]] = {
            k: []
            for k in (
                "service_code",
                "service_name",
                "description",
                "status",
                "status_notes",
                "agency_responsible",
                "requested_at",
                "updated_at",
                "expected_at",
                "lat",
                "lon",
                "district_code",
                "address",
            )
        }
        located, concerns, assigned, filed, events = [], [], [], [], []
        order = np.argsort(np.array([r.timestamp() for r in requested]), kind="stable")
        for seq, k in enumerate(order):
            gu, svc = self.gu[gu_index[k]], catalogue[svc_index[k]]
            case_id = f"case-{seq + 1:08d}"
            asked = requested[k]
            expected = asked + timedelta(hours=svc.deadline_hours)
            done = asked + timedelta(hours=svc.deadline_hours * float(speed[k]) + 0.25)
            closed = done < self.until
            asset = None
            kind = SERVICE_ASSET.get(svc.code)
            if kind is not None:
                options = self.assets_by_gu_kind[(gu.code, kind)]
                asset = options[int(self.rng.integers(len(options)))]
                lat, lon = self.asset_position[asset]
                concerns.append((case_id, asset))
            else:
                lat, lon = points_in(gu.geometry, 1, self.rng)[0]
            department = svc.department if self.rng.random() < 0.4 else gu_office_id(gu.code)
            ids.append(case_id)
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
            located.append((case_id, gu.code))
            assigned.append((case_id, department))
            residents = self.citizens_by_gu[gu.code]
            if self.rng.random() < 0.7:
                filed.append((residents[int(self.rng.integers(len(residents)))], case_id))
            events.append((case_id, "received", "open", "", "", asked))
            events.append(
                (case_id, "assigned", "open", "", department, asked + timedelta(minutes=10))
            )
            if closed:
                events.append((case_id, "status_changed", "closed", "Resolved.", department, done))
        for name in ("requested_at", "updated_at", "expected_at"):
            cols[name] = pa.array(cols[name], pa.timestamp("us", tz="UTC"))
        rows.nodes["Case"] = pa.table({"id": ids, **cols})
        rows.rel("LOCATED_IN", "Case", "District", located)
        rows.rel("CONCERNS", "Case", "Asset", concerns)
        rows.rel("ASSIGNED_TO", "Case", "Department", assigned)
        rows.rel("FILED", "Citizen", "Case", filed)
        rows.cases = pa.table(
            {
                "case_id": [e[0] for e in events],
                "kind": [e[1] for e in events],
                "status": [e[2] for e in events],
                "note": [e[3] for e in events],
                "department": [e[4] for e in events],
                "at": pa.array([e[5] for e in events], pa.timestamp("us", tz="UTC")),
            }
        )

    def _population_weights(self) -> np.ndarray:
        w = np.array([g.population or 1 for g in self.gu], dtype=float)
        weights: np.ndarray = w / w.sum()
        return weights

    def build(self) -> CityRows:
        rows = CityRows()
        for step in (
            self.districts,
            self.departments,
            self.citizens,
            self.assets,
            self.sensors,
            self.datasets,
            self.cases,
        ):
            step(rows)
        return rows
