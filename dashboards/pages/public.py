"""The public page: what Seoul's public release shows anyone, read at the public tier, so every
count of people under 5 is withheld by the API itself (resolvers/core/statistics.py)."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards import panels
from dashboards.figures import overview as figures
from dashboards.i18n import t
from dashboards.pages import Page, View
from dashboards.pages.common import BANDS, DISTRICTS, gu_variables, read_all
from dashboards.pages.overview import CATALOGUE, SENSING, charts_by_gu
from dashboards.sources import Source
from graph.records.api_keys import Tier

PUBLIC_CASES = Source(
    "PublicCases",
    """
query PublicCases($district: String) {
  caseStatistics(district: $district) {
    open medianResolutionHours
    byDistrict { districtCode open { count suppressed } medianResolutionHours }
  }
}""",
)
PUBLIC_TILES: tuple[str, ...] = ("open_cases", "median_resolution", "alerts_now", "pm25")
PUBLIC_TILES += ("pm10", "noise", "sensors_reporting", "datasets")


async def render(view: View) -> list[Any]:
    """Public tiles (cases, air, datasets) and the two charts by gu."""
    by_gu = gu_variables(view.gu)
    answers = await read_all(
        view.reader,
        {
            "cases": (PUBLIC_CASES, by_gu),
            "sensing": (SENSING, by_gu),
            "catalogue": (CATALOGUE, None),
            "districts": (DISTRICTS, None),
            "bands": (BANDS, None),
        },
    )
    lang = view.lang
    links = {
        "cases": PUBLIC_CASES.link(by_gu),
        "sensing": SENSING.link(by_gu),
        "catalogue": CATALOGUE.link(),
    }
    tiles = figures.tiles(
        answers["cases"].data, answers["sensing"].data, None, answers["catalogue"].data, None, lang
    )
    return [
        html.H1(t("app.public_title", lang)),
        html.Div(
            [
                panels.kpi(tile.id, tile.label, tile.value, links[tile.source], lang, tile.note)
                for tile in tiles
                if tile.id in PUBLIC_TILES
            ],
            className="kpis",
        ),
        charts_by_gu(answers, links, lang, resolution=False),
    ]


PAGE = Page("public", "nav.public", frozenset({"cases", "readings", "alerts"}), Tier.PUBLIC, render)
