"""The dashboard's pages: each a `Page` with its path, title, the live topics that change it,
the lowest tier that may see it and an async `render(view)` that reads its sources and returns
its content. To add a page, copy a sibling module and list it in `PAGES`.

A page's own controls (a data type, a sensor) set query parameters: a native `<select>` with
the attribute `param(name)` writes its value to the address's query string (`?name=value`,
dashboards/assets/params.js) and the page renders from `View.query`, so a live re-render keeps
the reader's choice and a link keeps it too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dash import Dash

from dashboards.i18n import Lang
from dashboards.options import DashboardOptions
from dashboards.sources import Reader
from graph.records.api_keys import Tier


@dataclass(frozen=True)
class View:
    """What one render sees: the reader's language, the gu drilled into (None: all Seoul),
    the viewer's tier, the reader of sources, the query parameters and the server's options."""

    lang: Lang
    gu: str | None
    tier: Tier
    reader: Reader
    query: Mapping[str, str] = field(default_factory=dict)
    """The page URL's query parameters (first value of each), e.g. `poll` on the polls page:
    a page's own choices that links can carry and readers can bookmark."""
    options: DashboardOptions = field(default_factory=DashboardOptions)
    """The server's settings for the dashboards (e.g. the map's tile service)."""


def param(name: str) -> dict[str, Any]:
    """The attribute that makes a native `<select>` set query parameter `name` to its value
    on change (dashboards/assets/params.js)."""
    return {"data-param": name}


Render = Callable[[View], Awaitable[list[Any]]]
Callbacks = Callable[[Dash, Reader], None]
"""Registers a page's own callbacks (buttons that act, not parameters) on the app."""


@dataclass(frozen=True)
class Page:
    """One page at `/dashboard/<slug>` ("" for the landing page)."""

    slug: str
    title_key: str
    """i18n key of its title (dashboards/i18n.py)."""
    topics: frozenset[str]
    """Live topics (dashboards/live.py) whose events change its figures."""
    min_tier: Tier
    render: Render
    callbacks: Callbacks | None = None

    @property
    def path(self) -> str:
        return f"/dashboard/{self.slug}" if self.slug else "/dashboard/"
