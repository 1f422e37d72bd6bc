"""The map's figures: the gu (and a drilled-into gu's dong) as deck.gl polygons coloured by a
measure, sensors and assets as points, open cases as hexagons, and the measure's table.

Inputs are the `data` of the map page's sources (dashboards/pages/map.py), any of which may be
None (a refused or failed source): its layer is then empty and its cells read "–". The deck.gl
spec is pydeck's JSON (`pydeck.Deck.to_json`) as a dict: accessors are `"@@=a.b"` paths into
each datum, and `{measure}` in a path names the measure chosen on the page (dashboards/assets/
map.js resolves both; no expression is ever evaluated). Colours come from dashboards/theme.py
as `[r, g, b, a]`; every colour is also named in text (legend, tooltip, table).

The base layer is our own polygons. Only when the server sets a tile service
(`CIVIC_DASHBOARD_TILE_URL`) does the spec start with a deck.gl TileLayer of its raster tiles
(drawn as BitmapLayers by map.js), under the polygons, which are then drawn translucent.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pydeck
from shapely.geometry import mapping, shape

from dashboards import theme
from dashboards.figures import bands as band_rules
from dashboards.figures.answers import Data, get
from dashboards.i18n import Lang, band_name, in_lang, number, status_name, t

RGBA = list[int]

MEASURES = ("open_cases", "pm25", "noise", "population")
"""The measures the gu can be coloured by, in the order the page offers them."""
BANDED = {"pm25": "PM25", "noise": "NOISE"}
"""Measures coloured by their published bands (`readingBands`), by data type."""
SIMPLIFY_DEGREES = 0.0001
"""Boundaries are simplified to about 10 m (topology kept): a gu's dong are 0.75 MB raw."""
NO_DATA: RGBA = [*bytes.fromhex(theme.GRID.lstrip("#")), 200]
OUTLINE: RGBA = [*bytes.fromhex(theme.TEXT.lstrip("#")), 255]
HEXAGON_RADIUS_M = 400
CASE_COLOURS = (theme.CATEGORICAL[3], theme.CATEGORICAL[5])
"""Few → many cases per hexagon: reddish purple to wine (darker as they grow)."""
POINT_COLOURS = {
    "SDOT": theme.CATEGORICAL[1],
    "WATER_QUALITY": theme.CATEGORICAL[2],
    "SMART_POLE": theme.CATEGORICAL[4],
    "PARKING_LOT": theme.CATEGORICAL[0],
}
"""Point colours by kind: none is a hexagon colour, and each is ringed in white (1 px)."""
SEOUL = {"latitude": 37.5665, "longitude": 126.978, "zoom": 10}
TILE_SIZE = 256
"""Pixels per side of an XYZ raster tile (the OpenStreetMap convention)."""
TILE_MAX_ZOOM = 19
"""Deepest tile zoom asked for (OpenStreetMap's standard layer ends at 19); deeper views scale
the zoom-19 tiles up."""
OVER_TILES_OPACITY = 0.7
"""Opacity of the gu polygons over tiles, so streets show through."""

LABELS: dict[str, tuple[str, str]] = {
    "title": ("서울 지도", "Map of Seoul"),
    "measure": ("자치구 색칠 기준", "Colour the gu by"),
    "open_cases": ("처리 중인 민원", "Open cases"),
    "pm25": ("초미세먼지 PM2.5 (1시간 평균)", "PM2.5 (mean of the hour)"),
    "noise": ("소음 (1시간 평균)", "Noise (mean of the hour)"),
    "population": ("인구 (2020 인구주택총조사)", "Population (2020 census)"),
    "residents": ("그래프의 주민 수", "Residents in the graph"),
    "area": ("면적 (km²)", "Area (km²)"),
    "dong": ("행정동", "Dong"),
    "canvas": ("서울 자치구 지도, 색: ", "Map of Seoul's gu, coloured by "),
    "canvas_gu": ("의 행정동 경계 표시", ": its dong outlined"),
    "table": ("자치구별 지표", "Measures by gu"),
    "table_dong": ("행정동", "Dong of the gu"),
    "sensors": ("센서", "Sensors"),
    "assets": ("시설물", "Assets"),
    "cases": ("처리 중인 민원 (육각형 밀도)", "Open cases (hexagon density)"),
    "boundaries": ("경계", "Boundaries"),
    "measures": ("지표", "Measures"),
    "SDOT": ("S-DoT 센서", "S-DoT sensor"),
    "WATER_QUALITY": ("수질 측정소", "Water-quality station"),
    "SMART_POLE": ("스마트폴", "Smart pole"),
    "PARKING_LOT": ("공영주차장", "Parking lot"),
    "few": ("적음", "few"),
    "many": ("많음", "many"),
    "no_data": ("자료 없음", "no data"),
    "shown": ("표시", "shown"),
    "of": ("전체", "of"),
    "cases_note": (
        "민원은 처리 중인 것 중 최근 {n}건까지 표시합니다 (사건 번호 순, 접수 순서를 따름).",
        "Cases: up to the {n} most recent open cases (case id order, which follows filing).",
    ),
    "assets_note": (
        "시설물은 스마트폴과 공영주차장만, 최대 {n}개까지 표시합니다.",
        "Assets: smart poles and parking lots only, at most {n}.",
    ),
    "dong_note": (
        "지표는 자치구 단위로 측정됩니다. 행정동은 경계로 표시하고 표에 주민 수를 보입니다.",
        "Measures are per gu: the dong are outlined, and the table lists their residents.",
    ),
    "keyboard": (
        "자치구를 누르면 해당 구로 이동합니다. 키보드로는 위의 자치구 선택을 쓰세요.",
        "Click a gu to drill into it; with a keyboard, use the district selector above.",
    ),
    "unavailable": (
        "지도를 그릴 수 없습니다 (WebGL 또는 deck.gl 없음). 아래 표를 보세요.",
        "The map cannot be drawn here (no WebGL or deck.gl): see the table below.",
    ),
    "tiles": ("배경 지도", "Base map"),
}
UNITS = {"pm25": "µg/m³", "noise": "dB(A)"}


def label(key: str, lang: Lang) -> str:
    """The page label `key` in `lang` (KeyError for an unknown key)."""
    return in_lang(LABELS[key], lang)


def rgba(colour: str, alpha: int = 255) -> RGBA:
    """`#RRGGBB` as deck.gl's `[r, g, b, a]`."""
    return [*bytes.fromhex(colour.lstrip("#")), alpha]


@dataclass(frozen=True)
class Cell:
    """One gu's value of one measure: its number (None: missing or withheld), its text and its
    fill colour."""

    value: float | None
    text: str
    fill: RGBA


@dataclass(frozen=True)
class LegendEntry:
    """One colour of a measure's legend and what it means, in words."""

    colour: str
    text: str


def quantile_breaks(values: Iterable[float], classes: int = len(theme.SEQUENTIAL)) -> list[float]:
    """Upper bounds of `classes` classes holding about equal numbers of `values` (the last is
    the maximum); empty for no values."""
    ordered = sorted(values)
    if not ordered:
        return []
    n = len(ordered)
    return [ordered[math.ceil(n * (i + 1) / classes) - 1] for i in range(classes)]


def class_breaks(values: Iterable[float]) -> list[float]:
    """Distinct quantile class bounds: as many classes as distinct values, at most five."""
    present = list(values)
    classes = min(len(theme.SEQUENTIAL), len(set(present)))
    return sorted(set(quantile_breaks(present, classes))) if classes else []


def class_colour(index: int, classes: int) -> str:
    """The colour of class `index` of `classes`, spread over the whole sequential ramp so the
    highest class is always the darkest. Requires 0 <= index < classes."""
    last = len(theme.SEQUENTIAL) - 1
    return theme.SEQUENTIAL[last if classes == 1 else round(index * last / (classes - 1))]


def _class_of(value: float, breaks: Sequence[float]) -> int:
    for index, upper in enumerate(breaks):
        if value <= upper:
            return index
    return len(breaks) - 1


def raw_values(measures: Data, districts: Data) -> dict[str, dict[str, Any]]:
    """Gu code → measure → the API's value: a number, None (missing) or "withheld" (a count
    the API withheld: `count: null, suppressed: true`)."""
    result: dict[str, dict[str, Any]] = {}
    for row in get(districts, "districts") or []:
        result.setdefault(row["code"], {})["population"] = row.get("population")
    for row in get(measures, "caseStatistics", "byDistrict") or []:
        open_ = row.get("open") or {}
        value = "withheld" if open_.get("suppressed") else open_.get("count")
        result.setdefault(row["districtCode"], {})["open_cases"] = value
    for row in get(measures, "airQuality") or []:
        cell = result.setdefault(row["districtCode"], {})
        cell["pm25"], cell["noise"] = row.get("pm25"), row.get("noise")
    return result


def cells(
    values: Mapping[str, Mapping[str, Any]],
    bands: Sequence[Mapping[str, Any]],
    lang: Lang,
    at: datetime,
) -> tuple[dict[str, dict[str, Cell]], dict[str, list[LegendEntry]]]:
    """Each gu's cell of each measure, and each measure's legend.

    Counts (open cases, population) are coloured in quantile classes of the sequential blues;
    PM2.5 and noise by their published band in force at `at` (noise has day and night limits;
    the band's name in the text). A missing value is grey "no data"; a withheld count grey
    "under 5, withheld", never 0."""
    result: dict[str, dict[str, Cell]] = {code: {} for code in values}
    legends: dict[str, list[LegendEntry]] = {}
    for measure in MEASURES:
        present = {
            c: v[measure] for c, v in values.items() if isinstance(v.get(measure), int | float)
        }
        if measure in BANDED:
            own = band_rules.of_type(bands, BANDED[measure], at)
            for code, v in values.items():
                result[code][measure] = _banded_cell(v.get(measure), own, measure, lang)
            legends[measure] = [
                LegendEntry(theme.band_colour(i), _band_text(b, measure, lang))
                for i, b in enumerate(own)
            ]
        else:
            breaks = class_breaks(float(x) for x in present.values())
            for code, v in values.items():
                result[code][measure] = _counted_cell(v.get(measure), breaks, lang)
            legends[measure] = _class_legend(breaks, min(present.values(), default=0), lang)
        legends[measure].append(LegendEntry(theme.GRID, label("no_data", lang)))
    return result, legends


def _missing(value: Any, lang: Lang) -> Cell:
    text = t("panel.suppressed", lang) if value == "withheld" else "–"
    return Cell(None, text, NO_DATA)


def _banded_cell(value: Any, bands: Sequence[Mapping[str, Any]], measure: str, lang: Lang) -> Cell:
    if not isinstance(value, int | float):
        return _missing(value, lang)
    text = f"{number(value, lang, digits=1)} {UNITS[measure]}"
    if not bands:
        return Cell(float(value), text, NO_DATA)
    index = band_rules.holding(float(value), bands)
    if index is None:
        return Cell(float(value), text, NO_DATA)
    name = band_name(str(bands[index]["name"]), lang)
    return Cell(float(value), f"{text} ({name})", rgba(theme.band_colour(index), 220))


def _band_text(band: Mapping[str, Any], measure: str, lang: Lang) -> str:
    span = band_rules.span(band, lang)
    return f"{band_name(str(band['name']), lang)}: {span} {UNITS[measure]}"


def _counted_cell(value: Any, breaks: Sequence[float], lang: Lang) -> Cell:
    if not isinstance(value, int | float) or not breaks:
        return _missing(value, lang)
    colour = class_colour(_class_of(float(value), breaks), len(breaks))
    return Cell(float(value), number(value, lang), rgba(colour, 220))


def _class_legend(breaks: Sequence[float], lowest: float, lang: Lang) -> list[LegendEntry]:
    """Each class of a count as "low–high" (whole numbers), in its colour."""
    entries: list[LegendEntry] = []
    lower = lowest
    for index, upper in enumerate(breaks):
        span = (
            number(lower, lang)
            if lower == upper
            else f"{number(lower, lang)}–{number(upper, lang)}"
        )
        entries.append(LegendEntry(class_colour(index, len(breaks)), span))
        lower = upper + 1  # counts: the next class starts at the next whole number
    return entries


def _geometry(boundary: Any) -> Any:
    """The boundary simplified to `SIMPLIFY_DEGREES` with coordinates rounded to 6 decimals
    (0.1 m); a malformed one is None."""
    try:
        simple = shape(boundary).simplify(SIMPLIFY_DEGREES, preserve_topology=True)
    except (ValueError, TypeError, AttributeError, KeyError):
        return None
    return json.loads(json.dumps(mapping(simple)), parse_float=lambda s: round(float(s), 6))


def gu_features(
    districts: Data, table: Mapping[str, Mapping[str, Cell]], gu: str | None, lang: Lang
) -> dict[str, Any]:
    """The 25 gu as a GeoJSON FeatureCollection whose properties hold the code, the name, the
    level "GU", and per measure its fill (`fill.<measure>`) and text (`text.<measure>`). When
    drilled into `gu`, the other gu are faded."""
    features = []
    for row in get(districts, "districts") or []:
        geometry = _geometry(row.get("boundary"))
        if geometry is None:
            continue
        own = table.get(row["code"], {})
        fade = gu is not None and row["code"] != gu
        fill = {
            m: [*own[m].fill[:3], 90 if fade else own[m].fill[3]] if m in own else NO_DATA
            for m in MEASURES
        }
        text = {m: own[m].text if m in own else "–" for m in MEASURES}
        name = row["nameKo"] if lang == "ko" else row["nameEn"]
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "code": row["code"],
                    "level": "GU",
                    "name": name,
                    "fill": fill,
                    "text": text,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def dong_features(dong: Data, lang: Lang) -> dict[str, Any]:
    """A gu's dong as outlined features (level "DONG"), their residents in the text."""
    features = []
    for row in get(dong, "districts") or []:
        geometry = _geometry(row.get("boundary"))
        if geometry is None:
            continue
        residents = f"{label('residents', lang)}: {number(row.get('residentCount'), lang)}"
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "code": row["code"],
                    "level": "DONG",
                    "name": row["nameKo"],
                    "text": {m: residents for m in MEASURES},
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def bounds_of(collection: Mapping[str, Any]) -> list[float] | None:
    """`[west, south, east, north]` of a FeatureCollection's geometries (None when empty)."""
    boxes = [shape(f["geometry"]).bounds for f in collection.get("features", [])]
    if not boxes:
        return None
    return [
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    ]


def sensor_points(sensors: Data, gu: str | None, lang: Lang) -> list[dict[str, Any]]:
    """Sensors (of `gu`, or all) as `{position: [lon, lat], fill, label}` points, from a
    `districts { code sensors { id kind status location } }` answer."""
    points = []
    for row in get(sensors, "districts") or []:
        if gu is not None and row.get("code") != gu:
            continue
        for s in row.get("sensors") or []:
            points.append(
                _point(
                    s,
                    str(s.get("kind")),
                    f"{s.get('id')} ({status_name(s.get('status'), lang)})",
                    lang,
                )
            )
    return points


def asset_points(pages: Sequence[Data], lang: Lang) -> list[dict[str, Any]]:
    """Assets as points, from the pages of an `assets` connection."""
    return [
        _point(edge["node"], str(edge["node"].get("kind")), str(edge["node"].get("name")), lang)
        for page in pages
        for edge in get(page, "assets", "edges") or []
    ]


def _point(node: Mapping[str, Any], kind: str, detail: str, lang: Lang) -> dict[str, Any]:
    where = node.get("location") or {}
    colour = POINT_COLOURS.get(kind, theme.CATEGORICAL[0])
    name = label(kind, lang) if kind in LABELS else kind
    return {
        "position": [where.get("lon"), where.get("lat")],
        "fill": rgba(colour),
        "label": f"{name}: {detail}",
    }


def case_points(pages: Sequence[Data]) -> list[dict[str, Any]]:
    """Open cases' `{position: [lon, lat]}` from the pages of a `cases` connection."""
    return [
        {"position": [edge["node"]["location"]["lon"], edge["node"]["location"]["lat"]]}
        for page in pages
        for edge in get(page, "cases", "edges") or []
        if (edge.get("node") or {}).get("location")
    ]


def total_count(pages: Sequence[Data], field: str) -> int | None:
    """The connection's `totalCount` (from its first page that has one)."""
    for page in pages:
        count = get(page, field, "totalCount")
        if isinstance(count, int):
            return count
    return None


def tile_layer(tile_url: str) -> pydeck.Layer:
    """A deck.gl TileLayer of the XYZ raster tiles at `tile_url` (a template with {z}, {x},
    {y}, checked by the settings); map.js draws each tile as a BitmapLayer on its bounds."""
    return pydeck.Layer(
        "TileLayer",
        data=tile_url,
        id="tiles",
        min_zoom=0,
        max_zoom=TILE_MAX_ZOOM,
        tile_size=TILE_SIZE,
        pickable=False,
    )


def _polygons(
    layer_id: str, features: Mapping[str, Any], fill: Any, line_px: float, **extra: Any
) -> pydeck.Layer:
    """A pickable GeoJSON layer of `features` (a FeatureCollection), filled by `fill` (a
    colour or an accessor) and outlined `line_px` pixels wide at the least."""
    return pydeck.Layer(
        "GeoJsonLayer",
        data=dict(features),
        id=layer_id,
        pickable=True,
        stroked=True,
        filled=True,
        get_fill_color=fill,
        get_line_color=OUTLINE,
        line_width_min_pixels=line_px,
        **extra,
    )


def deck_spec(
    gu_layer: Mapping[str, Any],
    dong_layer: Mapping[str, Any] | None,
    sensors: Sequence[Mapping[str, Any]],
    assets: Sequence[Mapping[str, Any]],
    cases: Sequence[Mapping[str, Any]],
    gu: str | None,
    lang: Lang,
    tile_url: str | None = None,
) -> dict[str, Any]:
    """The deck.gl spec (pydeck's JSON) with what map.js needs beside it: `bounds` to fit
    ([west, south, east, north]: the drilled gu, else every gu), the gu drilled into and the
    tooltip's labels. No `mapStyle`: the base layer is our own polygons, over the raster tiles
    of `tile_url` when one is given (`tile_layer`; None: no layer names another origin)."""
    layers = [tile_layer(tile_url)] if tile_url else []
    over_tiles = {"opacity": OVER_TILES_OPACITY} if tile_url else {}
    # the gu filled by the chosen measure (map.js fills in `{measure}`); the dong outlined only
    layers.append(_polygons("gu", gu_layer, "properties.fill.{measure}", 1, **over_tiles))
    if dong_layer is not None:
        layers.append(_polygons("dong", dong_layer, [255, 255, 255, 0], 0.5))
    layers.append(
        pydeck.Layer(
            "HexagonLayer",
            data=list(cases),
            id="cases",
            pickable=True,
            get_position="position",
            radius=HEXAGON_RADIUS_M,
            color_range=[rgba(c)[:3] for c in CASE_COLOURS],
            opacity=0.8,
            gpu_aggregation=False,
        )
    )
    # sensors last, on top: an S-DoT sensor hangs on a smart pole at the same point
    for layer_id, points in (("assets", assets), ("sensors", sensors)):
        layers.append(
            pydeck.Layer(
                "ScatterplotLayer",
                data=list(points),
                id=layer_id,
                pickable=True,
                get_position="position",
                get_fill_color="fill",
                get_line_color=[255, 255, 255, 255],
                stroked=True,
                line_width_min_pixels=1,
                radius_min_pixels=4,
                radius_max_pixels=8,
                get_radius=30,
            )
        )
    deck = pydeck.Deck(
        layers=layers,
        initial_view_state=pydeck.ViewState(**SEOUL),
        map_style=None,
        map_provider=None,
    )
    spec: dict[str, Any] = json.loads(deck.to_json())
    spec["bounds"] = bounds_of(dong_layer if dong_layer and dong_layer["features"] else gu_layer)
    spec["gu"] = gu
    names = {f["properties"]["code"]: f["properties"]["name"] for f in gu_layer["features"]}
    spec["labels"] = {
        "cases": label("open_cases", lang),
        "canvas": label("canvas", lang),
        "measures": {m: label(m, lang) for m in MEASURES},
        "gu": names.get(gu, "") if gu else "",
    }
    return spec


def gu_table(
    districts: Data, table: Mapping[str, Mapping[str, Cell]], lang: Lang
) -> tuple[list[str], list[list[str]]]:
    """The table alternative per gu: header and rows `[gu, open cases, PM2.5, noise,
    population]`."""
    header = [t("col.district", lang), *(label(m, lang) for m in MEASURES)]
    rows = []
    for row in get(districts, "districts") or []:
        own = table.get(row["code"], {})
        name = row["nameKo"] if lang == "ko" else row["nameEn"]
        rows.append([name, *(own[m].text if m in own else "–" for m in MEASURES)])
    return header, rows


def dong_table(dong: Data, lang: Lang) -> tuple[list[str], list[list[str]]]:
    """The table alternative of a gu's dong: `[dong, area km², residents]`."""
    header = [label("dong", lang), label("area", lang), label("residents", lang)]
    rows = [
        [
            str(row.get("nameKo")),
            number(row.get("areaKm2"), lang, digits=2),
            number(row.get("residentCount"), lang),
        ]
        for row in get(dong, "districts") or []
    ]
    return header, rows
