"""The models' predictions on the analytics page: what every section shares (labels, a scored
window, whether a model is trained or has scored yet) and the hotspot map with its table.

Inputs are the `data` of `predictions` answers (`PredictionConnection`: `windowStart`,
`windowEnd`, `modelVersion`, `alarmCount`, `totalCount`, `edges { node }`), any of which may be
None (a refused or failed source). Hotspots: the deck.gl spec is pydeck's JSON, drawn offline
by dashboards/assets/predictions.js with the map page's loader and accessors (map.js); the
base layer is our own gu polygons (`dashboards.figures.map.gu_features`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pydeck
from babel.dates import format_date

from dashboards import theme
from dashboards.figures import map as base_map
from dashboards.figures.answers import Data, get
from dashboards.i18n import LOCALES, SEOUL, Lang, in_lang, number, when

LABELS: dict[str, tuple[str, str]] = {
    "contents": ("이 페이지", "On this page"),
    "window": ("예측 구간", "Window scored"),
    "model_version": ("모델 버전", "Model version"),
    "scored": ("예측 대상", "Scored"),
    "alarms": ("경보", "Alarms"),
    "untrained": (
        "{model}은(는) 아직 학습 전입니다. 다음으로 학습한 뒤",
        "The {model} model is not trained yet. Train it with",
    ),
    "untrained_then": ("플랫폼 자료의 점수를 매기세요:", "then score the platform's data with"),
    "unscored": (
        "{model}은(는) 학습되었지만 아직 플랫폼 자료의 점수를 매기지 않았습니다. "
        "다음을 실행하세요:",
        "The {model} model is trained but has not scored the platform's data yet. Run",
    ),
    "hotspots": ("사건 다발 지점 위험", "Hotspot risk"),
    "hotspots_intro": (
        "가장 최근 날짜에 대해 약 250 m 격자 칸마다 예상되는 사건 수입니다. 분석가가 검토할 "
        "장소와 시간일 뿐 사람에 대한 예측이 아니며, 분석가가 승인하기 전에는 순찰을 바꾸지 "
        "않습니다.",
        "The expected recorded incidents in each ≈250 m grid cell for the newest day scored. "
        "These are places and hours for an analyst's review, never people, and no patrol "
        "changes before an analyst approves it.",
    ),
    "patrol_queue": ("순찰 배치 검토 대기열 보기", "See the patrol allocations awaiting review"),
    "hex_note": (
        "육각형(반경 {radius} m)은 그 안에 중심이 있는 칸의 예상 사건 수 합입니다. 위험이 가장 "
        "높은 칸 {n}개까지 읽어 그립니다 ({shown} / 전체 {total}). 테두리 원은 상위 칸(면적의 "
        "5 %)입니다.",
        "A hexagon ({radius} m radius) sums the expected incidents of the cells centred in it. "
        "The map reads the {n} highest-risk cells at most ({shown} of {total}). Ringed: the "
        "top cells (5 % of the area).",
    ),
    "canvas": ("사건 다발 지점 위험 지도", "Map of hotspot risk"),
    "unavailable": (
        "지도를 그릴 수 없습니다 (WebGL 또는 deck.gl 없음). 아래 표를 보세요.",
        "The map cannot be drawn here (no WebGL or deck.gl): see the table below.",
    ),
    "legend_low": ("예상 사건 적음", "fewer expected incidents"),
    "legend_high": ("예상 사건 많음", "more expected incidents"),
    "legend_top": ("상위 칸 (면적의 5 %)", "top cell (5 % of the area)"),
    "top_table": ("위험이 가장 높은 칸", "The highest-risk cells"),
    "rank": ("순위", "Rank"),
    "cell": ("격자 칸", "Cell"),
    "gu": ("자치구", "District"),
    "expected": ("예상 사건 수 (하루)", "Expected incidents (day)"),
    "peak_hour": ("위험이 가장 높은 시간", "Peak hour"),
    "top_cell": ("상위 칸", "Top cell"),
    "yes": ("예", "yes"),
    "no": ("아니오", "no"),
    "expected_tooltip": ("예상 사건 수", "Expected incidents"),
    "cells": ("격자 칸 {n}개", "{n} cells"),
}
"""Labels of the prediction sections, (Korean, English)."""

HEX_RADIUS_M = 500
"""Hexagons of 500 m radius: about 13 cells of 250 m each."""
MAX_CELLS = 500
"""Cells read for the map: the 500 highest-risk (5 pages of 100)."""
TOP_ROWS = 10
"""Rows of the top-cells table."""
HEX_COLOURS = theme.SEQUENTIAL
"""Fewer → more expected incidents: light to dark blue (the legend says so in words)."""
TOP_RING = theme.CATEGORICAL[1]
"""The top cells' ring: vermillion (3:1 on white, distinct from the blues)."""

State = Literal["ready", "unscored", "untrained"]


def label(key: str, lang: Lang, **values: object) -> str:
    """The label `key` in `lang`, `{name}` placeholders filled from `values`."""
    text = in_lang(LABELS[key], lang)
    return text.format(**values) if values else text


@dataclass(frozen=True)
class Window:
    """The newest scored window of one kind as a `predictions` answer gives it: start and end
    (ISO strings, None when nothing was scored), the model version, how many subjects it
    scored and how many are alarms (in the gu asked for), and the nodes read."""

    start: str | None
    end: str | None
    model_version: str | None
    total: int
    alarms: int
    nodes: tuple[Mapping[str, Any], ...]


def window(pages: Sequence[Data] | Data) -> Window:
    """The window of one answer's `predictions`, or of several pages of it (the nodes of every
    page, the rest from the first that has them). Nothing answered: no start, no nodes."""
    answers: Sequence[Data] = pages if isinstance(pages, list | tuple) else [pages]  # type: ignore[list-item]
    connections = [c for c in (get(p, "predictions") for p in answers) if isinstance(c, Mapping)]
    if not connections:
        return Window(None, None, None, 0, 0, ())
    head = connections[0]
    nodes = tuple(
        edge["node"]
        for c in connections
        for edge in c.get("edges") or []
        if isinstance(edge, Mapping) and isinstance(edge.get("node"), Mapping)
    )
    total, alarms = head.get("totalCount"), head.get("alarmCount")
    return Window(
        start=head.get("windowStart"),
        end=head.get("windowEnd"),
        model_version=head.get("modelVersion"),
        total=total if isinstance(total, int) else len(nodes),
        alarms=alarms if isinstance(alarms, int) else sum(bool(n.get("alarm")) for n in nodes),
        nodes=nodes,
    )


def state(found: Window, models: Data, model: str) -> State:
    """ "ready" when a window was scored; else "untrained" when `models` says the model is not
    trained, "unscored" otherwise (trained, or the models could not be read)."""
    if found.start is not None:
        return "ready"
    for entry in get(models, "models") or []:
        if isinstance(entry, Mapping) and entry.get("name") == model:
            return "unscored" if entry.get("trained") else "untrained"
    return "unscored"


def moment(value: str) -> datetime:
    """An API time (ISO 8601; naive is UTC) as an aware datetime."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def window_text(start: str | None, end: str | None, lang: Lang) -> str:
    """A window in the reader's locale, Seoul time: a whole Seoul day as its date
    ("2026. 12. 1." / "1 Dec 2026"), anything else as "start – end" to the minute."""
    if start is None:
        return "–"
    begin = moment(start).astimezone(SEOUL)
    finish = moment(end).astimezone(SEOUL) if end else None
    midnight = begin.hour == 0 and begin.minute == 0
    if finish is not None and midnight and finish - begin == timedelta(days=1):
        pattern = "yyyy. M. d." if lang == "ko" else "d MMM yyyy"
        return format_date(begin.date(), pattern, locale=LOCALES[lang])
    return f"{when(begin, lang)} – {when(finish, lang)[-5:]}" if finish else when(begin, lang)


def hour_text(hour: object) -> str:
    """A Seoul hour 0–23 as "22:00–23:00"; "–" for anything else."""
    if not isinstance(hour, int) or isinstance(hour, bool) or not 0 <= hour <= 23:
        return "–"
    return f"{hour:02d}:00–{(hour + 1) % 24:02d}:00"


def as_float(value: object) -> float | None:
    """A JSON number as a float; None for anything else (booleans too)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def cells(nodes: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Hotspot cells with a position as deck.gl data: `position` [lon, lat], `weight` (expected
    incidents), `top` (an alarm: among the top cells)."""
    found = []
    for node in nodes:
        lat, lon, score = (
            as_float(node.get("lat")),
            as_float(node.get("lon")),
            as_float(node.get("score")),
        )
        if lat is None or lon is None or score is None:
            continue
        found.append({"position": [lon, lat], "weight": score, "top": bool(node.get("alarm"))})
    return found


def hotspot_spec(
    gu_layer: Mapping[str, Any], points: Sequence[Mapping[str, Any]], lang: Lang
) -> dict[str, Any]:
    """The deck.gl spec of the hotspot map: the gu outlined (our polygons, no tiles), a
    PolygonLayer of hexagons summing the cells' expected incidents (`hexagons`), and
    a ring on each top cell; `bounds` to fit (the cells', else the gu's) and the tooltip's
    labels."""
    outline = base_map.OUTLINE
    layers = [
        pydeck.Layer(
            "GeoJsonLayer",
            data=dict(gu_layer),
            id="gu",
            pickable=False,
            stroked=True,
            filled=True,
            get_fill_color=[*bytes.fromhex(theme.GRID.lstrip("#")), 60],
            get_line_color=outline,
            line_width_min_pixels=1,
        ),
        pydeck.Layer(
            "PolygonLayer",
            data=hexagons(points, lang),
            id="hotspots",
            pickable=True,
            stroked=True,
            filled=True,
            get_polygon="polygon",
            get_fill_color="fill",
            get_line_color=[255, 255, 255, 255],
            line_width_min_pixels=0.5,
        ),
        pydeck.Layer(
            "ScatterplotLayer",
            data=[{"position": p["position"]} for p in points if p["top"]],
            id="top",
            pickable=False,
            stroked=True,
            filled=False,
            get_position="position",
            get_line_color=base_map.rgba(TOP_RING),
            line_width_min_pixels=2,
            get_radius=125,
            radius_min_pixels=3,
        ),
    ]
    deck = pydeck.Deck(
        layers=layers,
        initial_view_state=pydeck.ViewState(**base_map.SEOUL),
        map_style=None,
        map_provider=None,
    )
    spec: dict[str, Any] = json.loads(deck.to_json())
    spec["bounds"] = _bounds([p["position"] for p in points]) or base_map.bounds_of(gu_layer)
    spec["labels"] = {"canvas": label("canvas", lang), "value": label("expected_tooltip", lang)}
    return spec


_M_PER_DEG_LAT = 110_540.0
_M_PER_DEG_LON = 111_320.0


def _axial(x: float, y: float, size: float) -> tuple[int, int]:
    """The pointy-top hexagon (axial q, r) of side `size` holding point (x, y) in metres
    (Red Blob Games, "Hexagonal Grids": pixel to hex, then cube rounding)."""
    q, r = (math.sqrt(3) / 3 * x - y / 3) / size, (2 / 3 * y) / size
    s_ = -q - r
    rq, rr, rs = round(q), round(r), round(s_)
    dq, dr, ds = abs(rq - q), abs(rr - r), abs(rs - s_)
    if dq > dr and dq > ds:
        rq = -rr - rs
    elif dr > ds:
        rr = -rq - rs
    return int(rq), int(rr)


def hexagons(points: Sequence[Mapping[str, Any]], lang: Lang) -> list[dict[str, Any]]:
    """The cells binned into pointy-top hexagons of HEX_RADIUS_M (a flat grid in metres around
    Seoul's centre: < 0.1 % distortion across the city), each hexagon's expected incidents
    summed: `polygon` ([lon, lat] corners), `fill` (its class of HEX_COLOURS, equal intervals up
    to the largest sum), `sum`, `cells` and `label` (the tooltip, in words)."""
    lat0, lon0 = base_map.SEOUL["latitude"], base_map.SEOUL["longitude"]
    scale_x = _M_PER_DEG_LON * math.cos(math.radians(lat0))
    size = float(HEX_RADIUS_M)
    bins: dict[tuple[int, int], list[float]] = {}
    for p in points:
        lon, lat = p["position"]
        key = _axial((lon - lon0) * scale_x, (lat - lat0) * _M_PER_DEG_LAT, size)
        bins.setdefault(key, []).append(float(p["weight"]))
    top = max((sum(w) for w in bins.values()), default=0.0)
    found = []
    for (q, r), weights in sorted(bins.items()):
        cx, cy = size * math.sqrt(3) * (q + r / 2), size * 1.5 * r
        corners = [
            [
                round(lon0 + (cx + size * math.cos(math.radians(30 + 60 * k))) / scale_x, 6),
                round(lat0 + (cy + size * math.sin(math.radians(30 + 60 * k))) / _M_PER_DEG_LAT, 6),
            ]
            for k in range(6)
        ]
        total = sum(weights)
        index = min(len(HEX_COLOURS) - 1, int(len(HEX_COLOURS) * total / top)) if top else 0
        found.append(
            {
                "polygon": corners,
                "fill": [*base_map.rgba(HEX_COLOURS[index])[:3], 215],
                "sum": total,
                "cells": len(weights),
                "label": f"{label('expected_tooltip', lang)}: {number(total, lang, digits=2)}"
                f" ({label('cells', lang, n=number(len(weights), lang))})",
            }
        )
    return found


def _bounds(positions: Sequence[Sequence[float]]) -> list[float] | None:
    if not positions:
        return None
    lons, lats = [p[0] for p in positions], [p[1] for p in positions]
    pad = 0.01  # ≈1 km, so that the outermost hexagons are whole
    return [min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad]


def top_header(lang: Lang) -> list[str]:
    """The top-cells table's columns (the rank is the row header)."""
    return [label(k, lang) for k in ("rank", "cell", "gu", "expected", "peak_hour", "top_cell")]


def top_rows(
    nodes: Sequence[Mapping[str, Any]], names: Mapping[str, str], lang: Lang, limit: int = TOP_ROWS
) -> list[list[str]]:
    """The `limit` highest-risk cells (the API's order: highest first): rank, cell id, gu,
    expected incidents (2 decimals), peak hour (Seoul), and whether it is a top cell in words."""
    rows = []
    for rank, node in enumerate(nodes[:limit], start=1):
        code = str(node.get("districtCode") or "")
        rows.append(
            [
                number(rank, lang),
                str(node.get("subject", "")),
                names.get(code, code or "–"),
                number(as_float(node.get("score")), lang, digits=2),
                hour_text(node.get("peakHour")),
                label("yes" if node.get("alarm") else "no", lang),
            ]
        )
    return rows
