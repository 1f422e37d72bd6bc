"""API usage in the `data` subgraph: `apiUsage(from, to, groupBy)` by tier, and the calls that
touched each dataset (`Dataset.callCount`).

Counts come from the records (graph/records/api_usage.py) as of each worker's last flush
(`CIVIC_USAGE_FLUSH_SECONDS`). Days are Seoul calendar days, `from` and `to` inclusive.
Visibility: a developer or analyst key sees its own calls only; an operator every key's and
the public's; a caller without a key is refused (`forbidden`): which keys call what is not
public, and a public caller has no calls of its own to see. Per-dataset totals, every caller
together, are public (`Dataset.callCount`, `catalogueStatistics.apiCallsToday`).
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader

from graph.city_day import city_day
from graph.records.api_keys import Tier
from graph.records.api_usage import MAX_CLIENT, epoch_day, usage_rows
from graph.records.api_usage import UsageGroup as StoredGroup
from graph.records.api_usage import dataset_calls as stored_dataset_calls
from resolvers.core import clock
from resolvers.core.context import Context
from resolvers.core.errors import ApiError, ApiErrorCode, quoted
from resolvers.core.info import Info

MAX_USAGE_DAYS = 92
"""Longest window of `apiUsage` and `Dataset.callCount`, in Seoul days (a quarter)."""
DEFAULT_CALL_DAYS = 30


@strawberry.enum(description="What `apiUsage` rows are grouped by.")
class UsageGroup(Enum):
    DAY = "day"
    KEY = "key"
    OPERATION = "operation"
    DATASET = "dataset"


STORED = {
    UsageGroup.DAY: StoredGroup.DAY,
    UsageGroup.KEY: StoredGroup.KEY,
    UsageGroup.OPERATION: StoredGroup.OPERATION,
    UsageGroup.DATASET: StoredGroup.DATASET,
}


@strawberry.type(description="Calls summed over one group; a field is null unless grouped by.")
class ApiUsageRow:
    calls: int = strawberry.field(description="Calls (grouped by DATASET: calls touching it).")
    day: date | None = strawberry.field(description="The Seoul calendar day.")
    key: str | None = strawberry.field(
        description="The key's public prefix, or `public` for every caller without a key."
    )
    operation: str | None = strawberry.field(
        description="The GraphQL operation's name (first 64 characters; `(anonymous)` without "
        "one; `(other)` past a key's 100 distinct names of a day), or the route of another "
        "door (`/open311/v2/requests.json`)."
    )
    dataset_id: strawberry.ID | None = strawberry.field(
        description="The catalogue dataset the calls touched."
    )


@strawberry.type(description="API usage over Seoul days [from, to], as of the last flush.")
class ApiUsage:
    from_: date = strawberry.field(name="from")
    to: date
    calls: int = strawberry.field(
        description="Calls in the window you may see (grouped by DATASET: touches of datasets)."
    )
    rows: list[ApiUsageRow] = strawberry.field(
        description="At most `first` rows, ordered by day, key, operation, dataset."
    )
    truncated: bool = strawberry.field(description="More rows than `first` exist.")


def checked_days(start: date, end: date) -> tuple[int, int]:
    """(first, last) as days since 1970-01-01. Raises INVALID when `start` is after `end`,
    WINDOW_TOO_LARGE past MAX_USAGE_DAYS days."""
    if start > end:
        raise ApiError(ApiErrorCode.INVALID, "`from` is after `to`", "from")
    if (end - start).days + 1 > MAX_USAGE_DAYS:
        raise ApiError(
            ApiErrorCode.WINDOW_TOO_LARGE, f"at most {MAX_USAGE_DAYS} days of usage", "to"
        )
    return epoch_day(start), epoch_day(end)


def visible_client(context: Context, key: str | None) -> str | None:
    """The client whose usage the caller may read: its own key below the operator tier
    (`key` naming another is FORBIDDEN), `key` or every client (None) for an operator.
    Raises FORBIDDEN for a caller without a key, INVALID for a `key` too long."""
    if key is not None and not 0 < len(key) <= MAX_CLIENT:
        raise ApiError(ApiErrorCode.INVALID, f"a key prefix is 1 to {MAX_CLIENT} characters", "key")
    if context.tier is Tier.PUBLIC or context.caller_key is None:
        raise ApiError(
            ApiErrorCode.FORBIDDEN,
            "API usage is shown to the key it belongs to: call with your key "
            "(per-dataset totals are public: Dataset.callCount)",
        )
    if context.tier.at_least(Tier.OPERATOR):
        return key
    if key is not None and key != context.caller_key:
        raise ApiError(ApiErrorCode.FORBIDDEN, f"usage of key {quoted(key)}: operator only", "key")
    return context.caller_key


async def api_usage(
    info: Info,
    from_: Annotated[date, strawberry.argument(name="from", description="First Seoul day.")],
    to: Annotated[date, strawberry.argument(description="Last Seoul day (inclusive).")],
    group_by: Annotated[
        list[UsageGroup] | None,
        strawberry.argument(description="Groups, in any order; default [DAY]; [] sums all."),
    ] = None,
    key: Annotated[
        str | None,
        strawberry.argument(description="Operators: one key's prefix (or `public`)."),
    ] = None,
    first: Annotated[int, strawberry.argument(description="Most rows (1 to the page size).")] = 100,
) -> ApiUsage:
    """Usage over [from, to] grouped by `groupBy`; see the module's visibility rules. Raises
    INVALID (`from` after `to`), WINDOW_TOO_LARGE (more than MAX_USAGE_DAYS), OUT_OF_RANGE
    (`first`), FORBIDDEN (no key; another key's usage below operator)."""
    context = info.context
    if not 1 <= first <= context.limits.max_page_size:
        raise ApiError(
            ApiErrorCode.OUT_OF_RANGE,
            f"`first` is 1 to {context.limits.max_page_size}",
            "first",
        )
    client = visible_client(context, key)
    start, end = checked_days(from_, to)
    groups = [STORED[g] for g in (group_by if group_by is not None else [UsageGroup.DAY])]
    total, rows = await usage_rows(
        context.records, start, end, groups, client=client, limit=first + 1
    )
    return ApiUsage(
        from_=from_,
        to=to,
        calls=total,
        rows=[
            ApiUsageRow(
                calls=row.calls,
                day=row.day,
                key=row.client,
                operation=row.operation,
                dataset_id=strawberry.ID(row.dataset) if row.dataset is not None else None,
            )
            for row in rows[:first]
        ],
        truncated=len(rows) > first,
    )


CallWindow = tuple[str, int, int]
"""(dataset id, first Seoul day, last Seoul day), days since 1970-01-01."""


class CallCountByDatasetLoader(DataLoader[CallWindow, int]):
    """Calls that touched each dataset over its window: one query per distinct window in a
    batch (a page of datasets asking the same `days` is one query)."""

    def __init__(self, context: Context) -> None:
        super().__init__(load_fn=self._load)
        self.context = context

    async def _load(self, keys: list[CallWindow]) -> list[int]:
        windows: dict[tuple[int, int], list[str]] = {}
        for dataset, first, last in keys:
            windows.setdefault((first, last), []).append(dataset)
        found: dict[CallWindow, int] = {}
        for (first, last), datasets in windows.items():
            counts = await stored_dataset_calls(
                self.context.records, sorted(set(datasets)), first, last
            )
            for dataset in datasets:
                found[(dataset, first, last)] = counts.get(dataset, 0)
        return [found[key] for key in keys]


async def dataset_call_count(info: Info, dataset_id: str, days: int) -> int:
    """Calls that touched `dataset_id` over the last `days` Seoul days, today included.
    Raises OUT_OF_RANGE unless 1 <= days <= MAX_USAGE_DAYS."""
    if not 1 <= days <= MAX_USAGE_DAYS:
        raise ApiError(ApiErrorCode.OUT_OF_RANGE, f"`days` is 1 to {MAX_USAGE_DAYS}", "days")
    today = city_day(clock.utc_now())
    window = (dataset_id, epoch_day(today - timedelta(days=days - 1)), epoch_day(today))
    return await info.context.loader(CallCountByDatasetLoader).load(window)
