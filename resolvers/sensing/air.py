"""Air and noise per gu: the latest hour's means graded by the platform's bands, a gu's series
of one data type, and the bands themselves (subscriptions/bands.py, the one table)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import strawberry

from graph.ontology import SDOT_DATA_TYPES, WATER_DATA_TYPES
from graph.query import NodeQuery
from graph.records.reading_figures import DistrictMeans, district_means
from graph.records.readings import pooled_buckets
from graph.usage import SENSOR_DATASETS
from resolvers.core import clock
from resolvers.core.arguments import checked_districts
from resolvers.core.info import Info
from resolvers.sensing.dataloaders import SensorsByDistrictLoader
from resolvers.sensing.types import DataType, ReadingBucket
from resolvers.sensing.windows import checked_window
from subscriptions.bands import READING_BANDS, band_of

AIR_TYPES = ("pm25", "pm10", "noise")
LATEST = timedelta(hours=1)
"""The window of `airQuality`: readings of the last hour."""


@strawberry.type(
    description="A gu's air and noise: the mean of its sensors' readings of the "
    "last hour, each graded by `readingBands`. A value is null when no reading of it came."
)
class DistrictAirQuality:
    district_code: str
    pm25: float | None = strawberry.field(description="㎍/㎥")
    pm10: float | None = strawberry.field(description="㎍/㎥")
    noise: float | None = strawberry.field(
        description="dB(A): the energy mean of the hour's readings (Leq, ISO 1996-1), not "
        "their arithmetic mean."
    )
    pm25_band: str | None = strawberry.field(description="The `ReadingBand.name` of pm25.")
    pm10_band: str | None = strawberry.field(description="The `ReadingBand.name` of pm10.")
    noise_band: str | None = strawberry.field(
        description="The `ReadingBand.name` of noise, by the bands in force (day or night) at "
        "the newest reading."
    )
    sensors_reporting: int = strawberry.field(
        description="Sensors with a PM2.5, PM10 or noise reading in the hour."
    )
    measured_at: datetime | None = strawberry.field(description="The newest reading used.")

    @classmethod
    def of(cls, code: str, found: DistrictMeans | None, now: datetime) -> DistrictAirQuality:
        """The gu's means graded by the bands in force at its newest reading (else `now`)."""
        means = found.means if found else {}
        pm25, pm10, noise = (means.get(t) for t in AIR_TYPES)
        at = found.newest if found and found.newest else now
        return cls(
            district_code=code,
            pm25=pm25,
            pm10=pm10,
            noise=noise,
            pm25_band=band_of("pm25", pm25, at),
            pm10_band=band_of("pm10", pm10, at),
            noise_band=band_of("noise", noise, at),
            sensors_reporting=found.sensors if found else 0,
            measured_at=found.newest if found else None,
        )


@strawberry.type(
    name="ReadingBand",
    description="A band the platform grades readings by: values in [lower, upper) (upper null: "
    "no end), named and sourced as the standard does. The alert rules raise at these bands.",
)
class ReadingBandType:
    data_type: DataType
    name: str
    lower: float
    upper: float | None
    source: str
    from_hour: int | None = strawberry.field(
        description="The hour of the Seoul day (Asia/Seoul, 0-23) the band is in force from, "
        "inclusive; null when it is in force all day (noise has day and night bands)."
    )
    to_hour: int | None = strawberry.field(
        description="The hour it is in force until, exclusive; it wraps past midnight when "
        "smaller than `fromHour` (22 to 6 is the night)."
    )


async def _sensors_by_gu(info: Info, codes: list[str]) -> dict[str, str]:
    """sensor id -> gu code for every sensor located in one of `codes` (one graph query)."""
    found = await info.context.loader(SensorsByDistrictLoader).load_many(codes)
    return {node["id"]: code for code, nodes in zip(codes, found, strict=True) for node in nodes}


async def air_quality(info: Info, district: str | None = None) -> list[DistrictAirQuality]:
    """The 25 gu (ordered by code), or the one given (not_found if it names no gu)."""
    checked = await checked_districts(info.context, [district] if district is not None else None)
    if checked is None:
        gu = await info.context.store.find_nodes(NodeQuery("District", {"level": ["gu"]}))
        checked = [node["code"] for node in gu]
    now = clock.utc_now()
    info.context.usage.touch(SENSOR_DATASETS["sdot"])  # S-DoT's readings
    district_of = await _sensors_by_gu(info, checked)
    means = await district_means(info.context.records, district_of, AIR_TYPES, now - LATEST, now)
    return [DistrictAirQuality.of(code, means.get(code), now) for code in checked]


async def district_readings(
    info: Info,
    district: str,
    data_type: DataType,
    from_: Annotated[datetime, strawberry.argument(name="from")],
    to: datetime,
    bucket_minutes: int,
) -> list[ReadingBucket]:
    """Buckets of the gu's readings pooled over its sensors; the window's checks are
    Sensor.readings' (resolvers/sensing/windows.py); not_found for an unknown gu."""
    await checked_districts(info.context, [district])
    start, end = checked_window(info, from_, to, bucket_minutes)
    for kind, measured in (("sdot", SDOT_DATA_TYPES), ("water_quality", WATER_DATA_TYPES)):
        if data_type.value in measured:
            info.context.usage.touch(SENSOR_DATASETS[kind])
    sensors = list(await _sensors_by_gu(info, [district]))
    buckets = await pooled_buckets(
        info.context.records, sensors, data_type.value, start, end, bucket_minutes * 60
    )
    return [
        ReadingBucket(start=b.start, avg=b.avg, min=b.min, max=b.max, count=b.count)
        for b in buckets
    ]


def reading_bands() -> list[ReadingBandType]:
    """Every band, grouped by data type, ascending."""
    return [
        ReadingBandType(
            data_type=DataType(b.data_type),
            name=b.name,
            lower=b.lower,
            upper=b.upper,
            source=b.source,
            from_hour=b.hours[0] if b.hours else None,
            to_hour=b.hours[1] if b.hours else None,
        )
        for b in READING_BANDS
    ]
