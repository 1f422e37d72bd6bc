"""Analytics: each model's card (serving version, metrics beside the baselines, intended use)
and the review queue, where an analyst approves or rejects a model's output with a note.

A decision runs `approveReview` or `rejectReview` at the viewer's key, like every figure. The
buttons' clientside callback (assets/analytics.js) reads the row's note and department (native
controls: see dashboards/frame.py) into the `analytics-request` store; the server callback runs
the mutation, says how it went in the reader's language and re-reads the queue.

Live: a decision appends a log leaf, so the page listens to the `log` topic and another
analyst's decision drops its row by push. A proposal publishes nothing itself (ml/review.py), but
a scoring run proposes its water, outbreak and patrol reviews and then publishes its alarms on
`anomalies`, which the page listens to too: those show by push. Case routings show when the page
opens, after each decision and at the 30-second refresh.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from dashboards import panels
from dashboards.figures import analytics as figures
from dashboards.figures import proposals
from dashboards.figures.overview import gu_names
from dashboards.i18n import Lang, lang_of, when
from dashboards.pages import Page, View, param
from dashboards.pages import analytics_predictions as predictions
from dashboards.pages.common import DISTRICTS, gu_variables, read_all
from dashboards.sources import Answer, Reader, Source
from graph.records.api_keys import Tier
from seeds.gu_codes import is_gu

log = logging.getLogger("civicgraph.dashboards.analytics")

MODELS = Source(
    "AnalyticsModels",
    """
query AnalyticsModels {
  models {
    name trained version trainedAt meetsTargets intendedUse notFor
    metrics { metric unit model baselines { name value } target met }
  }
}""",
)
QUEUE = Source(
    "AnalyticsReviewQueue",
    """
query AnalyticsReviewQueue($district: String, $kind: ReviewKind) {
  reviewQueue(district: $district, kind: $kind, first: 50) {
    totalCount
    edges { node { id kind model subject districtCode proposal createdAt } }
  }
}""",
)
DEPARTMENTS = Source(
    "AnalyticsDepartments",
    """
query AnalyticsDepartments {
  departments { id nameEn nameKo }
}""",
)
APPROVE = Source(
    "AnalyticsApprove",
    """
mutation AnalyticsApprove($id: ID!, $note: String!) {
  approveReview(input: {id: $id, note: $note}) {
    ... on DecideReviewSuccess { review { id status leafIndex } }
    ... on AnalyticsError { code field message }
  }
}""",
)
REJECT = Source(
    "AnalyticsReject",
    """
mutation AnalyticsReject($id: ID!, $note: String!, $department: String) {
  rejectReview(input: {id: $id, note: $note, department: $department}) {
    ... on DecideReviewSuccess { review { id status leafIndex } }
    ... on AnalyticsError { code field message }
  }
}""",
)
DECISION = "analytics-decision"
"""The id type of the queue's buttons: `{"type", "decision", "review"}`."""
DECISIONS = ("approve", "reject")
MAX_NOTE = 2000
KINDS = ("CASE_ROUTING", "PATROL_ALLOCATION", "OUTBREAK_ALARM", "WATER_ALARM")
"""The review kinds the queue can be filtered to (`?kind=`, the API's ReviewKind)."""


def note_id(review_id: str) -> str:
    return f"analytics-note-{review_id}"


def department_id(review_id: str) -> str:
    return f"analytics-department-{review_id}"


def queue_variables(gu: str | None, kind: str | None) -> dict[str, Any]:
    """The queue's variables: the gu and the review kind chosen (None: every kind)."""
    return gu_variables(gu) | ({"kind": kind} if kind else {})


def chosen_kind(query: Mapping[str, str]) -> str | None:
    """The review kind the address names (`?kind=`), None for none or one not known."""
    asked = query.get("kind")
    return asked if asked in KINDS else None


def kind_of(search: Any) -> str | None:
    """The review kind of a URL's query string (the decision callback's `url.search`)."""
    if not isinstance(search, str):
        return None
    return chosen_kind({k: v for k, v in parse_qsl(search.lstrip("?"))})


async def render(view: View) -> list[Any]:
    """The model cards, the models' newest predictions and the (gu's, kind's) review queue."""
    lang = view.lang
    kind = chosen_kind(view.query)
    answers, predicted = await asyncio.gather(
        read_all(
            view.reader,
            {
                "models": (MODELS, None),
                "queue": (QUEUE, queue_variables(view.gu, kind)),
                "departments": (DEPARTMENTS, None),
                "districts": (DISTRICTS, None),
            },
        ),
        predictions.read(view.reader, view.gu),
    )
    names = gu_names(answers["districts"].data, lang)
    title = figures.label("title", lang)
    heading = f"{title}: {names.get(view.gu, view.gu)}" if view.gu else title
    models = answers["models"].data
    return [
        html.H1(heading),
        predictions.contents(lang),
        model_cards(answers["models"], lang),
        *predictions.sections(predicted, models, names, view.gu, lang),
        html.Section(
            [
                html.H2(figures.label("queue", lang), id="queue-title"),
                html.P(figures.label("queue_intro", lang)),
                kind_control(kind, lang),
                html.Div(
                    queue_body(answers["queue"], answers["departments"], names, lang),
                    id="analytics-queue",
                ),
                html.P(id="analytics-status", role="status", className="review-status"),
                dcc.Store(id="analytics-request"),
                panels.source_link(QUEUE.link(queue_variables(view.gu, kind)), lang),
            ],
            className="panel panel-wide",
            id="panel-queue",
            **panels.attrs(aria_labelledby="queue-title"),
        ),
    ]


def kind_control(kind: str | None, lang: Lang) -> html.Div:
    """A native select of the review kinds that writes `?kind=` (assets/params.js)."""
    options = [html.Option(figures.label("all_kinds", lang), value="", selected=kind is None)]
    options += [html.Option(figures.kind_name(k, lang), value=k, selected=k == kind) for k in KINDS]
    return html.Div(
        [
            html.Label(figures.label("kind_filter", lang), htmlFor="queue-kind-select"),
            html.Select(options, id="queue-kind-select", **param("kind")),
        ],
        className="map-control",
    )


def model_cards(answer: Answer, lang: Lang) -> Any:
    """A card per model, or the failure notice."""
    title = figures.label("models", lang)
    if answer.errors:
        return panels.failed(title, answer.codes(), lang)
    return html.Section(
        [
            html.H2(title, id="models-title"),
            html.P(figures.label("models_intro", lang)),
            html.Div(
                [model_card(card, lang) for card in figures.cards(answer.data)],
                className="model-cards",
            ),
            html.P(figures.label("card_note", lang), className="panel-note"),
            panels.source_link(MODELS.link(), lang),
        ],
        className="panel panel-wide",
        id="panel-models",
        **panels.attrs(aria_labelledby="models-title"),
    )


def model_card(card: figures.ModelCard, lang: Lang) -> html.Article:
    """One model: its name, version, training time, metrics table and intended use; or how
    to train it."""
    heading = f"model-{card.name}-title"
    name = figures.model_name(card.name, lang)
    title = html.H3([name, " ", html.Code(card.name, lang="en")], id=heading)
    body: list[Any]
    if not card.trained:
        body = [
            html.P(figures.label("not_trained", lang), className="model-state"),
            html.P([figures.label("how_to_train", lang), " ", html.Code(card.how_to_train)]),
        ]
    else:
        rows = figures.metric_rows(card, lang)
        caption = figures.label("metrics_caption", lang, model=name)
        body = [
            html.Dl(
                [
                    html.Dt(figures.label("version", lang)),
                    html.Dd(html.Code(card.version or "–")),
                    html.Dt(figures.label("trained_at", lang)),
                    html.Dd(when(card.trained_at, lang)),
                    html.Dt(figures.label("meets_targets", lang)),
                    html.Dd(figures.meets_text(card, lang)),
                ],
                className="model-facts",
            ),
            panels.table(figures.metrics_header(lang), rows, caption)
            if rows
            else html.P(figures.label("no_metrics", lang), className="none"),
            html.H4(figures.label("intended_use", lang)),
            html.P(card.intended_use or "–", lang="en"),
            html.H4(figures.label("not_for", lang)),
            html.P(card.not_for or "–", lang="en"),
        ]
    return html.Article(
        [title, *body],
        className="model-card",
        id=f"model-{card.name}",
        **panels.attrs(aria_labelledby=heading, data_trained=str(card.trained).lower()),
    )


def queue_body(
    answer: Answer, departments: Answer, names: Mapping[str, str], lang: Lang
) -> list[Any]:
    """The queue's table with a decision form per review, "nothing awaits review", or the
    failure notice."""
    if answer.errors:
        return [panels.failed(figures.label("queue", lang), answer.codes(), lang)]
    items, total = figures.queue(answer.data)
    if not items:
        return [html.P(figures.label("queue_empty", lang), className="none", id="queue-empty")]
    department_names = figures.department_names(departments.data, lang)
    rows = [
        queue_row(
            item, proposals.queue_cells(item, names, department_names, lang), department_names, lang
        )
        for item in items
    ]
    return [
        html.P(figures.label("queue_count", lang, shown=len(items), total=total), id="queue-count"),
        html.Table(
            [
                html.Caption(figures.label("queue", lang)),
                html.Thead(
                    html.Tr(
                        [html.Th(figures.label("review_id", lang), scope="col")]
                        + [html.Th(h, scope="col") for h in figures.queue_header(lang)]
                    )
                ),
                html.Tbody(rows),
            ],
            className="data-table review-table",
            id="queue-table",
        ),
    ]


def proposal_cell(lines: Sequence[str]) -> html.Td:
    """The proposal's lines: the first as text, the rest as a list under it."""
    first, rest = (lines[0] if lines else "–"), lines[1:]
    return html.Td(
        [first, html.Ul([html.Li(line) for line in rest])] if rest else first,
        className="review-proposal",
    )


def queue_row(
    item: figures.QueueItem,
    cells: tuple[str, str, str, Sequence[str], str],
    departments: Mapping[str, str],
    lang: Lang,
) -> html.Tr:
    """A review's row: its id, cells, and its form (note, department for a routing, buttons)."""
    subject, kind, gu, proposal, waited = cells
    review = item.id
    form: list[Any] = [
        html.Label(figures.label("note_for", lang, review=review), htmlFor=note_id(review)),
        html.Textarea(
            id=note_id(review),
            maxLength=MAX_NOTE,
            rows=2,
            className="review-note",
            **panels.attrs(data_keep="note"),
        ),
    ]
    if item.is_routing:
        proposed = str(item.proposal.get("department", ""))
        choices = [html.Option(figures.label("choose_department", lang), value="")]
        choices += [
            html.Option(name, value=code)
            for code, name in sorted(departments.items(), key=lambda kv: kv[1])
            if code != proposed
        ]
        form += [
            html.Label(
                figures.label("department_for", lang, review=review),
                htmlFor=department_id(review),
            ),
            html.Select(
                choices,
                id=department_id(review),
                className="review-department",
                **panels.attrs(data_keep="department"),
            ),
        ]
    form.append(
        html.Div(
            [
                html.Button(
                    figures.label(decision, lang),
                    id={"type": DECISION, "decision": decision, "review": review},
                    n_clicks=0,
                    className=f"review-{decision}",
                    **panels.attrs(
                        aria_label=figures.label(f"{decision}_review", lang, review=review)
                    ),
                )
                for decision in DECISIONS
            ],
            className="review-buttons",
        )
    )
    return html.Tr(
        [
            html.Th(html.Code(review), scope="row"),
            html.Td(subject, className="review-subject"),
            html.Td(kind, className="review-kind"),
            html.Td(gu),
            proposal_cell(proposal),
            html.Td(waited),
            html.Td(form, className="review-form"),
        ],
        id=f"review-{review}",
    )


def request_of(value: Any) -> tuple[str, bool, str, str | None] | None:
    """(review id, approve?, note, department) from the `analytics-request` store, or None
    when it is not a well-formed request (anyone may send any JSON: docs/dashboards.md)."""
    if not isinstance(value, Mapping):
        return None
    review, decision = value.get("review"), value.get("decision")
    note, department = value.get("note", ""), value.get("department")
    if not isinstance(review, str) or not review or decision not in DECISIONS:
        return None
    if not isinstance(note, str) or not (department is None or isinstance(department, str)):
        return None
    return review, decision == "approve", note, department or None


async def decide(reader: Reader, tier: Tier, request: Any, lang: Lang) -> tuple[bool, str]:
    """Runs the decision `request` names at the viewer's key; whether it stands and what
    happened in words. Anyone below the analyst tier is refused before anything runs (the
    page is analyst-only, but a callback request can be sent by hand). Raises PreventUpdate
    for a request that names no decision."""
    parsed = request_of(request)
    if parsed is None:
        raise PreventUpdate
    if not tier.at_least(Tier.ANALYST):
        log.info("review decision refused to the %s tier", tier.value)
        return False, figures.label("refused", lang)
    review, approve, note, department = parsed
    if approve:
        answer = await reader.read(APPROVE, {"id": review, "note": note})
        result = (answer.data or {}).get("approveReview")
    else:
        variables = {"id": review, "note": note, "department": department}
        answer = await reader.read(REJECT, variables)
        result = (answer.data or {}).get("rejectReview")
    if answer.errors:
        codes = sorted(answer.codes())
        known = [c for c in codes if f"error.{c}" in figures.LABELS]
        said = figures.label(f"error.{known[0]}" if known else "error.other", lang)
        return False, f"{figures.label('failed', lang)}: {said} ({', '.join(codes)})"
    return figures.outcome(result, review, approve, lang)


def callbacks(app: Dash, reader: Reader) -> None:
    """The queue's buttons: a clientside callback gathers the row's note and department, the
    server callback decides at the tier of the request and re-reads the queue."""
    from dashboards.app import viewer_tier  # the app module lists this page: import late

    app.clientside_callback(
        ClientsideFunction(namespace="civicAnalytics", function_name="request"),
        Output("analytics-request", "data"),
        Input({"type": DECISION, "decision": ALL, "review": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("analytics-said", "data"),
        Output("analytics-queue", "children"),
        Input("analytics-request", "data"),
        State("lang", "data"),
        State("gu", "data"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    async def review_decision(
        request: Any, lang: Any, gu: Any, search: Any
    ) -> tuple[dict[str, Any], list[Any]]:
        chosen = lang_of(lang)
        tier = viewer_tier()
        stands, said = await decide(reader, tier, request, chosen)
        outcome = {"text": said, "ok": stands}
        if not tier.at_least(Tier.ANALYST):
            return outcome, [html.P(figures.label("refused", chosen), className="none")]
        district = gu if is_gu(gu) else None
        answers = await read_all(
            reader,
            {
                "queue": (QUEUE, queue_variables(district, kind_of(search))),
                "departments": (DEPARTMENTS, None),
                "districts": (DISTRICTS, None),
            },
        )
        names = gu_names(answers["districts"].data, chosen)
        body = queue_body(answers["queue"], answers["departments"], names, chosen)
        return outcome, body

    predictions.callbacks(app)

    # the frame's store outlives the page's content: a live re-render says it again (the
    # status line's own id as an input makes Dash run this when a render inserts it)
    app.clientside_callback(
        ClientsideFunction(namespace="civicAnalytics", function_name="said"),
        Output("analytics-status", "children"),
        Input("analytics-said", "data"),
        Input("analytics-status", "id"),
    )


PAGE = Page(
    "analytics",
    "nav.analytics",
    frozenset({"log", "anomalies"}),
    Tier.ANALYST,
    render,
    callbacks,
)
