"""Polls: the open and recently closed polls, the chosen one's live tally and turnout by gu,
its leaves in the verifiable log with the log's signed head, and the command that re-tallies
it from the log alone.

The poll is chosen by the `poll` query parameter (`/dashboard/polls?poll=poll-…`), which the
picker's links set: the choice survives live re-renders and can be linked.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import dcc, html

from dashboards import panels
from dashboards.figures import overview as overview_figures
from dashboards.figures import polls as figures
from dashboards.figures.answers import get
from dashboards.i18n import Lang, number, t, when
from dashboards.pages import Page, View
from dashboards.pages.common import DISTRICTS, read_all
from dashboards.sources import Answer, Source
from graph.records.api_keys import Tier

LISTING = Source(
    "PollList",
    """
query PollList {
  open: polls(state: OPEN, first: 20) {
    id question state closesAt totalBallots eligibility { districts }
  }
  closed: polls(state: CLOSED, first: 5) {
    id question state closesAt totalBallots eligibility { districts }
  }
}""",
)
PATH = "/dashboard/polls"
DETAIL = Source(
    "PollDetail",
    """
query PollDetail($id: ID!) {
  poll(id: $id) {
    id question options state opensAt closesAt totalBallots
    tally { option ballots }
    turnout { district ballots suppressed }
    eligibility { districts over19 over65 welfare }
  }
  logHead { origin treeSize rootHash signedAt checkpoint keyId verifierKey }
}""",
)


def poll_href(poll_id: str) -> str:
    """The polls page showing `poll_id`."""
    return f"{PATH}?{urlencode({'poll': poll_id})}"


def picker(offered: list[figures.Choice], chosen: figures.Choice, lang: Lang) -> html.Nav:
    """The offered polls as a list of links to `?poll=…` (the router renders the page from
    it, so the choice survives live re-renders and can be linked); the shown poll is text
    marked `aria-current`. Links, not Dash 4's radio items: those nest a focusable input in
    an ARIA option (axe-core: nested-interactive, serious)."""
    items = [
        html.Li(
            html.Strong(figures.choice_text(choice, lang), **panels.attrs(aria_current="true"))
            if choice.id == chosen.id
            else dcc.Link(figures.choice_text(choice, lang), href=poll_href(choice.id))
        )
        for choice in offered
    ]
    return html.Nav(
        [html.H2(figures.label("picker", lang), id="poll-picker-title"), html.Ul(items)],
        className="picker",
        **panels.attrs(aria_labelledby="poll-picker-title"),
    )


def _tiles(poll: Any, head: Any, href: str, lang: Lang) -> html.Div:
    L = lambda key: figures.label(key, lang)  # noqa: E731
    window = f"{when(get(poll, 'opensAt'), lang)} – {when(get(poll, 'closesAt'), lang)}"
    return html.Div(
        [
            panels.kpi(
                "poll-state",
                L("state"),
                figures.state_word(get(poll, "state"), lang),
                href,
                lang,
                window,
            ),
            panels.kpi(
                "poll-total", L("total"), number(get(poll, "totalBallots"), lang), href, lang
            ),
            panels.kpi(
                "poll-leaves",
                L("poll_leaves"),
                number(figures.poll_leaves(poll), lang),
                href,
                lang,
                L("poll_leaves_note"),
            ),
            panels.kpi(
                "log-size",
                L("tree_size"),
                number(get(head, "treeSize"), lang),
                href,
                lang,
                f"{L('signed_at')}: {when(get(head, 'signedAt'), lang)}",
            ),
        ],
        className="kpis",
    )


def _log_panel(poll: Any, head: Any, href: str, lang: Lang) -> html.Section:
    L = lambda key: figures.label(key, lang)  # noqa: E731
    checkpoint = get(head, "checkpoint")
    return html.Section(
        [
            html.H2(L("log"), id="poll-log-title"),
            panels.table(
                [t("col.key", lang), t("col.value", lang)],
                figures.log_facts(poll, head, lang),
                L("log_table"),
            ),
            html.H3(L("checkpoint")),
            html.Pre(str(checkpoint), className="checkpoint", id="poll-checkpoint")
            if checkpoint
            else html.P("–"),
            panels.source_link(href, lang),
        ],
        className="panel",
        id="panel-poll-log",
        **panels.attrs(aria_labelledby="poll-log-title"),
    )


def _retally_panel(poll_id: str, head: Any, href: str, lang: Lang) -> html.Section:
    L = lambda key: figures.label(key, lang)  # noqa: E731
    return html.Section(
        [
            html.H2(L("retally"), id="poll-retally-title"),
            html.P(L("retally_text")),
            html.H3(L("command"), id="poll-command-label"),
            html.Pre(
                html.Code(figures.verify_command(poll_id, get(head, "verifierKey"))),
                className="command",
                id="poll-verify-command",
                **panels.attrs(aria_labelledby="poll-command-label"),
            ),
            panels.source_link(href, lang),
        ],
        className="panel",
        id="panel-poll-retally",
        **panels.attrs(aria_labelledby="poll-retally-title"),
    )


async def render(view: View) -> list[Any]:
    """The picker, then the chosen poll's tiles, tally, turnout, log and re-tally command."""
    lang = view.lang
    title = figures.label("title", lang)
    first = await read_all(
        view.reader, {"listing": (LISTING, None), "districts": (DISTRICTS, None)}
    )
    listing = first["listing"]
    if listing.data is None:
        return [html.H1(title), panels.failed(figures.label("picker", lang), listing.codes(), lang)]
    offered = figures.choices(listing.data, view.gu)
    chosen = figures.pick(offered, view.query.get("poll"))
    intro: list[Any] = [html.H1(title)]
    if view.gu:
        intro.append(
            html.P(t("gu.label", lang) + ": " + _gu_name(first["districts"], view.gu, lang))
        )
    if chosen is None:
        empty = figures.label("none_gu" if view.gu else "none", lang)
        return [*intro, html.P(empty, className="none"), panels.source_link(LISTING.link(), lang)]
    variables = {"id": chosen.id}
    detail = await view.reader.read(DETAIL, variables)
    href = DETAIL.link(variables)
    head_of_page = [
        *intro,
        picker(offered, chosen, lang),
        panels.source_link(LISTING.link(), lang),
    ]
    poll = get(detail.data, "poll")
    if poll is None:
        return [*head_of_page, panels.failed(chosen.question, detail.codes(), lang)]
    head = get(detail.data, "logHead")
    names = overview_figures.gu_names(first["districts"].data, lang)
    tally_figure, tally_rows = figures.tally(poll, lang)
    turnout_figure, turnout_rows = figures.turnout(poll, names, view.gu, lang)
    L = lambda key: figures.label(key, lang)  # noqa: E731
    return [
        *head_of_page,
        html.H2(
            str(poll.get("question") or chosen.question),
            id="poll-question",
            className="poll-question",
        ),
        _tiles(poll, head, href, lang),
        html.Div(
            [
                panels.chart(
                    "poll-tally",
                    figures.tally_title(poll, lang),
                    tally_figure,
                    [L("option"), L("ballots"), L("share")],
                    tally_rows,
                    href,
                    lang,
                ),
                panels.chart(
                    "poll-turnout",
                    L("turnout"),
                    turnout_figure,
                    [t("col.district", lang), L("ballots")],
                    turnout_rows,
                    href,
                    lang,
                    note=L("turnout_note"),
                ),
                _log_panel(poll, head, href, lang),
                _retally_panel(chosen.id, head, href, lang),
            ],
            className="charts",
        ),
    ]


def _gu_name(districts: Answer, gu: str, lang: Lang) -> str:
    return overview_figures.gu_names(districts.data, lang).get(gu, gu)


PAGE = Page("polls", "nav.polls", frozenset({"polls", "log"}), Tier.ANALYST, render)
