"""Map: the gu (and a drilled-into gu's dong) coloured by a chosen measure, sensors and assets as
points, open cases as hexagons, drawn by deck.gl (dashboards/assets/map.js).

The measure is the address's `?measure=` (a native select writes it, dashboards/assets/
params.js): choosing one re-renders the page on the server, which reads all four measures and
hands the chosen one to the clientside draw with the spec. Lists are bounded: the API's pages
hold at most 100 items, so the cases and assets are read in at most `MAX_PAGES` pages and the
page says how many it shows of how many.

The base layer is our own polygons; with the server's tile service set (`View.options.tile_url`,
`CIVIC_DASHBOARD_TILE_URL`) its raster tiles are drawn under them and its attribution is shown
on the map. deck.gl itself always comes from our own origin (dashboards/vendor.py).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from dash import ALL, ClientsideFunction, Dash, Input, Output, dcc, html

from dashboards import panels
from dashboards.figures import map as figures
from dashboards.i18n import Lang, number, t
from dashboards.pages import Page, View, param
from dashboards.pages.common import BANDS, read_all
from dashboards.sources import Answer, Reader, Source
from graph.records.api_keys import Tier

PAGE_SIZE = 100
"""The API's largest page (`first`/`last`)."""
MAX_PAGES = 5
"""Pages read per bounded list: at most 500 cases and 500 assets on the map."""
ASSET_KINDS = ("SMART_POLE", "PARKING_LOT")
"""Asset kinds drawn (CCTV, WiFi, bins and structures are too many to draw at scale 1.0)."""

BOUNDARIES = Source(
    "MapDistricts",
    """
query MapDistricts {
  districts(level: GU) { code nameKo nameEn population areaKm2 boundary }
}""",
)
DONG = Source(
    "MapDong",
    """
query MapDong($gu: String!) {
  districts(level: DONG, parentCode: $gu) { code nameKo areaKm2 residentCount boundary }
}""",
)
MEASURES = Source(
    "MapMeasures",
    """
query MapMeasures {
  caseStatistics { byDistrict { districtCode open { count suppressed } } }
  airQuality { districtCode pm25 noise pm25Band noiseBand measuredAt }
}""",
)
SENSORS = Source(
    "MapSensors",
    """
query MapSensors {
  districts(level: GU) { code sensors { id kind status location { lat lon } } }
}""",
)
ASSETS = Source(
    "MapAssets",
    """
query MapAssets($filter: AssetFilter, $after: String) {
  assets(filter: $filter, first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id kind name location { lat lon } } }
  }
}""",
)
CASES = Source(
    "MapCases",
    """
query MapCases($filter: CaseFilter, $before: String) {
  cases(filter: $filter, last: 100, before: $before) {
    totalCount
    pageInfo { hasPreviousPage startCursor }
    edges { node { id location { lat lon } } }
  }
}""",
)


async def read_pages(
    reader: Reader, source: Source, variables: dict[str, Any], field: str, *, backward: bool
) -> list[dict[str, Any] | None]:
    """Up to MAX_PAGES pages of the connection `field`, forward (`after`) or backward
    (`before`, newest first); stops at the first page with errors (kept, as None data)."""
    pages: list[dict[str, Any] | None] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        paging = {"before": cursor} if backward else {"after": cursor}
        answer = await reader.read(source, variables | paging)
        pages.append(answer.data)
        info = ((answer.data or {}).get(field) or {}).get("pageInfo") or {}
        more = info.get("hasPreviousPage" if backward else "hasNextPage")
        cursor = info.get("startCursor" if backward else "endCursor")
        if answer.errors or not more or not cursor:
            break
    return pages


def _count_note(key: str, shown: int, total: int | None, lang: Lang) -> str:
    limit = PAGE_SIZE * MAX_PAGES
    note = figures.label(key, lang).format(n=number(limit, lang))
    if total is None:
        return note
    shown_text = f"{figures.label('shown', lang)} {number(shown, lang)}"
    return f"{note} ({shown_text} / {figures.label('of', lang)} {number(total, lang)})"


async def render(view: View) -> list[Any]:
    """The measure control, the map with its legends, notes and the table alternative."""
    lang, gu = view.lang, view.gu
    where = {"district": [gu]} if gu else {}
    wanted: dict[str, tuple[Source, dict[str, Any] | None]] = {
        "districts": (BOUNDARIES, None),
        "measures": (MEASURES, None),
        "bands": (BANDS, None),
        "sensors": (SENSORS, None),
    }
    if gu:
        wanted["dong"] = (DONG, {"gu": gu})
    asset_vars = {"filter": where | {"kind": list(ASSET_KINDS)}}
    case_vars = {"filter": where | {"status": ["OPEN"]}}
    answers, asset_pages, case_pages = await asyncio.gather(
        read_all(view.reader, wanted),
        read_pages(view.reader, ASSETS, asset_vars, "assets", backward=False),
        read_pages(view.reader, CASES, case_vars, "cases", backward=True),
    )
    districts = answers["districts"]
    if districts.data is None or not districts.data.get("districts"):
        return [
            html.H1(t("nav.map", lang)),
            panels.failed(figures.label("title", lang), districts.codes(), lang),
        ]
    dong: Answer | None = answers.get("dong")
    bands = (answers["bands"].data or {}).get("readingBands") or []
    values = figures.raw_values(answers["measures"].data, districts.data)
    table, legends = figures.cells(values, bands, lang, datetime.now(UTC))
    gu_layer = figures.gu_features(districts.data, table, gu, lang)
    dong_layer = figures.dong_features(dong.data, lang) if dong is not None else None
    assets = figures.asset_points(asset_pages, lang)
    cases = figures.case_points(case_pages)
    tile_url = view.options.tile_url
    spec = figures.deck_spec(
        gu_layer,
        dong_layer,
        figures.sensor_points(answers["sensors"].data, gu, lang),
        assets,
        cases,
        gu,
        lang,
        tile_url,
    )
    header, rows = figures.gu_table(districts.data, table, lang)
    notes = [
        _count_note("cases_note", len(cases), figures.total_count(case_pages, "cases"), lang),
        _count_note("assets_note", len(assets), figures.total_count(asset_pages, "assets"), lang),
        figures.label("keyboard", lang),
    ]
    if gu:
        notes.append(figures.label("dong_note", lang))
    tables = [
        html.Details(
            [
                html.Summary(t("panel.table", lang)),
                panels.table(header, rows, figures.label("table", lang)),
            ],
            className="table-alternative",
            open=True,
        )
    ]
    if dong is not None:
        dong_header, dong_rows = figures.dong_table(dong.data, lang)
        tables.append(
            html.Details(
                [
                    html.Summary(figures.label("table_dong", lang)),
                    panels.table(dong_header, dong_rows, figures.label("table_dong", lang)),
                ],
                className="table-alternative",
            )
        )
    failed = sorted({code for a in answers.values() if a.errors for code in a.codes()})
    return [
        html.H1(t("nav.map", lang)),
        html.Section(
            [
                html.H2(figures.label("title", lang), id="map-title"),
                _measure_control(lang, chosen_measure(view)),
                html.Div(
                    [
                        html.P(figures.label("unavailable", lang), className="map-fallback"),
                        attribution(view.options.tile_attribution, lang) if tile_url else None,
                    ],
                    id="map-canvas",
                    className="map-canvas",
                ),
                dcc.Store(id="map-spec", data=spec),
                html.Div(_legends(legends, lang), className="map-legends"),
                html.Ul([html.Li(n) for n in notes], className="panel-note map-notes"),
                html.P(f"{t('panel.error', lang)} ({', '.join(failed)})", role="alert")
                if failed
                else None,
                *tables,
                _sources(gu, where, asset_vars, case_vars, lang),
            ],
            className="panel map-panel",
            **_attributes({"aria-labelledby": "map-title"}),
        ),
    ]


def chosen_measure(view: View) -> str:
    """The measure the address names (`?measure=`), else the first."""
    asked = view.query.get("measure")
    return asked if asked in figures.MEASURES else figures.MEASURES[0]


def _measure_control(lang: Lang, chosen: str) -> html.Div:
    """A native select (Dash 4's RadioItems nest a focusable input in an ARIA option: axe
    nested-interactive) that writes `?measure=` (assets/params.js); the store hands the chosen
    measure to the clientside draw."""
    return html.Div(
        [
            html.Label(figures.label("measure", lang), htmlFor="map-measure-select"),
            html.Select(
                [
                    html.Option(figures.label(m, lang), value=m, selected=m == chosen)
                    for m in figures.MEASURES
                ],
                id="map-measure-select",
                className="map-measure",
                **param("measure"),
            ),
            dcc.Store(id="map-measure", data=chosen),
        ],
        className="map-control",
    )


def attribution(text: str, lang: Lang) -> html.P:
    """The tile service's attribution, over the map's corner (its terms ask for it there)."""
    return html.P(f"{figures.label('tiles', lang)}: {text}", className="map-attribution")


def swatch(colour: str) -> html.Span:
    """A colour sample (outlined; its meaning is always written beside it)."""
    return html.Span(className="swatch", style={"background": colour})


def _attributes(values: dict[str, str]) -> dict[str, Any]:
    """ARIA attributes for a Dash component's keyword arguments (names with hyphens)."""
    return dict(values)


def _legends(legends: dict[str, list[figures.LegendEntry]], lang: Lang) -> list[Any]:
    """One legend per measure (map.js shows the chosen one), then the points' and hexagons'."""
    measures = [
        html.Div(
            [
                html.H3(figures.label(m, lang)),
                html.Ul([html.Li([swatch(e.colour), e.text]) for e in legends.get(m, [])]),
            ],
            id={"type": "map-legend", "measure": m},
            className="map-legend",
            hidden=m != figures.MEASURES[0],
        )
        for m in figures.MEASURES
    ]
    points = html.Div(
        [
            html.H3(f"{figures.label('sensors', lang)} · {figures.label('assets', lang)}"),
            html.Ul(
                [
                    html.Li([swatch(colour), figures.label(kind, lang)])
                    for kind, colour in figures.POINT_COLOURS.items()
                ]
            ),
            html.H3(figures.label("cases", lang)),
            html.Ul(
                [
                    html.Li([swatch(figures.CASE_COLOURS[0]), figures.label("few", lang)]),
                    html.Li([swatch(figures.CASE_COLOURS[-1]), figures.label("many", lang)]),
                ]
            ),
        ],
        className="map-legend",
    )
    return [*measures, points]


def _sources(
    gu: str | None,
    where: dict[str, Any],
    asset_vars: dict[str, Any],
    case_vars: dict[str, Any],
    lang: Lang,
) -> html.P:
    links = [
        ("boundaries", BOUNDARIES.link()),
        ("measures", MEASURES.link()),
        ("sensors", SENSORS.link()),
        ("assets", ASSETS.link(asset_vars)),
        ("cases", CASES.link(case_vars)),
    ]
    if gu:
        links.insert(1, ("table_dong", DONG.link({"gu": gu})))
    items: list[Any] = [f"{t('panel.source', lang)}: "]
    for index, (key, href) in enumerate(links):
        items += [
            ", " if index else "",
            html.A(figures.label(key, lang), href=href, className="source", target="_blank"),
        ]
    return html.P(items, className="map-sources")


def callbacks(app: Dash, reader: Reader) -> None:
    """The map's clientside callback: draw (or redraw) deck.gl when the spec or the measure
    changes and show the chosen measure's legend (map.js names the canvas, role "img", by the
    measure). deck.gl's bundle is served by the app (dashboards/vendor.py)."""
    app.clientside_callback(
        ClientsideFunction(namespace="civicMap", function_name="draw"),
        Output({"type": "map-legend", "measure": ALL}, "hidden"),
        Output("map-canvas", "data-measure"),
        Input("map-spec", "data"),
        Input("map-measure", "data"),
    )


PAGE = Page("map", "nav.map", frozenset({"cases"}), Tier.ANALYST, render, callbacks)
