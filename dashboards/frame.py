"""The chrome around every page: skip link, title, navigation, language, gu, live status and
pause control, and the `<main>` the page renders into.

Controls are built once and never re-rendered (a language switch changes their labels through
callbacks), so keyboard focus stays where the reader left it. The gu control is a native
`<select>` (assets/live.js hands its changes to the `gu` store): Dash 4.4.1's `dcc.Dropdown`
takes focus on an `aria-hidden` input, which screen readers cannot announce (axe:
aria-hidden-focus).
"""

from __future__ import annotations

from dash import dcc, html

from dashboards.i18n import DEFAULT_LANG, t
from dashboards.panels import attrs

NAV = ("", "map", "sensors", "cases", "polls", "trust", "analytics")
NAV_KEYS = {
    "": "nav.overview",
    "map": "nav.map",
    "sensors": "nav.sensors",
    "cases": "nav.cases",
    "polls": "nav.polls",
    "trust": "nav.trust",
    "analytics": "nav.analytics",
}


def layout() -> html.Div:
    """The page skeleton: stores, header controls and the main region."""
    lang = DEFAULT_LANG
    return html.Div(
        [
            dcc.Location(id="url", refresh="callback-nav"),
            dcc.Store(id="lang", storage_type="local"),
            dcc.Store(id="live"),
            dcc.Store(id="live-state", data="connecting"),
            dcc.Store(id="paused", data=False, storage_type="session"),
            dcc.Store(id="gu", storage_type="session"),
            dcc.Store(id="sink-lang"),
            dcc.Store(id="sink-pause"),
            # the analytics page's last decision, said again after a live re-render
            dcc.Store(id="analytics-said"),
            html.A(
                "본문 바로가기 / Skip to content", href="#page", className="skip-link", id="skip"
            ),
            html.Header(
                [
                    html.P(t("app.title", lang), id="app-title", className="app-title"),
                    html.Nav(
                        html.Ul(
                            [
                                html.Li(
                                    dcc.Link(
                                        t(NAV_KEYS[slug], lang),
                                        href=f"/dashboard/{slug}",
                                        id=f"nav-{slug or 'overview'}",
                                    ),
                                    id=f"navitem-{slug or 'overview'}",
                                )
                                for slug in NAV
                            ]
                        ),
                        id="nav",
                        **attrs(aria_label=t("nav.label", lang)),
                    ),
                    html.Div(
                        [
                            html.Div(
                                [
                                    html.Button("한국어", id="lang-ko", lang="ko", n_clicks=0),
                                    html.Button("English", id="lang-en", lang="en", n_clicks=0),
                                ],
                                role="group",
                                id="lang-group",
                                className="lang",
                                **attrs(aria_label="언어 / Language"),
                            ),
                            html.Label(t("gu.label", lang), htmlFor="gu-select", id="gu-label"),
                            html.Select(
                                [html.Option(t("gu.all", lang), value="")],
                                id="gu-select",
                                className="gu-select",
                            ),
                            html.Button(
                                t("live.pause", lang),
                                id="pause",
                                n_clicks=0,
                                className="pause",
                                **attrs(aria_pressed="false"),
                            ),
                            html.P(
                                t("live.connecting", lang),
                                id="live-status",
                                role="status",
                                className="live-status",
                                **attrs(data_state="connecting"),
                            ),
                            html.Div(id="account", className="account"),
                        ],
                        className="controls",
                    ),
                ],
                className="top",
            ),
            html.Main(id="page", tabIndex="-1"),
        ],
        className="frame",
    )
