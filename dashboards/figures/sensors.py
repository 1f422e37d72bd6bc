"""The sensors page's figures: a gu's (or one sensor's) readings over the last 24 hours with the
CAI / noise bands drawn in and named, the city's latest air quality by gu, the alerts list and
alert counts, and a sensor's latest reading.

Inputs are the `data` of the page's sources (dashboards/pages/sensors.py), any of which may be
None (a refused or failed source): figures are then None with no rows, and values read "–".
Text is in the reader's language; times are Asia/Seoul.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboards import theme
from dashboards.figures import bands as band_rules
from dashboards.figures.answers import Data, get, rows_at
from dashboards.figures.counts import cell_text
from dashboards.i18n import SEOUL, Lang, band_name, in_lang, number, status_name, t, when
from graph.ontology import DATA_TYPE_UNITS, SDOT_DATA_TYPES, WATER_DATA_TYPES
from subscriptions.alerts import RULES

Figure = dict[str, Any]
Rows = list[list[str]]

DATA_TYPES: tuple[str, ...] = tuple(d.upper() for d in SDOT_DATA_TYPES + WATER_DATA_TYPES)
"""Every `DataType` value, S-DoT's 17 first, in the order the control lists them."""
AIR_TYPES = ("PM25", "PM10", "NOISE")
"""The data types `airQuality` gives per gu (the city view's choices)."""
DEFAULT_TYPE = "PM25"
BUCKETS = (60, 10)
"""The series' bucket lengths in minutes: hourly (default) or 10-minute."""
WINDOW = timedelta(hours=24)

LABELS: dict[str, tuple[str, str]] = {
    "title": ("환경 센서", "Environment sensors"),
    "choose_gu": (
        "위의 자치구 선택에서 자치구를 고르면 그 자치구의 시계열과 센서별 상세를 볼 수 있습니다.",
        "Choose a gu in the district selector above to see its time series and its sensors.",
    ),
    "city_air": ("자치구별 최신 대기질 (최근 1시간 평균)", "Latest air quality by gu (last hour)"),
    "data_type": ("측정 항목", "Data type"),
    "bucket": ("집계 간격", "Bucket"),
    "bucket_60": ("1시간", "hourly"),
    "bucket_10": ("10분", "10 minutes"),
    "series": ("최근 24시간 {type}: {gu} 센서 평균", "{type}, last 24 h: mean of {gu}'s sensors"),
    "sensor_series": ("최근 24시간 {type}: 센서 {sensor}", "{type}, last 24 h: sensor {sensor}"),
    "sensor": ("센서", "Sensor"),
    "sensor_pick": ("센서 선택", "Choose a sensor"),
    "drill_down": ("센서별 상세", "Sensor drill-down"),
    "no_sensors": ("이 자치구에는 센서가 없습니다.", "This gu has no sensors."),
    "latest": ("최신 측정값", "Latest reading"),
    "measured_at": ("측정 시각", "Measured at"),
    "alerts": ("경보 (최신순)", "Alerts (newest first)"),
    "alert_stats": ("경보 통계", "Alert statistics"),
    "alerts_now": ("현재 경보", "Alerts now"),
    "alerts_today": ("오늘 발령된 경보", "Alerts raised today"),
    "no_alerts": ("경보가 없습니다.", "No alerts."),
    "avg": ("평균", "mean"),
    "min": ("최소", "min"),
    "max": ("최대", "max"),
    "range": ("최소–최대 범위", "min–max range"),
    "count": ("측정 수", "readings"),
    "band": ("등급", "band"),
    "bands": ("등급 구간", "Bands"),
    "no_bands": ("이 항목에는 등급 기준이 없습니다.", "No bands are defined for this data type."),
    "sensors_reporting": ("보고 센서", "Sensors reporting"),
    "severity": ("심각도", "Severity"),
    "state": ("상태", "State"),
    "value": ("측정값", "Value"),
    "threshold": ("기준값", "Threshold"),
    "rule": ("규칙", "Rule"),
    "kind": ("구분", "Kind"),
    "time_axis": ("시각 (한국 표준시)", "Time (Korea Standard Time)"),
    # severities and states of an alert, in words
    "WARNING": ("주의", "warning"),
    "CRITICAL": ("심각", "critical"),
    "RAISED": ("발령", "raised"),
    "ESCALATED": ("격상", "escalated"),
    "EASED": ("완화", "eased"),
    "CLEARED": ("해제", "cleared"),
}
TYPE_NAMES: dict[str, tuple[str, str]] = {
    "PM25": ("초미세먼지 PM2.5", "PM2.5"),
    "PM10": ("미세먼지 PM10", "PM10"),
    "TEMPERATURE": ("기온", "Temperature"),
    "HUMIDITY": ("습도", "Humidity"),
    "WIND_SPEED": ("풍속", "Wind speed"),
    "WIND_DIRECTION": ("풍향", "Wind direction"),
    "ILLUMINANCE": ("조도", "Illuminance"),
    "UV_INDEX": ("자외선 지수", "UV index"),
    "NOISE": ("소음", "Noise"),
    "VIBRATION": ("진동", "Vibration"),
    "GLOBE_TEMPERATURE": ("흑구 온도", "Globe temperature"),
    "NO2": ("이산화질소 NO₂", "Nitrogen dioxide NO₂"),
    "CO": ("일산화탄소 CO", "Carbon monoxide CO"),
    "SO2": ("이산화황 SO₂", "Sulphur dioxide SO₂"),
    "NH3": ("암모니아 NH₃", "Ammonia NH₃"),
    "H2S": ("황화수소 H₂S", "Hydrogen sulphide H₂S"),
    "O3": ("오존 O₃", "Ozone O₃"),
    "WATER_TEMPERATURE": ("수온", "Water temperature"),
    "PH": ("수소이온농도 pH", "pH"),
    "DISSOLVED_OXYGEN": ("용존산소", "Dissolved oxygen"),
    "TURBIDITY": ("탁도", "Turbidity"),
    "CONDUCTIVITY": ("전기전도도", "Conductivity"),
    "TOTAL_NITROGEN": ("총질소 T-N", "Total nitrogen TN"),
    "TOTAL_PHOSPHORUS": ("총인 T-P", "Total phosphorus TP"),
}


def _rule_names_ko() -> dict[str, str]:
    """Each alert rule's published name (English) → its Korean, built from the same rules
    (subscriptions/alerts.py) so the thresholds cannot drift apart."""
    names = {}
    for rule in RULES:
        warn, critical = (f"{band.raise_at:g}" for band in rule.bands)
        if rule.data_type == "noise":
            text = f"야간 소음 (주거지역 {warn}, 도로변 {critical} dB(A), 22:00~06:00)"
        else:
            kind = in_lang(TYPE_NAMES[rule.data_type.upper()], "ko")
            text = f"통합대기환경지수 {kind} (나쁨 {warn}, 매우나쁨 {critical} ㎍/㎥부터)"
        names[rule.name] = text
    return names


RULE_NAMES_KO = _rule_names_ko()
"""The alert rules' names in Korean, by the name the API publishes (`AlertEvent.rule`)."""


def rule_name(rule: str, lang: Lang) -> str:
    """An alert's rule in `lang` (a rule not known here stays as published)."""
    return RULE_NAMES_KO.get(rule, rule) if lang == "ko" else rule


def label(key: str, lang: Lang) -> str:
    """The page label `key` in `lang` (a key not in LABELS is shown as given)."""
    return in_lang(LABELS.get(key, (key, key)), lang)


def type_name(data_type: str, lang: Lang) -> str:
    """A `DataType` value's name with its unit, e.g. "PM2.5 (µg/m³)"."""
    name = in_lang(TYPE_NAMES.get(data_type, (data_type, data_type)), lang)
    unit = DATA_TYPE_UNITS.get(data_type.lower())
    return f"{name} ({unit})" if unit else name


def unit_of(data_type: str) -> str:
    return DATA_TYPE_UNITS.get(data_type.lower(), "")


def choice(value: str | None, allowed: Sequence[str], default: str) -> str:
    """`value` when it is one of `allowed`, else `default` (a stale or hand-edited address)."""
    return value if value is not None and value in allowed else default


def bucket_of(value: str | None) -> int:
    """The bucket length in minutes a `?bucket=` value names (60 unless it names 10)."""
    return 10 if value == "10" else 60


def window(now: datetime, bucket_minutes: int) -> tuple[datetime, datetime]:
    """The last 24 hours as [from, to), `to` the end of the bucket holding `now` (UTC), so the
    newest bucket is whole-length and the buckets stay aligned between renders."""
    step = bucket_minutes * 60
    epoch = int(now.timestamp())
    to = datetime.fromtimestamp((epoch // step + 1) * step, UTC)
    return to - WINDOW, to


def type_options(sensors: Iterable[Mapping[str, Any]], lang: Lang) -> list[dict[str, str]]:
    """The data-type control's choices: the types the gu's sensors measure, in DATA_TYPES order
    (S-DoT's 17 when no sensor lists any)."""
    measured = {str(d) for s in sensors for d in s.get("dataTypes") or []}
    types = [d for d in DATA_TYPES if d in measured] or list(DATA_TYPES[: len(SDOT_DATA_TYPES)])
    return [{"label": type_name(d, lang), "value": d} for d in types]


def bands_note(own: Sequence[Mapping[str, Any]], data_type: str, lang: Lang) -> str:
    """The bands of `data_type` (`bands.of_type`) named in text with their hours when they
    have some, e.g. "Bands: Good 0–15 µg/m³, Moderate 16–35 µg/m³, … (source)"."""
    if not own:
        return label("no_bands", lang)
    unit = unit_of(data_type)
    groups = []
    for hours, group in band_rules.sets(own):
        names = ", ".join(band_rules.named(b, unit, lang) for b in group)
        period = band_rules.hours_text(hours, lang)
        groups.append(f"{period}: {names}" if period else names)
    text = f"{label('bands', lang)}: {'; '.join(groups)}."
    return f"{text} {band_rules.source(own, data_type, lang)}".strip()


def band_shapes(
    own: Sequence[Mapping[str, Any]],
    top: float,
    lang: Lang,
    window: tuple[datetime, datetime] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Plotly shapes (a light fill per band, a dashed line at each lower bound) and
    annotations (each band's name in text) for the bands below `top`, the y axis' top.

    Without `window` the bands (one set) span the whole width. With a time `window`
    [from, to), each stretch of it is shaded by the set in force then (noise's day and night
    limits), on the x axis in Seoul time, and the last stretch's bands are named."""
    if window is None:
        return _band_marks(own, top, lang, ("paper", 0, 1), named=True)
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    pieces = band_rules.segments(window[0], window[1], own)
    for index, (start, end, current) in enumerate(pieces):
        x = ("x", plotly_time(start), plotly_time(end))
        more_shapes, more_notes = _band_marks(current, top, lang, x, named=index == len(pieces) - 1)
        shapes += more_shapes
        annotations += more_notes
    return shapes, annotations


def _band_marks(
    own: Sequence[Mapping[str, Any]],
    top: float,
    lang: Lang,
    x: tuple[str, Any, Any],
    *,
    named: bool,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One set's shapes over `x` = (xref, x0, x1), and its names at x0 when `named`."""
    xref, x0, x1 = x
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for index, band in enumerate(own):
        lower = float(band["lower"])
        if lower >= top:
            continue
        upper = band.get("upper")
        y1 = min(float(upper), top) if upper is not None else top
        colour = theme.band_colour(index)
        box = {"xref": xref, "x0": x0, "x1": x1}
        shapes.append(
            {
                "type": "rect",
                **box,
                "y0": lower,
                "y1": y1,
                "fillcolor": colour,
                "opacity": 0.08,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        if lower > 0:
            line = {"color": colour, "dash": "dash", "width": 2}
            shapes.append({"type": "line", **box, "y0": lower, "y1": lower, "line": line})
        if named:
            annotations.append(
                {
                    "xref": xref,
                    "x": x0,
                    "xanchor": "left",
                    "y": lower,
                    "yanchor": "bottom",
                    "text": band_name(str(band["name"]), lang),
                    "showarrow": False,
                    "font": {"color": theme.TEXT, "size": 11},
                }
            )
    return shapes, annotations


def plotly_time(moment: datetime) -> str:
    """An aware moment as a plotly date string in Asia/Seoul (plotly ignores offsets)."""
    return moment.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")


def moment_of(value: str) -> datetime:
    """An API moment (ISO 8601; naive is UTC) as an aware datetime."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def seoul_time(value: str) -> str:
    """An API moment as a plotly date string in Asia/Seoul (plotly ignores offsets)."""
    return plotly_time(moment_of(value))


def series_header(lang: Lang) -> list[str]:
    """The columns of `series`' table."""
    keys = ("avg", "min", "max", "count", "band")
    return [t("col.time", lang), *(label(k, lang) for k in keys)]


def series(
    buckets: Sequence[Mapping[str, Any]],
    bands: Sequence[Mapping[str, Any]],
    data_type: str,
    lang: Lang,
) -> tuple[Figure | None, Rows]:
    """A `[ReadingBucket]` answer as a line of the means over a shaded min–max range, with the
    data type's bands drawn in (shaded, dashed bounds, named), and table rows
    `[time, mean, min, max, readings, band]`. A bucket with no reading is a gap in the line and
    "–" in the table; no reading at all gives (None, [])."""
    rows = [b for b in buckets if isinstance(b, Mapping) and b.get("start")]
    if not any(b.get("avg") is not None for b in rows):
        return None, []
    own = band_rules.of_type(bands, data_type)
    starts = [moment_of(str(b["start"])) for b in rows]
    x = [plotly_time(start) for start in starts]
    step = starts[-1] - starts[-2] if len(starts) > 1 else timedelta(hours=1)
    unit = unit_of(data_type)
    highs = [float(b["max"]) for b in rows if b.get("max") is not None]
    top = max(highs) * 1.1 if highs and max(highs) > 0 else 1.0
    window = (starts[0], starts[-1] + step)
    shapes, annotations = band_shapes(own, top, lang, window) if own else ([], [])
    name = type_name(data_type, lang)
    figure: Figure = {
        "data": [
            {
                "type": "scatter",
                "mode": "lines",
                "x": x,
                "y": [b.get("max") for b in rows],
                "line": {"width": 0},
                "hoverinfo": "skip",
                "showlegend": False,
                "connectgaps": False,
            },
            {
                "type": "scatter",
                "mode": "lines",
                "x": x,
                "y": [b.get("min") for b in rows],
                "fill": "tonexty",
                "fillcolor": "rgba(0, 114, 178, 0.18)",
                "line": {"width": 0},
                "name": label("range", lang),
                "hoverinfo": "skip",
                "connectgaps": False,
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": x,
                "y": [b.get("avg") for b in rows],
                "line": {"color": theme.CATEGORICAL[0], "width": 2},
                "marker": {"size": 4},
                "name": f"{label('avg', lang)} {name}",
                "hovertemplate": f"%{{x}}: %{{y:.1f}} {unit}<extra></extra>",
                "connectgaps": False,
            },
        ],
        "layout": theme.layout(
            xaxis=theme.date_axis(lang, title={"text": label("time_axis", lang)}),
            yaxis={"title": {"text": name}, "gridcolor": theme.GRID, "rangemode": "tozero"},
            shapes=shapes,
            annotations=annotations,
        ),
    }
    table = [
        [
            when(str(b["start"]), lang),
            number(b.get("avg"), lang, digits=1),
            number(b.get("min"), lang, digits=1),
            number(b.get("max"), lang, digits=1),
            number(b.get("count") or 0, lang),
            _band_in_force(b.get("avg"), own, start, lang) if own else "–",
        ]
        for b, start in zip(rows, starts, strict=True)
    ]
    return figure, table


def _band_in_force(
    value: float | None, own: Sequence[Mapping[str, Any]], at: datetime, lang: Lang
) -> str:
    """The name, in `lang`, of the band of `own` in force at `at` holding `value` ("–": none)."""
    current = [b for b in own if band_rules.in_force(b, at)]
    index = band_rules.holding(value, current)
    return band_name(str(current[index]["name"]), lang) if index is not None else "–"


def city_header(data_type: str, lang: Lang) -> list[str]:
    """The columns of `city_air`'s table."""
    return [
        t("col.district", lang),
        type_name(data_type, lang),
        label("band", lang),
        label("sensors_reporting", lang),
        label("measured_at", lang),
    ]


def city_air(
    air: Data,
    bands: Sequence[Mapping[str, Any]],
    names: Mapping[str, str],
    data_type: str,
    lang: Lang,
) -> tuple[Figure | None, Rows]:
    """Every gu's latest `data_type` (PM25, PM10 or NOISE, from `airQuality`) as bars with its
    bands drawn in, and rows `[gu, value, band, sensors reporting, measured at]`. A gu with no
    reading has no bar and "–"; no gu with one gives (None, [])."""
    field = {"PM25": "pm25", "PM10": "pm10", "NOISE": "noise"}[data_type]
    rows = rows_at(air, "airQuality")
    values = [r.get(field) for r in rows]
    if not any(v is not None for v in values):
        return None, []
    x = [names.get(str(r.get("districtCode")), str(r.get("districtCode"))) for r in rows]
    measured = [moment_of(str(r["measuredAt"])) for r in rows if r.get("measuredAt")]
    own = band_rules.of_type(bands, data_type, max(measured) if measured else None)
    present = [float(v) for v in values if v is not None]
    top = max(present) * 1.15 if max(present) > 0 else 1.0
    shapes, annotations = band_shapes(band_rules.sets(own)[0][1] if own else [], top, lang)
    unit = unit_of(data_type)
    figure: Figure = {
        "data": [
            {
                "type": "bar",
                "x": x,
                "y": values,
                "marker": {"color": theme.CATEGORICAL[0]},
                "hovertemplate": f"%{{x}}: %{{y:.1f}} {unit}<extra></extra>",
                "name": type_name(data_type, lang),
            }
        ],
        "layout": theme.layout(
            xaxis={"tickangle": -45, "automargin": True},
            yaxis={"title": {"text": type_name(data_type, lang)}, "gridcolor": theme.GRID},
            shapes=shapes,
            annotations=annotations,
        ),
    }
    table = [
        [
            name,
            number(value, lang, digits=1),
            band_name(r.get(f"{field}Band"), lang),
            number(r.get("sensorsReporting"), lang),
            when(r.get("measuredAt"), lang),
        ]
        for name, value, r in zip(x, values, rows, strict=True)
    ]
    return figure, table


def alerts_header(lang: Lang) -> list[str]:
    """The columns of `alert_rows`' table."""
    keys = ("severity", "state", "sensor", "data_type", "value", "threshold", "rule")
    return [t("col.time", lang), t("col.district", lang), *(label(k, lang) for k in keys)]


def alert_rows(alerts: Data, names: Mapping[str, str], lang: Lang) -> Rows:
    """An `alerts` answer as rows, newest first: `[time, gu, severity, state, sensor, data
    type, value, threshold, rule]`, severity and state in words."""
    rows = sorted(rows_at(alerts, "alerts"), key=lambda a: str(a.get("at") or ""), reverse=True)
    result = []
    for a in rows:
        data_type = str(a.get("dataType") or "")
        unit = unit_of(data_type)
        result.append(
            [
                when(a.get("at"), lang),
                names.get(str(a.get("districtCode")), str(a.get("districtCode") or "–")),
                label(str(a.get("severity") or "–"), lang),
                label(str(a.get("state") or "–"), lang),
                str(a.get("sensorId") or "–"),
                in_lang(TYPE_NAMES.get(data_type, (data_type, data_type)), lang),
                f"{number(a.get('value'), lang, digits=1)} {unit}".strip(),
                f"{number(a.get('threshold'), lang, digits=1)} {unit}".strip(),
                rule_name(str(a.get("rule") or ""), lang),
            ]
        )
    return result


def alert_stat_rows(alerts: Data, lang: Lang) -> Rows:
    """`alertStatistics` as rows `[item, count]`: active now, raised today, then per severity
    and per data type (withheld cells in words)."""
    stats = get(alerts, "alertStatistics")
    if not isinstance(stats, Mapping):
        return []
    rows = [
        [label("alerts_now", lang), number(stats.get("activeNow"), lang)],
        [label("alerts_today", lang), number(stats.get("raisedToday"), lang)],
    ]
    for cell in rows_at(stats, "bySeverity"):
        key = str(cell.get("key", "")).upper()
        rows.append([f"{label('severity', lang)}: {label(key, lang)}", cell_text(cell, lang)])
    for cell in rows_at(stats, "byDataType"):
        key = str(cell.get("key", "")).upper()
        rows.append([type_name(key, lang), cell_text(cell, lang)])
    return rows


def sensor_options(
    gu_sensors: Data, lang: Lang, data_type: str | None = None
) -> list[dict[str, str]]:
    """The sensor picker's choices from a `district(code) { sensors }` answer, by id: with
    `data_type`, only the sensors that measure it (a water-quality station has no PM2.5, and
    asking for its PM2.5 readings is refused)."""
    sensors = sorted(
        (
            s
            for s in rows_at(gu_sensors, "district", "sensors")
            if data_type is None or data_type in (s.get("dataTypes") or [data_type])
        ),
        key=lambda s: str(s.get("id")),
    )
    return [
        {
            "label": f"{s.get('id')} · {s.get('model', '')} · {status_name(s.get('status'), lang)}",
            "value": str(s.get("id")),
        }
        for s in sensors
    ]


def reading_value(value: float | None, lang: Lang) -> str:
    """A reading's value: 3 decimals under 1 (gases in ppm), else 2."""
    return number(value, lang, digits=3 if value is not None and abs(value) < 1 else 2)


def latest_rows(sensor: Data, lang: Lang) -> Rows:
    """A sensor's `latestReading` as rows `[data type, value with unit]` in DATA_TYPES order
    (empty when it has none)."""
    values = rows_at(sensor, "sensor", "latestReading", "values")
    order = {d: i for i, d in enumerate(DATA_TYPES)}
    values.sort(key=lambda v: order.get(str(v.get("dataType")), len(order)))
    return [
        [
            type_name(str(v.get("dataType")), lang),
            f"{reading_value(v.get('value'), lang)} {v.get('unit') or ''}".strip(),
        ]
        for v in values
    ]


def latest_time(sensor: Data, lang: Lang) -> str:
    """When the sensor's latest reading was measured ("–" when it has none)."""
    return when(get(sensor, "sensor", "latestReading", "measuredAt"), lang)
