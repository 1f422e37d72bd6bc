"""Overview: indicators across every domain, and open cases and air quality by gu."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import html

from dashboards import panels
from dashboards.figures import overview as figures
from dashboards.i18n import Lang, t
from dashboards.pages import Page, View
from dashboards.pages.common import BANDS, DISTRICTS, gu_variables, read_all
from dashboards.sources import Answer, Source
from graph.records.api_keys import Tier

CASES = Source(
    "OverviewCases",
    """
query OverviewCases($district: String) {
  caseStatistics(district: $district) {
    open filedToday closedToday medianResolutionHours
    byDistrict { districtCode open { count suppressed } medianResolutionHours }
  }
}""",
)
SENSING = Source(
    "OverviewSensing",
    """
query OverviewSensing($district: String) {
  airQuality(district: $district) {
    districtCode pm25 pm10 noise pm25Band pm10Band noiseBand sensorsReporting measuredAt
  }
  alertStatistics(district: $district) { activeNow raisedToday }
  ingestStatistics { readingsLastMinute readingsToday sensorsReporting lastReadingAt }
}""",
)
POLLS = Source(
    "OverviewPolls",
    """
query OverviewPolls {
  polls(state: OPEN, first: 100) { id question totalBallots }
}""",
)
CATALOGUE = Source(
    "OverviewCatalogue",
    """
query OverviewCatalogue {
  catalogueStatistics { datasets publishedToday modifiedToday apiCallsToday }
}""",
)
TRUST = Source(
    "OverviewTrust",
    """
query OverviewTrust {
  certificateStatistics { issued issuedToday revoked verifiedToday }
  procurementStatistics { inFlight completed medianCycleDays manualBaselineDays }
  logHead { treeSize signedAt }
}""",
)


async def render(view: View) -> list[Any]:
    """Tiles for every domain, then the two charts by gu."""
    by_gu = gu_variables(view.gu)
    answers = await read_all(
        view.reader,
        {
            "cases": (CASES, by_gu),
            "sensing": (SENSING, by_gu),
            "polls": (POLLS, None),
            "catalogue": (CATALOGUE, None),
            "trust": (TRUST, None),
            "districts": (DISTRICTS, None),
            "bands": (BANDS, None),
        },
    )
    sources = {"cases": CASES, "sensing": SENSING, "polls": POLLS}
    sources |= {"catalogue": CATALOGUE, "trust": TRUST}
    links = {
        name: source.link(by_gu if name in ("cases", "sensing") else None)
        for name, source in sources.items()
    }
    lang = view.lang
    tiles = figures.tiles(
        answers["cases"].data,
        answers["sensing"].data,
        answers["polls"].data,
        answers["catalogue"].data,
        answers["trust"].data,
        lang,
    )
    return [
        html.H1(t("nav.overview", lang)),
        html.Div(
            [
                panels.kpi(tile.id, tile.label, tile.value, links[tile.source], lang, tile.note)
                for tile in tiles
            ],
            className="kpis",
        ),
        charts_by_gu(answers, links, lang, resolution=True),
    ]


def charts_by_gu(
    answers: Mapping[str, Answer], links: Mapping[str, str], lang: Lang, *, resolution: bool
) -> html.Div:
    """The two charts by gu: open cases (with each gu's median resolution time when
    `resolution`) from `answers["cases"]`, and air quality from `answers["sensing"]` graded by
    `answers["bands"]`, the gu named from `answers["districts"]`; `links` holds the "cases" and
    "sensing" source links."""
    names = figures.gu_names(answers["districts"].data, lang)
    bands = (answers["bands"].data or {}).get("readingBands") or []
    cases_figure, cases_rows = figures.open_cases_by_gu(answers["cases"].data, names, lang)
    air_figure, air_rows = figures.air_by_gu(answers["sensing"].data, bands, names, lang)
    cases_header = [t("col.district", lang), figures.label("open_cases", lang)]
    if resolution:
        cases_header.append(figures.label("median_resolution", lang))
    else:
        cases_rows = [row[:2] for row in cases_rows]
    return html.Div(
        [
            panels.chart(
                "open-cases-by-gu",
                figures.label("open_cases", lang),
                cases_figure,
                cases_header,
                cases_rows,
                links["cases"],
                lang,
            ),
            panels.chart(
                "air-by-gu",
                figures.label("pm25", lang),
                air_figure,
                figures.air_header(lang),
                air_rows,
                links["sensing"],
                lang,
            ),
        ],
        className="charts",
    )


PAGE = Page(
    "",
    "nav.overview",
    frozenset({"cases", "readings", "alerts", "polls", "log"}),
    Tier.ANALYST,
    render,
)
