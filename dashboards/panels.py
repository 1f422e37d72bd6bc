"""The building blocks of a page: an indicator tile, a chart panel with its data table, and
the "source" link every figure carries.

Every chart has a data table alternative (WCAG 2.2 SC 1.1.1: a text alternative for non-text
content) in a `<details>` element under it, and every figure links to the GraphQL query that
produced it.
"""

from __future__ import annotations

import html as html_text
from collections.abc import Sequence
from typing import Any

from dash import dcc, html

from dashboards.i18n import CATALOGUE, Lang, t

Row = Sequence[str]


def attrs(**values: str) -> dict[str, Any]:
    """HTML attributes whose names have dashes (`aria-*`, `data-*`), given with underscores:
    `html.Nav(..., **attrs(aria_label="Pages"))`."""
    return {name.replace("_", "-"): value for name, value in values.items()}


def source_link(href: str, lang: Lang) -> html.A:
    return html.A(t("panel.source", lang), href=href, className="source", target="_blank")


def kpi(kpi_id: str, label: str, value: str, href: str, lang: Lang, note: str = "") -> html.Div:
    """An indicator tile: its label, its value as text and an optional note (a band, a
    baseline), with the source link."""
    return html.Div(
        [
            html.H3(label, className="kpi-label"),
            html.P(value, className="kpi-value", id=f"kpi-{kpi_id}"),
            html.P(note, className="kpi-note") if note else None,
            source_link(href, lang),
        ],
        className="kpi",
        **attrs(data_kpi=kpi_id),
    )


def plain_html(value: object) -> str:
    """`value` as HTML text: escaped, with line breaks as spaces."""
    text = html_text.escape(str(value))
    return text.replace("\r", " ").replace("\n", " ").replace("\u2028", " ").replace("\u2029", " ")


def plain_label(value: object) -> object:
    """A text plotly draws, with its HTML subset (`<a href>`, `<b>`, `<br>`) escaped: plotly
    shows `&lt;` as `<`. Other values pass unchanged."""
    if not isinstance(value, str) or not any(c in value for c in "<>&"):
        return value
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


DATA_TEXT_KEYS = ("x", "y", "text", "customdata", "hovertext", "labels", "z", "name")
"""Trace fields that may carry text from the platform's data (names, titles, options)."""


def safe_figure(figure: dict[str, Any]) -> dict[str, Any]:
    """`figure` with every data text of its traces and its annotations escaped for plotly
    (`plain_label`); our own templates (`hovertemplate`, titles) are left as they are."""
    traces = []
    for trace in figure.get("data", []):
        clean = dict(trace)
        for key in DATA_TEXT_KEYS:
            values = clean.get(key)
            if isinstance(values, list | tuple):
                clean[key] = [plain_label(v) for v in values]
            elif isinstance(values, str):
                clean[key] = plain_label(values)
        traces.append(clean)
    layout = dict(figure.get("layout", {}))
    if isinstance(layout.get("annotations"), list):
        layout["annotations"] = [
            {**a, "text": plain_label(a.get("text"))} if isinstance(a, dict) else a
            for a in layout["annotations"]
        ]
    return {**figure, "data": traces, "layout": layout}


def table_html(header: Row, rows: Sequence[Row], caption: str) -> str:
    """The HTML of a data table (first column a row header), every text escaped and on one line:
    Markdown reads an HTML block up to its first blank line, so a line break in a value would
    end the block and the rest would be read as Markdown (links, images)."""
    esc = plain_html
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in header)
    body = "".join(
        f'<tr><th scope="row">{esc(row[0])}</th>'
        + "".join(f"<td>{esc(c)}</td>" for c in row[1:])
        + "</tr>"
        for row in rows
    )
    return (
        f'<table class="data-table"><caption>{esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def table(header: Row, rows: Sequence[Row], caption: str) -> dcc.Markdown:
    """A plain data table (first column a row header) as one component.

    One component, not one per cell: Dash 4's renderer re-runs a store selector for every
    component on each update, and a page's tables were three quarters of its components
    (2.3 s of the browser's time per live update on the overview). The HTML is ours, every
    text escaped (`table_html`)."""
    return dcc.Markdown(
        table_html(header, rows, caption),
        dangerously_allow_html=True,
        className="table-wrap",
    )


def chart(
    panel_id: str,
    title: str,
    figure: dict[str, Any] | None,
    header: Row,
    rows: Sequence[Row],
    href: str,
    lang: Lang,
    note: str = "",
) -> html.Section:
    """A chart panel: heading, the plotly figure (or "no data"), its data table and source.

    The graph is labelled by the heading (`aria-labelledby`), and its table repeats every
    value the chart shows."""
    heading = f"{panel_id}-title"
    body: Any = (
        html.Div(
            dcc.Graph(
                id=f"graph-{panel_id}",
                figure=safe_figure(figure),
                config=graph_config(lang),
                className="graph",
            ),
            role="figure",
            **attrs(aria_labelledby=heading),
        )
        if figure is not None and rows
        else html.P(t("panel.none", lang), className="none")
    )
    return html.Section(
        [
            html.H2(title, id=heading),
            html.P(note, className="panel-note") if note else None,
            body,
            html.Details(
                [html.Summary(t("panel.table", lang)), table(header, rows, title)],
                className="table-alternative",
            ),
            source_link(href, lang),
        ],
        className="panel",
        id=f"panel-{panel_id}",
        **attrs(aria_labelledby=heading),
    )


def graph_config(lang: Lang) -> dcc.Graph.Config:
    """Every chart's plotly config: the reader's language for plotly's own words (the mode
    bar; the Korean dictionary is npm's plotly.js-locales, dashboards/vendor.py), no plotly
    logo, and no button that sends the chart's data off our origin (plotly.js 4's "Share
    chart" uploads it to Plotly Cloud) or downloads it as plotly JSON (the data table is the
    figure's data, in words)."""
    return {
        "displaylogo": False,
        "responsive": True,
        "locale": lang,
        "showSendToCloud": False,
        "showEditInChartStudio": False,
        "modeBarButtonsToRemove": ["sendChartToCloud", "downloadJson", "lasso2d", "select2d"],
    }


def failed(title: str, codes: set[str], lang: Lang) -> html.Section:
    """A panel whose source was refused or failed: says so and why in words, with the API's
    error codes after them for whoever reports it."""
    reasons = sorted({t(f"error.{c}", lang) if f"error.{c}" in CATALOGUE else "" for c in codes})
    why = "; ".join(r for r in reasons if r) or t("error.other", lang)
    shown = ", ".join(sorted(c for c in codes if c))
    text = f"{t('panel.error', lang)}: {why}" + (f" ({shown})" if shown else "")
    return html.Section(
        [html.H2(title), html.P(text)],
        className="panel panel-error",
        role="alert",
    )
