"""The city's ontology as code: node types, their keys and properties, and relationship types.

Adapters create their schema from these definitions, the seed writes rows shaped by them, and
resolvers read the `personal` flag to keep personal fields away from lower tiers. Keys are the
ones Federation uses (`District` by `code`, everything else by `id`), so splitting the API into
subgraphs needs no renaming.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from graph.numbered_key import NumberedKey


class PropertyType(StrEnum):
    STRING = "STRING"
    INT = "INT64"
    FLOAT = "DOUBLE"
    BOOL = "BOOL"
    TIMESTAMP = "TIMESTAMP"
    STRING_LIST = "STRING[]"


@dataclass(frozen=True)
class Property:
    name: str
    type: PropertyType
    personal: bool = False
    """Personal data: served only to analyst and operator tiers."""


@dataclass(frozen=True)
class NodeType:
    label: str
    key: str
    properties: tuple[Property, ...]
    numbered: NumberedKey | None = None
    """Set when the key is stored as a number (its property typed INT) and shown as this id
    (`graph.numbered_key`): the shared Cypher and the loads convert at the store's edge."""

    def __post_init__(self) -> None:
        # a read returns one column per property: a name twice would be one expression twice,
        # which LadybugDB 0.22 crashes on in a UNION ALL (cypher.find_nodes_each)
        if len(set(self.property_names)) != len(self.properties):
            raise ValueError(f"{self.label} names a property twice")

    @cached_property
    def property_names(self) -> tuple[str, ...]:
        """The properties' names, in order: read for every node a query returns."""
        return tuple(p.name for p in self.properties)

    @property
    def personal_fields(self) -> frozenset[str]:
        return frozenset(p.name for p in self.properties if p.personal)


@dataclass(frozen=True)
class RelType:
    name: str
    pairs: tuple[tuple[str, str], ...]
    """(source label, target label) pairs this relationship may connect."""


S, INT, F, B, T, L = (
    PropertyType.STRING,
    PropertyType.INT,
    PropertyType.FLOAT,
    PropertyType.BOOL,
    PropertyType.TIMESTAMP,
    PropertyType.STRING_LIST,
)


def _props(
    *spec: tuple[str, PropertyType] | tuple[str, PropertyType, bool],
) -> tuple[Property, ...]:
    return tuple(Property(*item) for item in spec)


_GEO = (("lat", F), ("lon", F), ("district_code", S))

DISTRICT = NodeType(
    "District",
    "code",
    _props(
        ("code", S),
        ("level", S),  # "gu" or "dong"
        ("name_ko", S),
        ("name_en", S),
        ("parent_code", S),  # the gu of a dong; "" for a gu
        ("lat", F),
        ("lon", F),
        ("area_km2", F),
        ("population", INT),
        ("boundary", S),  # GeoJSON geometry, WGS84
    ),
)
CITIZEN = NodeType(
    "Citizen",
    "id",
    _props(
        ("id", INT),  # stored as its number; the API's id is `cz-` and 16 hex digits
        ("district_code", S),
        ("dong_code", S, True),
        ("birth_year", INT, True),
        ("sex", S, True),
        ("welfare_eligible", B, True),
    ),
    numbered=NumberedKey("cz-"),
)
ASSET = NodeType(
    "Asset",
    "id",
    _props(("id", S), ("kind", S), ("name", S), *_GEO, ("status", S), ("installed_year", INT)),
)
SENSOR = NodeType(
    "Sensor",
    "id",
    _props(
        ("id", S),
        ("kind", S),
        ("model", S),
        ("serial", S),
        *_GEO,
        ("data_types", L),
        ("status", S),
        ("installed_year", INT),
    ),
)
DATASET = NodeType(
    "Dataset",
    "id",
    _props(
        ("id", S),
        ("title_ko", S),
        ("title_en", S),
        ("description", S),
        ("theme", S),
        ("publisher_code", S),
        ("license", S),
        ("accrual_periodicity", S),
        ("formats", L),
        ("keywords", L),
        ("issued", T),
        ("modified", T),
        ("landing_page", S),
    ),
)
CASE = NodeType(
    "Case",
    "id",
    _props(
        ("id", S),
        ("service_code", S),
        ("service_name", S),
        ("description", S),
        ("status", S),  # Open311: "open" | "closed"
        ("status_notes", S),
        ("agency_responsible", S),
        ("requested_at", T),
        ("updated_at", T),
        ("expected_at", T),
        *_GEO,
        ("address", S),
    ),
)
DEPARTMENT = NodeType(
    "Department",
    "id",
    _props(("id", S), ("name_en", S), ("name_ko", S), ("district_code", S)),
)

NODE_TYPES: dict[str, NodeType] = {
    t.label: t for t in (DISTRICT, CITIZEN, ASSET, SENSOR, DATASET, CASE, DEPARTMENT)
}

LIVES_IN = RelType("LIVES_IN", (("Citizen", "District"),))
LOCATED_IN = RelType(
    "LOCATED_IN",
    (
        ("District", "District"),  # dong in gu
        ("Asset", "District"),
        ("Sensor", "District"),
        ("Case", "District"),
        ("Department", "District"),
    ),
)
MOUNTED_ON = RelType("MOUNTED_ON", (("Sensor", "Asset"), ("Asset", "Asset")))
MEASURES = RelType("MEASURES", (("Sensor", "Dataset"),))
PUBLISHES = RelType("PUBLISHES", (("Department", "Dataset"),))
DERIVED_FROM = RelType("DERIVED_FROM", (("Dataset", "Dataset"),))
FILED = RelType("FILED", (("Citizen", "Case"),))
CONCERNS = RelType("CONCERNS", (("Case", "Asset"),))
ASSIGNED_TO = RelType("ASSIGNED_TO", (("Case", "Department"),))
ADJACENT_TO = RelType("ADJACENT_TO", (("District", "District"),))

REL_TYPES: dict[str, RelType] = {
    r.name: r
    for r in (
        LIVES_IN,
        LOCATED_IN,
        MOUNTED_ON,
        MEASURES,
        PUBLISHES,
        DERIVED_FROM,
        FILED,
        CONCERNS,
        ASSIGNED_TO,
        ADJACENT_TO,
    )
}

ASSET_KINDS = ("smart_pole", "wifi_ap", "cctv", "structure", "parking_lot", "waste_bin")
SENSOR_KINDS = ("sdot", "water_quality")

SDOT_DATA_TYPES = (
    "pm25",
    "pm10",
    "temperature",
    "humidity",
    "wind_speed",
    "wind_direction",
    "illuminance",
    "uv_index",
    "noise",
    "vibration",
    "globe_temperature",
    "no2",
    "co",
    "so2",
    "nh3",
    "h2s",
    "o3",
)
"""The 17 S-DoT data types, as the Open API fields give them (seoul-domain-facts.md §1)."""

WATER_DATA_TYPES = (
    "water_temperature",
    "ph",
    "dissolved_oxygen",
    "turbidity",
    "conductivity",
    "total_nitrogen",
    "total_phosphorus",
)
"""What a water-quality station reports (nitrogen and phosphorus as total N and total P)."""

DATA_TYPE_UNITS: dict[str, str] = {
    "pm25": "µg/m³",
    "pm10": "µg/m³",
    "temperature": "°C",
    "humidity": "%",
    "wind_speed": "m/s",
    "wind_direction": "°",
    "illuminance": "lux",
    "uv_index": "UV",
    "noise": "dB",
    "vibration": "mm/s",
    "globe_temperature": "°C",
    "no2": "ppm",
    "co": "ppm",
    "so2": "ppm",
    "nh3": "ppm",
    "h2s": "ppm",
    "o3": "ppm",
    "water_temperature": "°C",
    "ph": "pH",
    "dissolved_oxygen": "mg/L",
    "turbidity": "NTU",
    "conductivity": "µS/cm",
    "total_nitrogen": "mg/L",
    "total_phosphorus": "mg/L",
}

DATA_TYPE_RANGES: dict[str, tuple[float, float]] = {
    "pm25": (0, 1500),
    "pm10": (0, 1500),
    "temperature": (-30, 45),
    "humidity": (0, 100),
    "wind_speed": (0, 30),
    "wind_direction": (0, 359.9),
    "illuminance": (0, 120000),
    "uv_index": (0, 15),
    "noise": (35, 85),
    "vibration": (0, 50),
    "globe_temperature": (-30, 60),
    "no2": (0, 1),
    "co": (0, 50),
    "so2": (0, 1),
    "nh3": (0, 1),
    "h2s": (0, 1),
    "o3": (0, 1),
    "water_temperature": (0, 35),
    "ph": (5, 10),
    "dissolved_oxygen": (0, 20),
    "turbidity": (0, 1000),
    "conductivity": (0, 2000),
    "total_nitrogen": (0, 50),
    "total_phosphorus": (0, 10),
}
"""Physically possible values: the S-DoT raw ranges (seoul-domain-facts.md §1) and water ones.

Ingest refuses values outside them; the simulator and the history stay inside them.
"""

DATASET_THEMES = (
    "transportation",
    "environment",
    "safety",
    "economy",
    "culture",
    "health",
    "welfare",
    "urban-planning",
    "administration",
)
"""Open Data Plaza categories (seoul-digital-government.txt, big data and AI analytics)."""
