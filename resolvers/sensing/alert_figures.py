"""Alerts as indicators: how many are active now and were raised today, and the newest ones.

An alert is active while the latest row of its (sensor, data type) is not `cleared`
(subscriptions/alerts.py raises, escalates, eases and clears them). Alerts count things, not
people: no cell is withheld. "Today" is the calendar day in Asia/Seoul at request time.
"""

from __future__ import annotations

import strawberry

from graph.city_day import day_start
from graph.records.alerts import active_alert_counts, count_in_state_since, newest_alerts
from resolvers.core import clock
from resolvers.core.arguments import checked_districts
from resolvers.core.info import Info
from resolvers.core.pagination import DEFAULT_PAGE_SIZE, PageArgs, page_request
from resolvers.core.statistics import KeyCount, cells
from resolvers.sensing.subscriptions import AlertEvent
from subscriptions.alerts import RULES, AlertState, Severity


@strawberry.type(
    description="Alerts now and today; `bySeverity` and `byDataType` count the "
    "active alerts. Counts of alerts, never withheld."
)
class AlertStatistics:
    active_now: int = strawberry.field(
        description="(sensor, data type) pairs whose latest alert is not cleared."
    )
    raised_today: int = strawberry.field(
        description="Alerts raised (not escalated) since midnight in Asia/Seoul."
    )
    by_severity: list[KeyCount] = strawberry.field(description="warning, critical.")
    by_data_type: list[KeyCount] = strawberry.field(description="One row per alert rule's type.")


async def alert_statistics(info: Info, district: str | None = None) -> AlertStatistics:
    """Over the whole city, or the gu given (not_found if it names no gu)."""
    await checked_districts(info.context, [district] if district is not None else None)
    records = info.context.records
    active = await active_alert_counts(records, district)
    since = day_start(clock.utc_now())
    raised = await count_in_state_since(records, AlertState.RAISED.value, since, district)
    severities = [s.value for s in Severity]
    data_types = [rule.data_type for rule in RULES]
    by_severity = {s: sum(n for (sev, _), n in active.items() if sev == s) for s in severities}
    by_type = {t: sum(n for (_, dt), n in active.items() if dt == t) for t in data_types}
    return AlertStatistics(
        active_now=sum(active.values()),
        raised_today=raised,
        by_severity=cells(by_severity, sees_small_cells=True),
        by_data_type=cells(by_type, sees_small_cells=True),
    )


async def alerts(
    info: Info,
    district: str | None = None,
    active_only: bool | None = False,
    first: int | None = DEFAULT_PAGE_SIZE,
) -> list[AlertEvent]:
    """The newest alert rows (or, `activeOnly`, the latest row of each active alert), newest
    first; not_found for an unknown gu, out_of_range for `first` outside [1, max page size]
    (null: the default page of 20); a null `activeOnly` is false."""
    await checked_districts(info.context, [district] if district is not None else None)
    size = page_request(PageArgs(first=first), info.context.limits.max_page_size).size
    rows = await newest_alerts(
        info.context.records, district=district, active_only=bool(active_only), limit=size
    )
    return [AlertEvent.from_row(row) for row in rows]
