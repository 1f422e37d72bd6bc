"""The catalogue snapshot: one per process, read in keyset pages, read again when stale (its
time-to-live passed, or this process wrote to the graph), never once per request."""

from __future__ import annotations

from typing import Any

import pytest

from graph.query import NodeQuery
from resolvers.data import catalogue_index
from resolvers.data.catalogue_index import CatalogueIndex


class Store:
    """A graph store of `count` datasets that counts its queries."""

    def __init__(self, count: int) -> None:
        self.datasets = [
            {"id": f"ds-{i:05d}", "publisher_code": "water" if i % 2 else "gone"}
            for i in range(count)
        ]
        self.writes = 0
        self.calls = 0

    async def find_nodes(self, query: NodeQuery) -> list[dict[str, Any]]:
        self.calls += 1
        after = [d for d in self.datasets if query.after is None or d["id"] > query.after]
        return after[: query.limit]

    async def get_nodes(self, label: str, keys: list[str]) -> list[dict[str, Any] | None]:
        self.calls += 1
        return [{"id": k, "name_en": k} if k == "water" else None for k in keys]


async def test_a_snapshot_is_read_in_pages_and_shared_until_stale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given 25 datasets read 10 at a time, and a clock we move
    monkeypatch.setattr(catalogue_index, "READ_PAGE", 10)
    store, now = Store(25), [0.0]
    index = CatalogueIndex(ttl=60, clock=lambda: now[0])
    # when it is asked twice
    first = await index.snapshot(store)  # type: ignore[arg-type]
    again = await index.snapshot(store)  # type: ignore[arg-type]
    # then it was read once: three pages and one query for the publishers
    assert again is first
    assert store.calls == 4
    assert [d["id"] for d in first.datasets] == [d["id"] for d in store.datasets]
    assert set(first.publishers) == {"water"}  # a department the graph lacks is absent
    # and it is read again once its time is up, or once this process wrote to the graph
    now[0] = 61
    assert await index.snapshot(store) is not first  # type: ignore[arg-type]
    store.writes += 1
    assert store.calls == 8
    await index.snapshot(store)  # type: ignore[arg-type]
    assert store.calls == 12


async def test_a_snapshot_holds_at_most_max_datasets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalogue_index, "READ_PAGE", 10)
    monkeypatch.setattr(catalogue_index, "MAX_DATASETS", 30)
    taken = await CatalogueIndex().snapshot(Store(45))  # type: ignore[arg-type]
    assert len(taken.datasets) == 30
