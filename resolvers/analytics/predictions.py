"""`predictions` and `predictionHistory`: the models' scores of the platform's data (analyst tier).

`predictions` reads the newest scored window of a kind (of one gu, when asked), highest score
first, in keyset pages on (score, subject). A cursor holds its window too, so the pages after
the first keep reading that window even when a scoring run writes a newer one meanwhile.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from graph.records.predictions import (
    WindowSummary,
    is_window_start,
    latest_window,
    predictions_in_window,
    window_summary,
)
from resolvers.analytics.errors import require_analyst
from resolvers.analytics.prediction_types import (
    Prediction,
    PredictionConnection,
    PredictionKind,
    history_of,
)
from resolvers.core.arguments import checked_districts
from resolvers.core.errors import ApiError, ApiErrorCode
from resolvers.core.info import Info
from resolvers.core.pagination import PageArgs, connection, page_request


def page_query(kind: str, district: str | None, alarms_only: bool) -> str:
    """What a page's cursor is valid for: the kind and the filters it was read with."""
    return f"{kind}|{district or ''}|{int(alarms_only)}"


def page_key(query: str, window_start: int, score: float, subject: str) -> str:
    """A prediction's place in its window's pages, for `query` (`page_query`):
    `<query>|<window start>|<score, repr>|<subject>` (repr gives back the same float)."""
    return f"{query}|{window_start}|{score!r}|{subject}"


def key_after(key: str, query: str) -> tuple[int, float, str]:
    """The (window_start, score, subject) of a `page_key` made for `query`. Raises BAD_CURSOR
    on `after` for anything else: a cursor of another kind, gu or alarm filter, of another
    connection, or made by hand (a window start outside the years 1970–9999 too)."""
    prefix = f"{query}|"
    start, _, rest = key.removeprefix(prefix).partition("|")
    score_text, _, subject = rest.partition("|")
    try:
        window_start, score = int(start), float(score_text)
    except ValueError:
        window_start, score = -1, math.nan
    if (
        not key.startswith(prefix)
        or not is_window_start(window_start)
        or not math.isfinite(score)
        or not subject
    ):
        raise ApiError(
            ApiErrorCode.BAD_CURSOR, "the cursor is not one of these `predictions`", "after"
        )
    return window_start, score, subject


def once(
    make: Callable[[], Awaitable[WindowSummary | None]],
) -> Callable[[], Awaitable[WindowSummary | None]]:
    """`make` run at most once, on first call, however many fields await it."""
    task: asyncio.Future[WindowSummary | None] | None = None

    async def get() -> WindowSummary | None:
        nonlocal task
        if task is None:
            task = asyncio.ensure_future(make())
        return await task

    return get


async def predictions(
    info: Info,
    kind: PredictionKind,
    district: str | None = None,
    alarms_only: bool = False,
    first: int | None = None,
    after: str | None = None,
) -> PredictionConnection:
    """The newest window of `kind` (in gu `district`), highest score first. Raises FORBIDDEN
    below the analyst tier, NOT_FOUND for a gu that is none, OUT_OF_RANGE for `first`,
    BAD_CURSOR for `after`. Records calls per page: the newest window (first page only), the
    page, and the window's summary when a count or its end or version is asked for."""
    require_analyst(info, "predictions")
    context = info.context
    request = page_request(PageArgs(first=first, after=after), context.limits.max_page_size)
    query = page_query(kind.value, district, alarms_only)
    start = key_after(request.after, query) if request.after is not None else None
    if district is not None:
        await checked_districts(context, [district])
    records = context.records
    window = start[0] if start is not None else await latest_window(records, kind.value, district)
    rows = (
        await predictions_in_window(
            records,
            kind.value,
            window,
            district_code=district,
            alarms_only=alarms_only,
            after=(start[1], start[2]) if start is not None else None,
            limit=request.size + 1,
        )
        if window is not None
        else []
    )

    async def summarise() -> WindowSummary | None:
        if window is None:
            return None
        return await window_summary(records, kind.value, window, district)

    summary = once(summarise)

    async def count() -> int:
        found = await summary()
        if found is None:
            return 0
        return found.alarms if alarms_only else found.rows

    page = connection(
        [Prediction.of(row) for row in rows],
        [page_key(query, row.window_start, row.score, row.subject) for row in rows],
        request,
        count=count,
    )
    return PredictionConnection(
        edges=page.edges,
        page_info=page.page_info,
        _count=count,
        window_start=datetime.fromtimestamp(window, UTC) if window is not None else None,
        _summary=summary,
    )


async def prediction_history(
    info: Info, kind: PredictionKind, subject: str, hours: int = 48
) -> list[Prediction]:
    """`subject`'s windows of `kind` that start in the last `hours` hours, oldest first.
    Raises FORBIDDEN below the analyst tier, OUT_OF_RANGE unless 1 <= hours <= 336."""
    require_analyst(info, "predictionHistory")
    return await history_of(info, kind.value, subject, hours)
