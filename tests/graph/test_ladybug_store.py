"""What only the LadybugDB adapter does; the shared behaviour is in tests/contract."""

from __future__ import annotations

import gc
from pathlib import Path

import pyarrow as pa
import pytest

from graph.errors import StoreUnavailable
from graph.ladybug_store import LadybugStore


async def test_read_only_open_of_a_missing_graph_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable):
        LadybugStore(tmp_path / "absent.lbug", read_only=True)


def test_data_type_enum_matches_the_readings_columns() -> None:
    from graph.records.readings import DATA_TYPES
    from resolvers.sensing.types import DataType

    assert [t.value for t in DataType] == list(DATA_TYPES)


async def test_a_bulk_load_keeps_no_batch_in_memory(tmp_path: Path) -> None:
    """A seed streams batches through COPY: none may stay allocated once loaded (ladybug 0.22
    keeps every Arrow table bound on a connection, so the store copies on one of its own)."""
    store = LadybugStore(tmp_path / "graph.lbug")
    try:
        await store.create_schema()
        gc.collect()
        before = pa.total_allocated_bytes()
        size = 0
        for batch in range(4):
            table = pa.table(
                {
                    "id": [f"cz-{batch}-{n:012d}" for n in range(20_000)],
                    "district_code": ["11680"] * 20_000,
                    "dong_code": ["1168010100"] * 20_000,
                    "birth_year": pa.array([1980] * 20_000, pa.int64()),
                    "sex": ["F"] * 20_000,
                    "welfare_eligible": [False] * 20_000,
                }
            )
            size = table.nbytes
            await store.load_nodes("Citizen", table)
            del table
        gc.collect()
        assert pa.total_allocated_bytes() - before < size
        assert (await store.count_by_label())["Citizen"] == 80_000
    finally:
        await store.close()
