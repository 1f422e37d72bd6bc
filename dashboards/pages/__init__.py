"""The dashboard's pages: each a `Page` with its path, title, the live topics that change it,
the lowest tier that may see it and an async `render(view)` that reads its sources and returns
its content. To add a page, copy a sibling module and list it in `PAGES`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from dashboards.i18n import Lang
from dashboards.sources import Reader
from graph.records.api_keys import Tier


@dataclass(frozen=True)
class View:
    """What one render sees: the reader's language, the gu drilled into (None: all Seoul),
    the viewer's tier and the reader of sources."""

    lang: Lang
    gu: str | None
    tier: Tier
    reader: Reader


Render = Callable[[View], Awaitable[list[Any]]]


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

    @property
    def path(self) -> str:
        return f"/dashboard/{self.slug}" if self.slug else "/dashboard/"
