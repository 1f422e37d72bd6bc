"""What only the LadybugDB adapter does; the shared behaviour is in tests/contract."""

from __future__ import annotations

from pathlib import Path

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
