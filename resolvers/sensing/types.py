"""GraphQL types of the sensing domain: sensors, their readings and aggregates."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, cast

import strawberry

from graph.ontology import DATA_TYPE_UNITS
from graph.records.readings import DATA_TYPES, from_epoch
from graph.store import Node
from graph.usage import SENSOR_DATASETS
from resolvers.core.dataloaders import one
from resolvers.core.entities import load_reference
from resolvers.core.errors import ApiError, ApiErrorCode
from resolvers.core.filters import GeoPoint
from resolvers.core.info import Info
from resolvers.sensing.dataloaders import (
    LatestReadingBySensorLoader,
    MountedOnBySensorLoader,
    ReadingBucketsLoader,
    SensorByIdLoader,
)
from resolvers.sensing.views import Asset, District
from resolvers.sensing.windows import checked_window


@strawberry.enum(description="What a sensor measures: the 17 S-DoT types and the water ones.")
class DataType(StrEnum):
    PM25 = "pm25"
    PM10 = "pm10"
    TEMPERATURE = "temperature"
    HUMIDITY = "humidity"
    WIND_SPEED = "wind_speed"
    WIND_DIRECTION = "wind_direction"
    ILLUMINANCE = "illuminance"
    UV_INDEX = "uv_index"
    NOISE = "noise"
    VIBRATION = "vibration"
    GLOBE_TEMPERATURE = "globe_temperature"
    NO2 = "no2"
    CO = "co"
    SO2 = "so2"
    NH3 = "nh3"
    H2S = "h2s"
    O3 = "o3"
    WATER_TEMPERATURE = "water_temperature"
    PH = "ph"
    DISSOLVED_OXYGEN = "dissolved_oxygen"
    TURBIDITY = "turbidity"
    CONDUCTIVITY = "conductivity"
    TOTAL_NITROGEN = "total_nitrogen"
    TOTAL_PHOSPHORUS = "total_phosphorus"


DATA_TYPE_OF: dict[str, DataType] = {member.value: member for member in DataType}
"""A stored column name's DataType: one dict read where `DataType(name)` goes through Enum's
metaclass (each latest reading builds one per value)."""


@strawberry.enum
class SensorKind(StrEnum):
    SDOT = "sdot"
    WATER_QUALITY = "water_quality"


@strawberry.type
class Measurement:
    data_type: DataType
    value: float
    unit: str


async def _latest_reading(loader: LatestReadingBySensorLoader, sensor_id: str) -> Reading | None:
    row = await loader.load(sensor_id)
    return Reading.from_row(row) if row else None


_COLUMNS = tuple((name, DATA_TYPE_OF[name], DATA_TYPE_UNITS[name]) for name in DATA_TYPES)
"""Each reading column's (name, DataType, unit), in the order a reading lists its values."""


def _measurement(data_type: DataType, value: float, unit: str) -> Measurement:
    """A Measurement with its three fields set, as its dataclass `__init__` would set them at
    twice the cost (keyword arguments: 273 against 117 ns): a gu's latest readings at scale
    1.0 build 1,292 of them per answer (bench/README.md, the app query at 1.0)."""
    measurement: Measurement = object.__new__(Measurement)
    measurement.data_type, measurement.value, measurement.unit = data_type, value, unit
    return measurement


@strawberry.type(description="One 2-minute record of a sensor.")
class Reading:
    sensor_id: strawberry.ID
    measured_at: datetime
    values: list[Measurement]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Reading:
        return cls(
            sensor_id=strawberry.ID(row["sensor_id"]),
            measured_at=from_epoch(int(row["measured_at"])),
            values=[
                _measurement(data_type, value, unit)
                for name, data_type, unit in _COLUMNS
                if (value := row.get(name)) is not None
            ],
        )

    @strawberry.field(description="The value of one data type, if this reading has it.")
    def value(self, data_type: DataType) -> float | None:
        for m in self.values:
            if m.data_type == data_type:
                return m.value
        return None


@strawberry.type(description="Aggregates of one data type over one time bucket.")
class ReadingBucket:
    start: datetime
    avg: float | None
    min: float | None
    max: float | None
    count: int


@strawberry.federation.type(keys=["id"], description="An S-DoT sensor or a water-quality station.")
class Sensor:
    id: strawberry.ID
    kind: SensorKind
    model: str
    serial: str
    location: GeoPoint
    district_code: str
    data_types: list[DataType]
    status: str
    installed_year: int

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Sensor:
        """Federation's `_entities` door: the sensor by its id (NOT_FOUND if none)."""
        return cls.from_node(await load_reference(info, SensorByIdLoader, str(id), "sensor", "id"))

    @classmethod
    def from_node(cls, node: Node) -> Sensor:
        return cls(
            id=strawberry.ID(node["id"]),
            kind=SensorKind(node["kind"]),
            model=node["model"],
            serial=node["serial"],
            location=GeoPoint(lat=node["lat"], lon=node["lon"]),
            district_code=node["district_code"],
            data_types=[DATA_TYPE_OF[t] for t in node["data_types"]],
            status=node["status"],
            installed_year=node["installed_year"],
        )

    @strawberry.field
    def district(self) -> District | None:
        return District(code=self.district_code)

    @strawberry.field(description="The smart pole the sensor is mounted on, if any.")
    async def mounted_on(self, info: Info) -> Asset | None:
        node = one(await info.context.loader(MountedOnBySensorLoader).load(self.id))
        return Asset(id=strawberry.ID(node["id"])) if node else None

    @strawberry.field(description="The newest reading.")
    def latest_reading(self, info: Info) -> Reading | None:
        # A plain function, so that a reading its list already loaded (`with_latest_readings`)
        # is answered without a coroutine, a task and an await per sensor: 76 per answer for a
        # gu at scale 1.0. Otherwise it hands graphql-core the load to await.
        info.context.usage.touch(SENSOR_DATASETS[self.kind.value])
        loader = info.context.loader(LatestReadingBySensorLoader)
        done, row = loader.loaded(self.id)
        if done:
            return Reading.from_row(row) if row else None
        return cast("Reading | None", _latest_reading(loader, self.id))

    @strawberry.field(description="avg/min/max of one data type per bucket over [from, to).")
    async def readings(
        self,
        info: Info,
        data_type: DataType,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        bucket_minutes: int = 60,
    ) -> list[ReadingBucket]:
        if data_type.value not in {t.value for t in self.data_types}:
            raise ApiError(
                ApiErrorCode.INVALID, f"{self.id} does not measure {data_type.value}", "dataType"
            )
        start, end = checked_window(info, from_, to, bucket_minutes)
        info.context.usage.touch(SENSOR_DATASETS[self.kind.value])
        buckets = await info.context.loader(ReadingBucketsLoader).load(
            (self.id, data_type.value, start, end, bucket_minutes * 60)
        )
        return [
            ReadingBucket(start=b.start, avg=b.avg, min=b.min, max=b.max, count=b.count)
            for b in buckets
        ]
