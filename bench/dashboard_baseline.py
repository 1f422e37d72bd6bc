"""The overview's figures built without Dash (the baseline of bench.dashboard), and the router
callback request that builds them with Dash.

Without Dash: the overview's GraphQL documents (dashboards/pages/overview.py, the same sources
and variables its `render` reads, concurrently) POSTed to `/graphql` with an API key, then the
pure builders of dashboards/figures/overview.py run on the answers. With Dash: the request the
browser's renderer sends for `page.children` (the router callback) of `/dashboard/`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx

from dashboards.figures import overview as figures
from dashboards.i18n import Lang
from dashboards.pages import overview
from dashboards.pages.common import BANDS, DISTRICTS
from dashboards.sources import Source

SOURCES: dict[str, Source] = {
    "cases": overview.CASES,
    "sensing": overview.SENSING,
    "polls": overview.POLLS,
    "catalogue": overview.CATALOGUE,
    "trust": overview.TRUST,
    "districts": DISTRICTS,
    "bands": BANDS,
}
"""What `dashboards.pages.overview.render` reads (with no gu chosen: no variables)."""

CALLBACK = "/dashboard/_dash-update-component"
ROUTER = "page.children"
CHARTS = ("open-cases-by-gu", "air-by-gu")
"""The overview's chart panels (their dcc.Graph ids are `graph-<panel>`)."""


@dataclass(frozen=True)
class Built:
    """The overview's figures built from GraphQL answers: tile count and each chart's figure
    (None when its source had no rows)."""

    tiles: int
    charts: dict[str, dict[str, Any] | None]


class BenchFailure(SystemExit):
    """A request of the bench was refused or answered with errors (the run stops)."""


async def answers(client: httpx.AsyncClient, key: str) -> dict[str, dict[str, Any] | None]:
    """Every overview source's `data`, POSTed concurrently to /graphql with `key`.

    Raises BenchFailure on an HTTP error or a GraphQL error."""

    async def one(source: Source) -> dict[str, Any] | None:
        response = await client.post(
            "/graphql",
            json={"query": source.document, "operationName": source.name},
            headers={"X-API-Key": key},
        )
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise BenchFailure(f"{source.name}: {response.status_code} {response.text[:300]}")
        data: dict[str, Any] | None = body.get("data")
        return data

    names = list(SOURCES)
    got = await asyncio.gather(*(one(SOURCES[name]) for name in names))
    return dict(zip(names, got, strict=True))


def build(data: dict[str, dict[str, Any] | None], lang: Lang = "ko") -> Built:
    """The overview's tiles and both charts from the sources' answers (the pure builders)."""
    tiles = figures.tiles(
        data["cases"], data["sensing"], data["polls"], data["catalogue"], data["trust"], lang
    )
    names = figures.gu_names(data["districts"], lang)
    bands = (data["bands"] or {}).get("readingBands") or []
    cases_figure, _ = figures.open_cases_by_gu(data["cases"], names, lang)
    air_figure, _ = figures.air_by_gu(data["sensing"], bands, names, lang)
    return Built(len(tiles), {"open-cases-by-gu": cases_figure, "air-by-gu": air_figure})


async def without_dash(client: httpx.AsyncClient, key: str) -> tuple[float, Built]:
    """Seconds to fetch the overview's answers and build its figures, and what was built."""
    started = time.perf_counter()
    built = build(await answers(client, key))
    return time.perf_counter() - started, built


def router_body(dependencies: list[dict[str, Any]], live: dict[str, Any] | None = None) -> Any:
    """The JSON the renderer POSTs for the router callback of `/dashboard/` in Korean, no gu,
    not paused; `live` is the last push (None on the first render).

    `dependencies` is `/dashboard/_dash-dependencies`. Raises BenchFailure if the router is
    missing."""
    declared = next((d for d in dependencies if d["output"] == ROUTER), None)
    if declared is None:
        raise BenchFailure(f"no {ROUTER} callback in /dashboard/_dash-dependencies")
    values = {
        "url.pathname": "/dashboard/",
        "url.search": "",
        "lang.data": "ko",
        "live.data": live,
        "paused.data": False,
    }

    def items(kind: str) -> list[dict[str, Any]]:
        return [{**d, "value": values.get(f"{d['id']}.{d['property']}")} for d in declared[kind]]

    changed = "live.data" if live is not None else "url.pathname"
    return {
        "output": ROUTER,
        "outputs": {"id": "page", "property": "children"},
        "inputs": items("inputs"),
        "state": items("state"),
        "changedPropIds": [changed],
    }


async def with_dash(client: httpx.AsyncClient, body: Any) -> float:
    """Seconds for the router callback to answer `body` (the client holds the session
    cookie). Raises BenchFailure unless it answers 200 with the overview's tiles."""
    started = time.perf_counter()
    response = await client.post(CALLBACK, json=body)
    elapsed = time.perf_counter() - started
    if response.status_code != 200 or "kpi-filed_today" not in response.text:
        raise BenchFailure(f"{ROUTER}: {response.status_code} {response.text[:300]}")
    return elapsed
