"""How readings are arriving: counts by measurement time in the last minute, hour and today
(Asia/Seoul), the sensors heard from recently, and the newest reading. Things, not people:
no cell is withheld."""

from __future__ import annotations

from datetime import datetime

import strawberry

from graph.city_day import day_start
from graph.records.reading_figures import ingest_counts
from resolvers.core import clock
from resolvers.core.info import Info

RECENT_SECONDS = 600
"""`sensorsReporting` counts the sensors heard from in the last 10 minutes."""


@strawberry.type(description="Readings by their measurement time, up to the request's time.")
class IngestStatistics:
    readings_last_minute: int
    readings_last_hour: int
    readings_today: int = strawberry.field(description="Since midnight in Asia/Seoul.")
    sensors_reporting: int = strawberry.field(
        description="Distinct sensors with a reading in the last 10 minutes."
    )
    last_reading_at: datetime | None = strawberry.field(
        description="The newest reading's time (null: none yet)."
    )


async def ingest_statistics(info: Info) -> IngestStatistics:
    """One aggregate query over the readings' time index."""
    now = clock.utc_now()
    counts = await ingest_counts(info.context.records, now, day_start(now), RECENT_SECONDS)
    return IngestStatistics(
        readings_last_minute=counts.last_minute,
        readings_last_hour=counts.last_hour,
        readings_today=counts.today,
        sensors_reporting=counts.sensors_recent,
        last_reading_at=counts.newest,
    )
