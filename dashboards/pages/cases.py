"""Cases: open cases by category, department, status, Open311 service, age and gu, and how
many case routings wait for an analyst (they are decided on the analytics page,
dashboards/pages/analytics.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import dcc, html

from dashboards import panels
from dashboards.figures import cases as figures
from dashboards.figures.answers import rows_at
from dashboards.figures.overview import gu_names
from dashboards.i18n import Lang, t
from dashboards.pages import Page, View
from dashboards.pages.common import DISTRICTS, gu_variables, read_all
from dashboards.sources import Answer, Source
from graph.records.api_keys import Tier

CASES = Source(
    "CasesStatistics",
    """
query CasesStatistics($district: String) {
  caseStatistics(district: $district) {
    open filedToday closedToday medianResolutionHours
    byStatus { key count suppressed }
    byServiceGroup { key count suppressed }
    byService { key count suppressed }
    byDepartment { key count suppressed }
    ageing { key count suppressed }
    byDistrict { districtCode open { key count suppressed } medianResolutionHours }
  }
}""",
)
CATALOGUE = Source(
    "CasesCatalogue",
    """
query CasesCatalogue {
  services { code name nameKo group }
  departments { id nameEn nameKo }
}""",
)
ROUTINGS = Source(
    "CasesRoutingsPending",
    """
query CasesRoutingsPending($district: String) {
  reviewQueue(kind: CASE_ROUTING, district: $district, first: 1) { totalCount }
}""",
)
"""How many case routings (the routing model's department for a filed case) wait for an
analyst, in the gu or the city."""
ANALYTICS = "/dashboard/analytics"
"""Where the routings are decided."""


async def render(view: View) -> list[Any]:
    """Tiles, the six breakdowns of the (gu's) cases and the routings waiting for an analyst."""
    lang = view.lang
    by_gu = gu_variables(view.gu)
    wanted: dict[str, tuple[Source, dict[str, Any] | None]] = {
        "cases": (CASES, by_gu),
        "catalogue": (CATALOGUE, None),
        "districts": (DISTRICTS, None),
        "routings": (ROUTINGS, by_gu),
    }
    answers = await read_all(view.reader, wanted)
    names = gu_names(answers["districts"].data, lang)
    title = figures.label("title", lang)
    heading = f"{title}: {names.get(view.gu, view.gu)}" if view.gu else title
    return [
        html.H1(heading),
        *breakdowns(answers["cases"], answers["catalogue"], names, CASES.link(by_gu), lang),
        routings_section(answers["routings"], ROUTINGS.link(by_gu), lang),
    ]


def breakdowns(
    cases: Answer, catalogue: Answer, names: dict[str, str], href: str, lang: Lang
) -> list[Any]:
    """The tiles and charts of `caseStatistics`, or one failure notice."""
    if cases.errors:
        return [panels.failed(figures.label("title", lang), cases.codes(), lang)]
    data = cases.data
    services = figures.service_names(catalogue.data, lang)
    departments = figures.department_names(catalogue.data, lang)
    count = figures.label("count", lang)
    charts: list[tuple[str, str, str, Mapping[str, str], bool]] = [
        ("by-group", "byServiceGroup", "category", {}, False),
        ("by-status", "byStatus", "status", {}, False),
        ("by-service", "byService", "service", services, True),
        ("by-department", "byDepartment", "department", departments, True),
        ("ageing", "ageing", "age", {}, False),
    ]
    titles = {
        "by-group": "by_group",
        "by-status": "by_status",
        "by-service": "by_service",
        "by-department": "by_department",
        "ageing": "ageing",
    }
    panels_: list[Any] = []
    for panel_id, field, column, key_names, horizontal in charts:
        figure, rows = figures.key_counts(
            rows_at(data, "caseStatistics", field), key_names, lang, horizontal=horizontal
        )
        chart_title = figures.label(titles[panel_id], lang)
        panels_.append(
            panels.chart(
                panel_id,
                chart_title,
                figure,
                [figures.label(column, lang), count],
                rows,
                href,
                lang,
            )
        )
    figure, rows = figures.by_district(data, names, lang)
    panels_.append(
        panels.chart(
            "cases-by-gu",
            figures.label("by_district", lang),
            figure,
            [t("col.district", lang), count, figures.label("median_hours", lang)],
            rows,
            href,
            lang,
        )
    )
    tiles = [
        panels.kpi(tile_id, text, value, href, lang)
        for tile_id, text, value in figures.headline(data, lang)
    ]
    return [html.Div(tiles, className="kpis"), html.Div(panels_, className="charts")]


def routings_section(answer: Answer, href: str, lang: Lang) -> Any:
    """How many case routings wait for an analyst, with a link to the analytics page where
    they are decided and the source link; or the failure notice."""
    title = figures.label("routings", lang)
    if answer.errors:
        return panels.failed(title, answer.codes(), lang)
    return html.Section(
        [
            html.H2(title, id="routings-title"),
            html.P(figures.label("routings_intro", lang)),
            html.P(
                figures.routings_text(figures.routings_pending(answer.data), lang),
                className="kpi-value",
                id="routings-pending",
            ),
            html.P(dcc.Link(figures.label("routings_decide", lang), href=ANALYTICS)),
            panels.source_link(href, lang),
        ],
        className="panel",
        id="panel-routings",
        **panels.attrs(aria_labelledby="routings-title"),
    )


PAGE = Page(
    "cases",
    "nav.cases",
    frozenset({"cases", "log"}),
    Tier.ANALYST,
    render,
)
