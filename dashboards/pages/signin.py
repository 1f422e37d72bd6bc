"""Sign-in: a plain HTML form (works without script) that posts the API key to
`/dashboard/session` (civicgraph/dashboard_door.py), and the account line of the header."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboards.i18n import Lang, t
from dashboards.pages import Page, View
from graph.records.api_keys import Tier


def form(lang: Lang, next_path: str = "/dashboard/") -> html.Form:
    return html.Form(
        [
            html.Label(t("signin.key", lang), htmlFor="signin-key"),
            dcc.Input(
                id="signin-key",
                name="key",
                type="password",
                autoComplete="current-password",
                required=True,
                maxLength=128,
            ),
            dcc.Input(type="hidden", name="next", value=next_path, id="signin-next"),
            dcc.Input(type="hidden", name="lang", value=lang, id="signin-lang"),
            html.Button(t("signin.submit", lang), type="submit"),
        ],
        action="/dashboard/session",
        method="post",
    )


async def render(view: View) -> list[Any]:
    lang = view.lang
    intro = t("signin.needed" if view.tier is not Tier.PUBLIC else "signin.intro", lang)
    return [
        html.Div(
            [
                html.H1(t("signin.title", lang)),
                html.P(intro),
                form(lang, view.query.get("next", "/dashboard/")),
                html.P(html.A(t("nav.public", lang), href="/dashboard/public")),
            ],
            className="signin",
        )
    ]


SHOWN_NAME = 40
"""Characters of a key's name the header shows (a name may have 200); the rest on hover."""


def account(tier: Tier, key_name: str | None, lang: Lang) -> Any:
    """The header's account line: the signed-in key's name (as its operator named it) and
    tier, and a sign-out button; or a sign-in link."""
    if tier is Tier.PUBLIC:
        return html.A(t("signin.title", lang), href="/dashboard/signin")
    level = t(f"tier.{tier.value}", lang)
    shown = (
        key_name if key_name is None or len(key_name) <= SHOWN_NAME else key_name[:SHOWN_NAME] + "…"
    )
    who = f"{shown} ({level})" if shown else level
    return [
        html.Span(f"{t('signin.as', lang)}: {who} ", title=key_name or level),
        html.Form(
            html.Button(t("signin.out", lang), type="submit"),
            action="/dashboard/session/end",
            method="post",
        ),
    ]


PAGE = Page("signin", "signin.title", frozenset(), Tier.PUBLIC, render)
