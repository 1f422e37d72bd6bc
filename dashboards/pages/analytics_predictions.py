"""The analytics page's prediction sections: hotspots on a map, the Han River stations' anomaly
scores and outbreak alarms by gu, each read through GraphQL at the viewer's key.

Each section reads the newest scored window of its kind (`predictions`); a window not scored
says how to get there (train the model, run the scoring), a refused or failed source says why in
words (`panels.failed`). Hotspots and outbreaks follow the header's gu; the river's stations
are always all of them (the river crosses many gu). The hotspot map is drawn by
dashboards/assets/predictions.js with deck.gl from our own origin, as the map page does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, dcc, html

from dashboards import panels
from dashboards.figures import analytics as cards
from dashboards.figures import map as base_map
from dashboards.figures import prediction_charts as charts
from dashboards.figures import predictions as figures
from dashboards.figures.answers import Data
from dashboards.i18n import Lang, number, t
from dashboards.pages.common import gu_variables, read_all
from dashboards.pages.map import BOUNDARIES, MAX_PAGES, PAGE_SIZE
from dashboards.sources import Answer, Reader, Source

_NODE = "windowStart windowEnd modelVersion totalCount alarmCount"
HOTSPOTS = Source(
    "AnalyticsHotspots",
    f"""
query AnalyticsHotspots($district: String, $after: String) {{
  predictions(kind: HOTSPOT_RISK, district: $district, first: 100, after: $after) {{
    {_NODE}
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ subject districtCode score alarm lat lon peakHour }} }}
  }}
}}""",
)
WATER = Source(
    "AnalyticsWater",
    f"""
query AnalyticsWater {{
  predictions(kind: WATER_ANOMALY, first: 100) {{
    {_NODE}
    edges {{ node {{ subject districtCode score alarm lat lon measures {{ measure z }}
      history(hours: 48) {{ windowStart score alarm }} }} }}
  }}
}}""",
)
OUTBREAKS = Source(
    "AnalyticsOutbreaks",
    f"""
query AnalyticsOutbreaks($district: String) {{
  predictions(kind: OUTBREAK_RISK, district: $district, first: 100) {{
    {_NODE}
    edges {{ node {{ subject districtCode syndrome score alarm }} }}
  }}
  reviewQueue(kind: OUTBREAK_ALARM, district: $district, first: 100) {{
    edges {{ node {{ id subject }} }}
  }}
}}""",
)
SECTIONS = ("hotspots", "water", "outbreaks")
"""The sections' ids (`panel-<id>`), in page order."""
MODEL_OF = {"hotspots": "hotspots", "water": "water", "outbreaks": "outbreak"}
"""Each section's model (ml.registry.MODELS)."""
SCORE = "civicgraph ml score"


def queue_link(kind: str) -> str:
    """The analytics page's queue filtered to one review kind."""
    return f"/dashboard/analytics?kind={kind}#panel-queue"


async def read(reader: Reader, gu: str | None) -> dict[str, Any]:
    """Every prediction source of the page: answers by name (the water stations with their
    histories in one), the hotspot pages as a list of Answers."""
    variables = gu_variables(gu)
    answers, hotspot_pages = await asyncio.gather(
        read_all(
            reader,
            {
                "water": (WATER, None),
                "outbreaks": (OUTBREAKS, variables),
                "boundaries": (BOUNDARIES, None),
            },
        ),
        _pages(reader, variables),
    )
    return answers | {"hotspot_pages": hotspot_pages}


async def _pages(reader: Reader, variables: dict[str, Any]) -> list[Answer]:
    """Up to MAX_PAGES pages of the newest hotspot window, highest risk first."""
    found: list[Answer] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        answer = await reader.read(HOTSPOTS, variables | ({"after": cursor} if cursor else {}))
        found.append(answer)
        info = ((answer.data or {}).get("predictions") or {}).get("pageInfo") or {}
        cursor = info.get("endCursor")
        if answer.errors or not info.get("hasNextPage") or not cursor:
            break
    return found


def contents(lang: Lang) -> html.Nav:
    """The page's own table of contents (it is long): links to each section."""
    items = [("panel-models", cards.label("models", lang))]
    items += [(f"panel-{s}", _title(s, lang)) for s in SECTIONS]
    items.append(("panel-queue", cards.label("queue", lang)))
    return html.Nav(
        html.Ul([html.Li(html.A(text, href=f"#{target}")) for target, text in items]),
        className="page-contents",
        **panels.attrs(aria_label=figures.label("contents", lang)),
    )


def _title(section: str, lang: Lang) -> str:
    return charts.text(section, lang)


def sections(
    read_answers: Mapping[str, Any],
    models: Data,
    names: Mapping[str, str],
    gu: str | None,
    lang: Lang,
) -> list[Any]:
    """The three sections in page order."""
    return [
        hotspots(
            read_answers["hotspot_pages"], read_answers["boundaries"], models, names, gu, lang
        ),
        water(read_answers["water"], models, names, lang),
        outbreaks(read_answers["outbreaks"], models, names, gu, lang),
    ]


def _section(section: str, body: list[Any], lang: Lang) -> html.Section:
    heading = f"{section}-title"
    return html.Section(
        [html.H2(_title(section, lang), id=heading), *body],
        className="panel panel-wide prediction-panel",
        id=f"panel-{section}",
        **panels.attrs(aria_labelledby=heading),
    )


def not_ready(state: figures.State, section: str, lang: Lang) -> html.P:
    """What to run to get a section's predictions: train the model then score, or score."""
    model = MODEL_OF[section]
    name = cards.model_name(model, lang)
    if state == "untrained":
        words: list[Any] = [
            figures.label("untrained", lang, model=name),
            " ",
            html.Code(f"civicgraph ml train {model}"),
            ", ",
            figures.label("untrained_then", lang),
            " ",
            html.Code(SCORE),
            ".",
        ]
    else:
        words = [figures.label("unscored", lang, model=name), " ", html.Code(SCORE), "."]
    return html.P(words, className="model-state prediction-state", **panels.attrs(data_state=state))


def facts(found: figures.Window, lang: Lang, *, extra: Sequence[tuple[str, str]] = ()) -> html.Dl:
    """The window scored, the model version, how many subjects and alarms."""
    pairs = [
        (figures.label("window", lang), figures.window_text(found.start, found.end, lang)),
        (figures.label("model_version", lang), found.model_version or "–"),
        (figures.label("scored", lang), number(found.total, lang)),
        (figures.label("alarms", lang), number(found.alarms, lang)),
        *extra,
    ]
    items: list[Any] = []
    for term, value in pairs:
        items += [html.Dt(term), html.Dd(value)]
    return html.Dl(items, className="model-facts prediction-facts")


def _table(
    title: str, header: list[str], rows: list[list[str]], lang: Lang, *, open_: bool = False
) -> html.Details:
    return html.Details(
        [html.Summary(f"{t('panel.table', lang)}: {title}"), panels.table(header, rows, title)],
        className="table-alternative",
        open=open_,
    )


def _graph(graph_id: str, figure: dict[str, Any], labelled_by: str, lang: Lang) -> html.Div:
    return html.Div(
        dcc.Graph(
            id=graph_id,
            figure=panels.safe_figure(figure),
            config=panels.graph_config(lang),
            className="graph",
        ),
        role="figure",
        **panels.attrs(aria_labelledby=labelled_by),
    )


def hotspots(
    pages: Sequence[Answer],
    boundaries: Answer,
    models: Data,
    names: Mapping[str, str],
    gu: str | None,
    lang: Lang,
) -> html.Section:
    """The newest day's hotspot risk: hexagons on our own map, the top cells ringed, the top
    cells' table, and the link to the patrol allocations awaiting review."""
    title = _title("hotspots", lang)
    variables = gu_variables(gu)
    failed = sorted({c for a in pages if a.errors for c in a.codes()})
    intro = [
        html.P(figures.label("hotspots_intro", lang)),
        html.P(html.A(figures.label("patrol_queue", lang), href=queue_link("PATROL_ALLOCATION"))),
    ]
    if failed and not (pages and pages[0].data):
        return panels.failed(title, set(failed), lang)
    found = figures.window([a.data for a in pages])
    link = panels.source_link(HOTSPOTS.link(variables), lang)
    state = figures.state(found, models, MODEL_OF["hotspots"])
    if state != "ready":
        return _section("hotspots", [*intro, not_ready(state, "hotspots", lang), link], lang)
    points = figures.cells(found.nodes)
    gu_layer = base_map.gu_features(boundaries.data, {}, gu, lang)
    spec = figures.hotspot_spec(gu_layer, points, lang)
    note = figures.label(
        "hex_note",
        lang,
        radius=number(figures.HEX_RADIUS_M, lang),
        n=number(PAGE_SIZE * MAX_PAGES, lang),
        shown=number(len(points), lang),
        total=number(found.total, lang),
    )
    legend = html.Ul(
        [
            html.Li([_swatch(figures.HEX_COLOURS[0]), figures.label("legend_low", lang)]),
            html.Li([_swatch(figures.HEX_COLOURS[-1]), figures.label("legend_high", lang)]),
            html.Li([_swatch(figures.TOP_RING, ring=True), figures.label("legend_top", lang)]),
        ],
        className="prediction-legend",
    )
    top = figures.label("top_table", lang)
    return _section(
        "hotspots",
        [
            *intro,
            facts(found, lang),
            html.Div(
                html.P(figures.label("unavailable", lang), className="map-fallback"),
                id="hotspot-canvas",
                className="map-canvas prediction-map",
            ),
            dcc.Store(id="hotspot-spec", data=spec),
            legend,
            html.P(note, className="panel-note"),
            html.P(f"{t('panel.error', lang)} ({', '.join(failed)})", role="alert")
            if failed
            else None,
            _table(
                top,
                figures.top_header(lang),
                figures.top_rows(found.nodes, names, lang),
                lang,
                open_=True,
            ),
            link,
        ],
        lang,
    )


def _swatch(colour: str, *, ring: bool = False) -> html.Span:
    style = (
        {"background": "#ffffff", "border": f"2px solid {colour}", "borderRadius": "50%"}
        if ring
        else {"background": colour}
    )
    return html.Span(className="swatch", style=style)


def water(answer: Answer, models: Data, names: Mapping[str, str], lang: Lang) -> html.Section:
    """The river's stations upstream to downstream with the newest hour's scores and alarms,
    and each station's last 48 hours (their `history`, read in the same query)."""
    title = _title("water", lang)
    if answer.errors:
        return panels.failed(title, answer.codes(), lang)
    intro = [
        html.P(charts.text("water_intro", lang)),
        html.P(html.A(charts.text("water_queue", lang), href=queue_link("WATER_ALARM"))),
    ]
    found = figures.window(answer.data)
    link = panels.source_link(WATER.link(), lang)
    state = figures.state(found, models, MODEL_OF["water"])
    if state != "ready":
        return _section("water", [*intro, not_ready(state, "water", lang), link], lang)
    ordered = charts.stations(found.nodes)
    series = [(charts.station_name(s, names), charts.history_of(s)) for s in ordered]
    history = charts.history_figure(series, lang)
    strip_title = charts.text("score", lang)
    return _section(
        "water",
        [
            *intro,
            facts(found, lang),
            html.H3(strip_title, id="water-strip-title"),
            _graph(
                "graph-water-strip",
                charts.water_strip(ordered, names, lang),
                "water-strip-title",
                lang,
            ),
            _table(
                strip_title,
                charts.water_header(lang),
                charts.water_rows(ordered, names, lang),
                lang,
                open_=True,
            ),
            html.H3(charts.text("history", lang), id="water-history-title"),
            html.P(charts.text("history_note", lang), className="panel-note"),
            _graph("graph-water-history", history, "water-history-title", lang)
            if history
            else html.P(t("panel.none", lang), className="none"),
            _table(
                charts.text("history", lang),
                charts.history_header(lang),
                charts.history_rows(series, lang),
                lang,
            ),
            html.P(panels.source_link(WATER.link(), lang)),
        ],
        lang,
    )


def outbreaks(
    answer: Answer, models: Data, names: Mapping[str, str], gu: str | None, lang: Lang
) -> html.Section:
    """The newest day's outbreak risk: the highest probability by gu (bar), the alarms with
    their review's state and link, and every gu and syndrome in a table."""
    title = _title("outbreaks", lang)
    if answer.errors:
        return panels.failed(title, answer.codes(), lang)
    intro = [
        html.P(charts.text("outbreaks_intro", lang)),
        html.P(html.A(charts.text("outbreak_queue", lang), href=queue_link("OUTBREAK_ALARM"))),
    ]
    found = figures.window(answer.data)
    link = panels.source_link(OUTBREAKS.link(gu_variables(gu)), lang)
    state = figures.state(found, models, MODEL_OF["outbreaks"])
    if state != "ready":
        return _section("outbreaks", [*intro, not_ready(state, "outbreaks", lang), link], lang)
    figure, rows = charts.outbreak_by_gu(found.nodes, names, lang)
    alarms = charts.outbreak_alarms(
        found.nodes, found.start, charts.pending_reviews(answer.data), names, lang
    )
    by_gu = charts.text("by_gu", lang)
    return _section(
        "outbreaks",
        [
            *intro,
            facts(found, lang),
            html.H3(charts.text("alarm_table", lang), id="outbreak-alarms-title"),
            alarm_table(alarms, lang),
            html.H3(by_gu, id="outbreak-by-gu-title"),
            _graph("graph-outbreak-by-gu", figure, "outbreak-by-gu-title", lang)
            if figure
            else html.P(t("panel.none", lang), className="none"),
            _table(by_gu, charts.outbreak_header(lang), rows, lang),
            link,
        ],
        lang,
    )


def alarm_table(alarms: Sequence[charts.OutbreakAlarm], lang: Lang) -> Any:
    """The alarms: gu (row header), syndrome, probability, and the review: waiting, with a link
    to it in the queue, or no pending review."""
    if not alarms:
        return html.P(charts.text("no_alarm", lang), className="none", id="outbreak-no-alarm")
    header = [charts.text(k, lang) for k in ("gu", "syndrome", "probability", "review")]
    body = []
    for alarm in alarms:
        if alarm.review:
            review: Any = [
                charts.text("waiting", lang),
                " · ",
                html.A(
                    charts.text("open_review", lang, review=alarm.review),
                    href=f"{queue_link('OUTBREAK_ALARM').split('#')[0]}#review-{alarm.review}",
                ),
            ]
        else:
            review = charts.text("not_waiting", lang)
        body.append(
            html.Tr(
                [
                    html.Th(alarm.gu, scope="row"),
                    html.Td(alarm.syndrome),
                    html.Td(alarm.score),
                    html.Td(review),
                ]
            )
        )
    return html.Table(
        [
            html.Caption(charts.text("alarm_table", lang)),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
            html.Tbody(body),
        ],
        className="data-table",
        id="outbreak-alarms",
    )


def callbacks(app: Dash) -> None:
    """The hotspot map's clientside draw (assets/predictions.js, deck.gl from our origin)."""
    app.clientside_callback(
        ClientsideFunction(namespace="civicPredictions", function_name="draw"),
        Output("hotspot-canvas", "data-layers"),
        Input("hotspot-spec", "data"),
    )
