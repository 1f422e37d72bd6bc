"""Seeding end to end into both stores: completeness marker, reseed keeping keys."""

from __future__ import annotations

from pathlib import Path

from civicgraph.settings import Settings
from civicgraph.stores import open_stores
from graph.records import api_keys, seed_state
from graph.records.api_keys import Tier
from seeds import han_river
from seeds.seed import is_seeded, seed
from tests.conftest import SEED_UNTIL


async def test_half_done_seed_is_not_taken_for_a_seed_and_reseed_keeps_keys(tmp_path: Path) -> None:
    stores = await open_stores(Settings(data_dir=tmp_path), migrate=True)
    try:
        # given a seed that stopped after it began
        await seed_state.begin(stores.records, 0.001, 1)
        assert not await is_seeded(stores.graph, stores.records)
        key = await api_keys.create_key(stores.records, "kept", Tier.DEVELOPER)
        # when the city is seeded (again)
        counts = await seed(
            stores.graph, stores.records, scale=0.001, history_days=1, until=SEED_UNTIL
        )
        # then it is complete, at that scale only, and the key still works
        assert await is_seeded(stores.graph, stores.records)
        assert await is_seeded(stores.graph, stores.records, 0.001)
        assert not await is_seeded(stores.graph, stores.records, 0.002)
        assert counts["District"] == 25 + 467
        assert counts["Sensor"] >= 50
        # every sensor has a day of 2-minute readings but the river's, which the water feed
        # writes (ml/feeds/water.py)
        river = len(han_river.stations())
        assert counts["Reading"] == (counts["Sensor"] - river) * 720
        assert await api_keys.tier_for(stores.records, key.secret) is Tier.DEVELOPER
    finally:
        await stores.close()
