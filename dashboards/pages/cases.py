"""Cases: open cases by category, department, status, Open311 service, age and gu, and the
review queue of model outputs awaiting an analyst's approval.

No model exists yet (issue 16 adds the analytics subgraph), so `QUEUE` is None and the queue
shows that nothing awaits review. Issue 16 sets `QUEUE` to its pending-reviews query and its
decision mutation; the table, the approve/reject buttons and the callback that refuses anyone
below the analyst tier are here already.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, html
from dash.exceptions import PreventUpdate

from dashboards import panels
from dashboards.figures import cases as figures
from dashboards.figures.answers import Data, rows_at
from dashboards.figures.overview import gu_names
from dashboards.i18n import Lang, lang_of, t
from dashboards.pages import Page, View
from dashboards.pages.common import DISTRICTS, gu_variables, read_all
from dashboards.sources import Answer, Reader, Source
from graph.records.api_keys import Tier

log = logging.getLogger("civicgraph.dashboards.cases")

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
REVIEW = "review-decision"
"""The id type of the queue's approve and reject buttons: `{"type", "decision", "review"}`."""
DECISIONS = ("approve", "reject")


@dataclass(frozen=True)
class ReviewQueue:
    """Where the queue comes from: the query of the pending outputs, how its answer becomes
    `ReviewItem`s, and the mutation that records a decision, run with variables
    `{"id": <review id>, "approve": <bool>}` at the viewer's tier."""

    pending: Source
    items: Callable[[Data], list[figures.ReviewItem]]
    decide: Source


QUEUE: ReviewQueue | None = None
"""The review queue's source: None until the analytics models exist (issue 16)."""


async def render(view: View) -> list[Any]:
    """Tiles, the six breakdowns of the (gu's) cases and the review queue."""
    lang = view.lang
    by_gu = gu_variables(view.gu)
    wanted: dict[str, tuple[Source, dict[str, Any] | None]] = {
        "cases": (CASES, by_gu),
        "catalogue": (CATALOGUE, None),
        "districts": (DISTRICTS, None),
    }
    if QUEUE is not None:
        wanted["queue"] = (QUEUE.pending, None)
    answers = await read_all(view.reader, wanted)
    names = gu_names(answers["districts"].data, lang)
    title = figures.label("title", lang)
    heading = f"{title}: {names.get(view.gu, view.gu)}" if view.gu else title
    return [
        html.H1(heading),
        *breakdowns(answers["cases"], answers["catalogue"], names, CASES.link(by_gu), lang),
        review_section(QUEUE, answers.get("queue"), lang),
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


def review_section(queue: ReviewQueue | None, answer: Answer | None, lang: Lang) -> Any:
    """The review queue: the empty state, the pending outputs with approve/reject buttons per
    row, or the failure notice; and the status line the decision callback writes."""
    title = figures.label("review", lang)
    if answer is not None and answer.errors:
        return panels.failed(title, answer.codes(), lang)
    items = queue.items(answer.data) if queue is not None and answer is not None else []
    body: Any
    if not items:
        body = html.P(figures.label("review_empty", lang), className="none", id="review-empty")
    else:
        body = review_table(items, lang)
    return html.Section(
        [
            html.H2(title, id="review-title"),
            html.P(figures.label("review_intro", lang)),
            body,
            html.P(id="review-status", role="status", className="review-status"),
            panels.source_link(queue.pending.link(), lang) if queue is not None else None,
        ],
        className="panel panel-wide",
        id="panel-review",
        **panels.attrs(aria_labelledby="review-title"),
    )


def review_table(items: list[figures.ReviewItem], lang: Lang) -> html.Table:
    """The pending outputs, one row each with its approve and reject buttons."""
    header = figures.review_header(lang)
    rows = []
    for review_id, cells in figures.review_rows(items, lang):
        buttons = [
            html.Button(
                figures.label(decision, lang),
                id={"type": REVIEW, "decision": decision, "review": review_id},
                n_clicks=0,
                className=f"review-{decision}",
                **panels.attrs(aria_label=f"{figures.label(decision, lang)}: {cells[0]}"),
            )
            for decision in DECISIONS
        ]
        rows.append(
            html.Tr(
                [
                    html.Th(cells[0], scope="row"),
                    *[html.Td(c) for c in cells[1:]],
                    html.Td(buttons, className="review-buttons"),
                ]
            )
        )
    return html.Table(
        [
            html.Caption(figures.label("review", lang)),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
            html.Tbody(rows),
        ],
        className="data-table review-table",
    )


async def decide(
    reader: Reader,
    queue: ReviewQueue | None,
    tier: Tier,
    triggered: Any,
    clicks: Any,
    lang: Lang,
) -> str:
    """Records the decision a clicked button names and says how it went. Anyone below the
    analyst tier is refused before anything runs (the page is analyst-only, but a callback
    request can be sent by hand). Raises PreventUpdate for a call no click made (a button
    rendered, not pressed) or an id that names no decision."""
    if not isinstance(triggered, Mapping) or not clicks:
        raise PreventUpdate
    if triggered.get("decision") not in DECISIONS or not isinstance(triggered.get("review"), str):
        raise PreventUpdate
    if not tier.at_least(Tier.ANALYST):
        log.info("review decision refused to the %s tier", tier.value)
        return figures.label("review_refused", lang)
    if queue is None:
        return figures.label("review_empty", lang)
    approve = triggered["decision"] == "approve"
    answer = await reader.read(queue.decide, {"id": triggered["review"], "approve": approve})
    if answer.errors:
        codes = ", ".join(sorted(answer.codes()))
        return f"{figures.label('review_failed', lang)} ({codes})"
    return f"{figures.label('approved' if approve else 'rejected', lang)}: {triggered['review']}"


def callbacks(app: Dash, reader: Reader) -> None:
    """The approve/reject buttons' callback, at the tier of the request that pressed one."""
    from dashboards.app import viewer_tier  # the app module lists this page: import late

    @app.callback(
        Output("review-status", "children"),
        Input({"type": REVIEW, "decision": ALL, "review": ALL}, "n_clicks"),
        State("lang", "data"),
        prevent_initial_call=True,
    )
    async def review_decision(_clicks: list[Any], lang: Any) -> str:
        clicked = ctx.triggered[0].get("value") if ctx.triggered else None
        return await decide(reader, QUEUE, viewer_tier(), ctx.triggered_id, clicked, lang_of(lang))


PAGE = Page(
    "cases",
    "nav.cases",
    frozenset({"cases"}),
    Tier.ANALYST,
    render,
    callbacks,
)
