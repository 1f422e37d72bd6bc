"""The Dash app: one page frame, a router callback that renders the page for the viewer's
tier, language and gu, re-rendered on live events, and the chrome's label callbacks.

Built on Dash's FastAPI backend (ASGI, the server's own event loop) so that callbacks await the
platform's GraphQL schema directly; `dashboards/mount.py` mounts it under `/dashboard`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from dash import ClientsideFunction, Dash, Input, Output, State, ctx, html
from dash.exceptions import PreventUpdate

from dashboards import frame, vendor
from dashboards.i18n import Lang, lang_of, t
from dashboards.options import DashboardOptions
from dashboards.pages import (
    Page,
    View,
    analytics,
    cases,
    overview,
    polls,
    public,
    sensors,
    signin,
    trust,
)
from dashboards.pages import map as map_page
from dashboards.pages.common import DISTRICTS
from dashboards.panels import attrs
from dashboards.renders import SharedRenders
from dashboards.sources import CURRENT, Reader
from graph.errors import CivicGraphError
from graph.records.api_keys import Tier
from seeds.gu_codes import is_gu

log = logging.getLogger("civicgraph.dashboards")

ASSETS = Path(__file__).parent / "assets"
PAGES: dict[str, Page] = {
    page.slug: page
    for page in (
        overview.PAGE,
        map_page.PAGE,
        sensors.PAGE,
        cases.PAGE,
        polls.PAGE,
        trust.PAGE,
        analytics.PAGE,
        public.PAGE,
        signin.PAGE,
    )
}
"""Every page by its slug (`/dashboard/<slug>`)."""

INDEX = """<!DOCTYPE html>
<html lang="ko">
  <head>
    {%metas%}
    <title>{%title%}</title>
    {%favicon%}
    {%css%}
  </head>
  <body>
    {%app_entry%}
    <footer>
      {%config%}
      {%scripts%}
      {%renderer%}
    </footer>
  </body>
</html>"""


def viewer_tier() -> Tier:
    """The tier of the request being served (the door put it in the scope)."""
    try:
        connection = CURRENT.get()
    except LookupError:
        return Tier.PUBLIC
    tier = connection.scope.get("state", {}).get("tier", Tier.PUBLIC)
    return tier if isinstance(tier, Tier) else Tier.PUBLIC


def viewer_key_name() -> str | None:
    """The name of the signed-in key of the request being served (None for the public)."""
    try:
        connection = CURRENT.get()
    except LookupError:
        return None
    name = getattr(connection.scope.get("state", {}).get("caller"), "key_name", None)
    return name if isinstance(name, str) and name else None


def page_for(pathname: object, tier: Tier) -> Page:
    """The page a path names as `tier` sees it: the landing page is the overview for the
    mayor's office and the public page for everyone else; a page above the viewer's tier is the
    sign-in page. An unknown path is the landing page."""
    path = pathname if isinstance(pathname, str) else "/dashboard/"
    slug = path.removeprefix("/dashboard").strip("/")
    if slug == "":
        return PAGES[""] if tier.at_least(PAGES[""].min_tier) else PAGES["public"]
    page = PAGES.get(slug, PAGES[""])
    return page if tier.at_least(page.min_tier) else PAGES["signin"]


def query_of(search: str | None) -> dict[str, str]:
    """The query parameters of a `?a=1&b=2` string (the first value of each; blanks dropped)."""
    params: dict[str, str] = {}
    for name, value in parse_qsl((search or "").removeprefix("?")):
        params.setdefault(name, value)
    return params


def shows_changes(page: Page, gu: str | None, live: object) -> bool:
    """Whether a live message (dashboards/live.py: topic → the gu of its events) may change
    `page` drilled into `gu`; "*" (sent when live updates resume) changes every page."""
    topics = live.get("topics") if isinstance(live, dict) else None
    if not isinstance(topics, dict):
        return False
    if "*" in topics:
        return True
    for topic, districts in topics.items():
        if topic not in page.topics:
            continue
        if gu is None or not isinstance(districts, list) or not districts or gu in districts:
            return True
    return False


async def render_page(
    reader: Reader,
    page: Page,
    lang: Lang,
    gu: str | None,
    query: Mapping[str, str] | None = None,
    options: DashboardOptions | None = None,
) -> list[Any]:
    """The page's content; a fault of ours becomes a notice on the page (logged with its
    traceback), never a broken dashboard."""
    query = dict(query or {})
    view = View(lang, gu, viewer_tier(), reader, query, options or DashboardOptions())
    try:
        return await page.render(view)
    except CivicGraphError as error:
        log.warning("dashboard page %r: %s", page.slug, error)
    except Exception:
        log.exception("dashboard page %r failed", page.slug)
    return [html.H1(t(page.title_key, lang)), html.P(t("panel.error", lang), role="alert")]


class CivicDash(Dash):
    """Dash without its own callback websocket: the dashboards push over `/dashboard/live`, and
    Dash 4.4.1's renderer opens its websocket whenever the config names one, even with
    websocket callbacks off (plotly/dash#3939), retrying into the console."""

    def _config(self) -> dict[str, Any]:
        config: dict[str, Any] = super()._config()
        config.pop("websocket", None)
        return config


def build_dash(
    reader: Reader,
    options: DashboardOptions | None = None,
    changes: Callable[[], int] = lambda: 0,
) -> Dash:
    """A new Dash app at `/dashboard/` reading through `reader` (one per server app), with the
    server's `options` (default: no tile service, this checkout's gateway/node_modules)."""
    options = options or DashboardOptions()
    app = CivicDash(
        __name__,
        backend="fastapi",
        url_base_pathname="/dashboard/",
        assets_folder=str(ASSETS),
        serve_locally=True,
        title=t("app.title", "ko"),
        update_title=None,  # type: ignore[arg-type]
        index_string=INDEX,
        external_scripts=[vendor.PLOTLY, vendor.KOREAN_CHARTS],
        suppress_callback_exceptions=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.layout = frame.layout()
    vendor.serve(app, options.node_modules)
    _callbacks(app, reader, options, changes)
    for page in PAGES.values():
        if page.callbacks is not None:
            page.callbacks(app, reader)
    return app


def _callbacks(
    app: Dash, reader: Reader, options: DashboardOptions, changes: Callable[[], int]
) -> None:
    renders = SharedRenders()

    @app.callback(
        Output("lang", "data"),
        Input("lang-ko", "n_clicks"),
        Input("lang-en", "n_clicks"),
        prevent_initial_call=True,
    )
    def choose_language(_ko: int, _en: int) -> str:
        return "en" if ctx.triggered_id == "lang-en" else "ko"

    @app.callback(
        Output("page", "children"),
        Input("url", "pathname"),
        Input("lang", "data"),
        Input("gu", "data"),
        Input("live", "data"),
        Input("url", "search"),
        State("paused", "data"),
    )
    async def route(
        pathname: str | None, lang: Any, gu: Any, live: Any, search: Any, paused: Any
    ) -> list[Any]:
        page = page_for(pathname, viewer_tier())
        # a stale or hand-made gu (the store is the browser's) is all of Seoul, as a bad
        # ?type= is the default: never a page titled by it, nor a view of its own
        chosen_gu = gu if is_gu(gu) else None
        if ctx.triggered_id == "live" and (paused or not shows_changes(page, chosen_gu, live)):
            raise PreventUpdate
        query = query_of(search if isinstance(search, str) else None)
        if page is PAGES["signin"] and isinstance(pathname, str) and pathname != page.path:
            query["next"] = pathname  # back to the page asked for (the door checks it)
        chosen = lang_of(lang)
        tier = viewer_tier()

        async def compute() -> list[Any]:
            return await render_page(reader, page, chosen, chosen_gu, query, options)

        if page is PAGES["signin"]:  # no figures, and its form carries the page asked for
            content = await compute()
        else:
            # the public's pages read no query parameter: a key without them is one view
            params = tuple(sorted(query.items())) if tier is not Tier.PUBLIC else ()
            view = (page.slug, chosen, chosen_gu, tier, params)
            content = await renders.render(view, changes(), compute)
        # what assets/live.js reads to skip messages that cannot change this page
        watched = attrs(data_topics=" ".join(sorted(page.topics)), data_gu=chosen_gu or "")
        return [html.Div(content, id="page-body", **watched)]

    @app.callback(
        Output("gu-select", "children"),
        Output("gu-label", "children"),
        Input("lang", "data"),
        Input("gu", "data"),
    )
    async def gu_options(lang: Any, gu: Any) -> tuple[list[Any], str]:
        chosen = lang_of(lang)
        answer = await reader.read(DISTRICTS)
        rows = (answer.data or {}).get("districts") or []
        options = [html.Option(t("gu.all", chosen), value="", selected=not gu)]
        options += [
            html.Option(
                r["nameKo"] if chosen == "ko" else r["nameEn"],
                value=r["code"],
                selected=r["code"] == gu,
            )
            for r in rows
        ]
        return options, t("gu.label", chosen)

    nav_outputs = [Output(f"nav-{slug or 'overview'}", "children") for slug in frame.NAV]
    nav_hidden = [Output(f"navitem-{slug or 'overview'}", "hidden") for slug in frame.NAV]

    @app.callback(
        *nav_outputs,
        *nav_hidden,
        Output("app-title", "children"),
        Output("nav", "aria-label"),
        Output("lang-ko", "aria-pressed"),
        Output("lang-en", "aria-pressed"),
        Output("account", "children"),
        Output("skip", "children"),
        Input("lang", "data"),
    )
    def chrome(lang: Any) -> tuple[Any, ...]:
        chosen = lang_of(lang)
        tier = viewer_tier()
        staff = tier.at_least(Tier.ANALYST)
        labels = [t(frame.NAV_KEYS[slug], chosen) for slug in frame.NAV]
        hidden = [not staff and slug != "" for slug in frame.NAV]
        title = t("app.title" if staff else "app.public_title", chosen)
        return (
            *labels,
            *hidden,
            title,
            t("nav.label", chosen),
            str(chosen == "ko").lower(),
            str(chosen == "en").lower(),
            signin.account(tier, viewer_key_name(), chosen),
            t("skip", chosen),
        )

    @app.callback(
        Output("paused", "data"),
        Input("pause", "n_clicks"),
        State("paused", "data"),
        prevent_initial_call=True,
    )
    def toggle_pause(_clicks: int, paused: Any) -> bool:
        return not bool(paused)

    @app.callback(
        Output("live-status", "children"),
        Output("live-status", "data-state"),
        Output("pause", "children"),
        Output("pause", "aria-pressed"),
        Input("live-state", "data"),
        Input("paused", "data"),
        Input("lang", "data"),
    )
    def live_status(state: Any, paused: Any, lang: Any) -> tuple[str, str, str, str]:
        chosen = lang_of(lang)
        shown = "paused" if paused else str(state if state in ("open", "closed") else "connecting")
        button = t("live.resume" if paused else "live.pause", chosen)
        return t(f"live.{shown}", chosen), shown, button, str(bool(paused)).lower()

    app.clientside_callback(
        ClientsideFunction(namespace="civic", function_name="documentLanguage"),
        Output("sink-lang", "data"),
        Input("lang", "data"),
        Input("app-title", "children"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="civic", function_name="pauseLive"),
        Output("sink-pause", "data"),
        Input("paused", "data"),
    )
