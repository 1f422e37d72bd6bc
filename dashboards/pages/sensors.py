"""Sensors: a gu's readings over the last 24 hours per data type with the CAI / noise bands
drawn in, the alerts list and counts, and one sensor's drill-down. With no gu chosen, the
city's latest air quality by gu.

The page's choices are query parameters (dashboards/pages/__init__.py): `type` (a DataType),
`bucket` (60 or 10 minutes) and `sensor` (a sensor id of the gu); a value that names nothing
valid falls back to the default, so a stale link still renders.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dash import html

from dashboards import panels
from dashboards.figures import bands as band_rules
from dashboards.figures import overview
from dashboards.figures import sensors as figures
from dashboards.figures.answers import rows_at
from dashboards.i18n import Lang, t
from dashboards.pages import Page, View, param
from dashboards.pages.common import BANDS, DISTRICTS, gu_variables, read_all
from dashboards.sources import Answer, Source
from graph.records.api_keys import Tier

AIR = Source(
    "SensorsAir",
    """
query SensorsAir($district: String) {
  airQuality(district: $district) {
    districtCode pm25 pm10 noise pm25Band pm10Band noiseBand sensorsReporting measuredAt
  }
}""",
)
ALERTS = Source(
    "SensorsAlerts",
    """
query SensorsAlerts($district: String) {
  alertStatistics(district: $district) {
    activeNow raisedToday
    bySeverity { key count suppressed }
    byDataType { key count suppressed }
  }
  alerts(district: $district, first: 20) {
    id sensorId districtCode dataType severity state value threshold rule at
  }
}""",
)
GU_SENSORS = Source(
    "SensorsOfGu",
    """
query SensorsOfGu($code: String!) {
  district(code: $code) { code sensors { id kind model status dataTypes } }
}""",
)
SERIES = Source(
    "SensorsDistrictSeries",
    """
query SensorsDistrictSeries(
  $district: String!, $dataType: DataType!, $from: DateTime!, $to: DateTime!, $bucketMinutes: Int!
) {
  districtReadings(
    district: $district, dataType: $dataType, from: $from, to: $to, bucketMinutes: $bucketMinutes
  ) { start avg min max count }
}""",
)
SENSOR = Source(
    "SensorDrillDown",
    """
query SensorDrillDown(
  $id: ID!, $dataType: DataType!, $from: DateTime!, $to: DateTime!, $bucketMinutes: Int!
) {
  sensor(id: $id) {
    id kind model status
    latestReading { measuredAt values { dataType value unit } }
    readings(dataType: $dataType, from: $from, to: $to, bucketMinutes: $bucketMinutes) {
      start avg min max count
    }
  }
}""",
)


def picker(name: str, text: str, options: list[dict[str, str]], value: str) -> html.Div:
    """A labelled native `<select>` that sets query parameter `name` (keyboard and screen
    reader behaviour are the browser's own)."""
    control = f"param-{name}"
    return html.Div(
        [
            html.Label(text, htmlFor=control),
            html.Select(
                [
                    html.Option(o["label"], value=o["value"], selected=o["value"] == value)
                    for o in options
                ],
                id=control,
                className="param-select",
                **param(name),
            ),
        ],
        className="control",
    )


def bucket_options(lang: Lang) -> list[dict[str, str]]:
    """Hourly or 10-minute buckets."""
    return [{"label": figures.label(f"bucket_{m}", lang), "value": str(m)} for m in figures.BUCKETS]


def alerts_section(answer: Answer, names: dict[str, str], href: str, lang: Lang) -> Any:
    """The alerts list (newest first) and the alert counts, or the failure notice."""
    title = figures.label("alerts", lang)
    if answer.errors:
        return panels.failed(title, answer.codes(), lang)
    rows = figures.alert_rows(answer.data, names, lang)
    stats = figures.alert_stat_rows(answer.data, lang)
    return html.Section(
        [
            html.H2(title, id="alerts-title"),
            panels.table(figures.alerts_header(lang), rows, title)
            if rows
            else html.P(figures.label("no_alerts", lang), className="none"),
            html.H3(figures.label("alert_stats", lang)),
            panels.table(
                [t("col.key", lang), t("col.value", lang)],
                stats,
                figures.label("alert_stats", lang),
            ),
            panels.source_link(href, lang),
        ],
        className="panel panel-wide",
        id="panel-alerts",
        **panels.attrs(aria_labelledby="alerts-title"),
    )


def series_panel(
    panel_id: str,
    title: str,
    answer: Answer,
    path: tuple[str, ...],
    bands: list[Any],
    data_type: str,
    href: str,
    lang: Lang,
) -> Any:
    """A 24-hour series chart with its bands named in the note, or the failure notice."""
    if answer.errors:
        return panels.failed(title, answer.codes(), lang)
    figure, rows = figures.series(rows_at(answer.data, *path), bands, data_type, lang)
    own = band_rules.of_type(bands, data_type)
    return panels.chart(
        panel_id,
        title,
        figure,
        figures.series_header(lang),
        rows,
        href,
        lang,
        note=figures.bands_note(own, data_type, lang),
    )


async def render(view: View) -> list[Any]:
    """The city view without a gu; with one, its series, sensor drill-down and alerts."""
    lang = view.lang
    by_gu = gu_variables(view.gu)
    wanted: dict[str, tuple[Source, dict[str, Any] | None]] = {
        "air": (AIR, by_gu),
        "alerts": (ALERTS, by_gu),
        "districts": (DISTRICTS, None),
        "bands": (BANDS, None),
    }
    if view.gu:
        wanted["sensors"] = (GU_SENSORS, {"code": view.gu})
    answers = await read_all(view.reader, wanted)
    names = overview.gu_names(answers["districts"].data, lang)
    bands = rows_at(answers["bands"].data, "readingBands")
    alerts = alerts_section(answers["alerts"], names, ALERTS.link(by_gu), lang)
    if not view.gu:
        return [
            html.H1(figures.label("title", lang)),
            *city_view(view, answers, names, bands),
            alerts,
        ]
    return [
        html.H1(f"{figures.label('title', lang)}: {names.get(view.gu, view.gu)}"),
        *(await gu_view(view, view.gu, answers, names, bands)),
        alerts,
    ]


def city_view(
    view: View, answers: dict[str, Answer], names: dict[str, str], bands: list[Any]
) -> list[Any]:
    """All gu's latest PM2.5, PM10 or noise, and the prompt to choose a gu."""
    lang = view.lang
    types = list(figures.AIR_TYPES)
    data_type = figures.choice(view.query.get("type"), types, figures.DEFAULT_TYPE)
    title = figures.label("city_air", lang)
    air = answers["air"]
    if air.errors:
        chart: Any = panels.failed(title, air.codes(), lang)
    else:
        figure, rows = figures.city_air(air.data, bands, names, data_type, lang)
        chart = panels.chart(
            "city-air",
            f"{title}: {figures.type_name(data_type, lang)}",
            figure,
            figures.city_header(data_type, lang),
            rows,
            AIR.link(),
            lang,
            note=figures.bands_note(band_rules.of_type(bands, data_type), data_type, lang),
        )
    options = [{"label": figures.type_name(d, lang), "value": d} for d in types]
    return [
        html.P(figures.label("choose_gu", lang), className="prompt", id="sensors-prompt"),
        html.Div(
            [picker("type", figures.label("data_type", lang), options, data_type)],
            className="controls-row",
        ),
        chart,
    ]


async def gu_view(
    view: View, gu: str, answers: dict[str, Answer], names: dict[str, str], bands: list[Any]
) -> list[Any]:
    """The gu's series of the chosen data type and bucket, and the chosen sensor's."""
    lang = view.lang
    gu_sensors = answers["sensors"]
    sensor_rows = rows_at(gu_sensors.data, "district", "sensors")
    type_options = figures.type_options(sensor_rows, lang)
    data_type = figures.choice(
        view.query.get("type"), [o["value"] for o in type_options], figures.DEFAULT_TYPE
    )
    bucket = figures.bucket_of(view.query.get("bucket"))
    start, end = figures.window(datetime.now(UTC), bucket)
    span = {"from": start.isoformat(), "to": end.isoformat(), "bucketMinutes": bucket}
    span |= {"dataType": data_type}
    sensor_options = figures.sensor_options(gu_sensors.data, lang, data_type)
    sensor_ids = [o["value"] for o in sensor_options]
    sensor = figures.choice(
        view.query.get("sensor"), sensor_ids, sensor_ids[0] if sensor_ids else ""
    )
    series_vars = {"district": gu, **span}
    sensor_vars = {"id": sensor, **span}
    wanted: dict[str, tuple[Source, dict[str, Any] | None]] = {"series": (SERIES, series_vars)}
    if sensor:
        wanted["sensor"] = (SENSOR, sensor_vars)
    read = await read_all(view.reader, wanted)
    gu_name = names.get(gu, gu)
    type_text = figures.type_name(data_type, lang)
    controls = html.Div(
        [
            picker("type", figures.label("data_type", lang), type_options, data_type),
            picker("bucket", figures.label("bucket", lang), bucket_options(lang), str(bucket)),
        ],
        className="controls-row",
    )
    district_chart = series_panel(
        "gu-series",
        figures.label("series", lang).format(type=type_text, gu=gu_name),
        read["series"],
        ("districtReadings",),
        bands,
        data_type,
        SERIES.link(series_vars),
        lang,
    )
    return [
        controls,
        district_chart,
        drill_down(
            read.get("sensor"),
            sensor,
            sensor_options,
            bands,
            data_type,
            sensor_vars,
            gu_sensors,
            lang,
        ),
    ]


def drill_down(
    answer: Answer | None,
    sensor: str,
    options: list[dict[str, str]],
    bands: list[Any],
    data_type: str,
    variables: dict[str, Any],
    gu_sensors: Answer,
    lang: Lang,
) -> html.Section:
    """The sensor picker, the chosen sensor's series and its latest reading."""
    title = figures.label("sensor", lang)
    if gu_sensors.errors:
        return panels.failed(title, gu_sensors.codes(), lang)
    if answer is None:
        return html.Section(
            [html.H2(title), html.P(figures.label("no_sensors", lang), className="none")],
            className="panel panel-wide",
        )
    href = SENSOR.link(variables)
    chart = series_panel(
        "sensor-series",
        figures.label("sensor_series", lang).format(
            type=figures.type_name(data_type, lang), sensor=sensor
        ),
        answer,
        ("sensor", "readings"),
        bands,
        data_type,
        href,
        lang,
    )
    latest_title = figures.label("latest", lang)
    measured = figures.latest_time(answer.data, lang)
    latest = html.Section(
        [
            html.H2(f"{latest_title} ({measured})", id="sensor-latest-title"),
            panels.table(
                [figures.label("data_type", lang), figures.label("value", lang)],
                figures.latest_rows(answer.data, lang),
                latest_title,
            )
            if not answer.errors
            else html.P(f"{t('panel.error', lang)} ({', '.join(sorted(answer.codes()))})"),
            panels.source_link(href, lang),
        ],
        className="panel",
        id="panel-sensor-latest",
        **panels.attrs(aria_labelledby="sensor-latest-title"),
    )
    return html.Section(
        [
            html.H2(figures.label("drill_down", lang), id="drill-down-title"),
            html.Div(
                [picker("sensor", figures.label("sensor_pick", lang), options, sensor)],
                className="controls-row",
            ),
            html.Div([chart, latest], className="charts"),
        ],
        className="drill-down",
        id="sensor-drill-down",
        **panels.attrs(aria_labelledby="drill-down-title"),
    )


PAGE = Page(
    "sensors",
    "nav.sensors",
    frozenset({"readings", "alerts"}),
    Tier.ANALYST,
    render,
)
