"""Queries of the sensing domain."""

from __future__ import annotations

import strawberry

from resolvers.core.arguments import values
from resolvers.core.errors import not_found
from resolvers.core.info import Info
from resolvers.core.listing import located_page
from resolvers.core.pagination import Connection, PageArgs
from resolvers.sensing import air, alert_figures, ingest_figures
from resolvers.sensing.dataloaders import SensorByIdLoader
from resolvers.sensing.filters import SensorFilter
from resolvers.sensing.prefetch import with_latest_readings
from resolvers.sensing.subscriptions import AlertEvent
from resolvers.sensing.types import ReadingBucket, Sensor


@strawberry.type(name="Query")
class SensingQuery:
    @strawberry.field(description="S-DoT sensors and water-quality stations, filtered.")
    async def sensors(
        self,
        info: Info,
        filter: SensorFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Sensor]:
        f = filter or SensorFilter()
        kinds, statuses = values(f.kind or None), values(f.status or None)
        page = await located_page(
            info.context,
            "Sensor",
            Sensor.from_node,
            f,
            page=PageArgs(first, after, last, before),
            kind=kinds,
            status=statuses,
        )
        await with_latest_readings(info, [edge.node for edge in page.edges], "edges", "node")
        return page

    @strawberry.field
    async def sensor(self, info: Info, id: strawberry.ID) -> Sensor:
        node = await info.context.loader(SensorByIdLoader).load(id)
        if node is None:
            raise not_found("sensor", id, "id")
        return Sensor.from_node(node)

    # -- indicators (the mayor's dashboards; docs/api.md "Indicators") ----------------------
    air_quality: list[air.DistrictAirQuality] = strawberry.field(
        resolver=air.air_quality,
        description="Latest air and noise per gu: mean of the gu's sensors' readings in the "
        "last hour, graded by `readingBands`. All 25 gu, or the one given.",
    )
    district_readings: list[ReadingBucket] = strawberry.field(
        resolver=air.district_readings,
        description="A gu's mean of one data type over time (all its sensors pooled), "
        "avg/min/max per bucket over [from, to), like Sensor.readings.",
    )
    reading_bands: list[air.ReadingBandType] = strawberry.field(
        resolver=air.reading_bands,
        description="The bands the platform grades readings by (Korea's CAI sub-index "
        "breakpoints for PM2.5 and PM10, the noise standard by day and by night); alerts "
        "raise at them.",
    )
    alert_statistics: alert_figures.AlertStatistics = strawberry.field(
        resolver=alert_figures.alert_statistics,
        description="Alerts active now and raised today (Asia/Seoul), city-wide or in one gu.",
    )
    alerts: list[AlertEvent] = strawberry.field(
        resolver=alert_figures.alerts, description="Alerts, newest first."
    )
    ingest_statistics: ingest_figures.IngestStatistics = strawberry.field(
        resolver=ingest_figures.ingest_statistics,
        description="Readings measured in the last minute, hour and today (Asia/Seoul), and "
        "the sensors reporting.",
    )
