"""The catalogue as one in-process snapshot: every Dataset node and its publishers, read from
the graph store in keyset pages and kept for a short while, so that CKAN's search and the
DCAT pages filter, sort and page it without a query per request.

At scale 1.0 the catalogue is 4,700+ datasets, about 5 MB of nodes: one snapshot per
process, shared by all requests, never one per request. It is read again after `ttl` seconds
or once this process wrote to the graph (the store's `writes`), and at most MAX_DATASETS
datasets are held (the rest are not served, and a warning is logged).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from graph.query import NodeQuery
from graph.store import GraphStore, Node

log = logging.getLogger("civicgraph.catalogue")
READ_PAGE = 1000
"""Dataset nodes per store query while taking a snapshot."""
MAX_DATASETS = 100_000
"""Most datasets a snapshot holds: ~20× Seoul's catalogue, ~100 MB at most."""
TTL_SECONDS = 60.0
"""How long a snapshot answers before it is read again (other processes' writes show by then)."""


@dataclass(frozen=True)
class Snapshot:
    """The catalogue at one moment: `datasets` ordered by id, `by_id`, and the Department
    nodes that publish them by id (`publishers`; a department the graph lacks is absent)."""

    datasets: tuple[Node, ...]
    publishers: dict[str, Node]
    by_id: dict[str, Node] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {n["id"]: n for n in self.datasets})


class CatalogueIndex:
    """The shared snapshot of the catalogue of one graph store (see the module's docstring)."""

    def __init__(
        self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.clock = clock
        self._held: tuple[int, int, float, Snapshot] | None = None
        self._lock = asyncio.Lock()

    async def snapshot(self, store: GraphStore) -> Snapshot:
        """The current snapshot of `store`'s catalogue, read again when stale."""
        held = self._held
        if held is not None and self._fresh(held, store):
            return held[3]
        async with self._lock:  # one reader at a time; the others wait for its snapshot
            held = self._held
            if held is not None and self._fresh(held, store):
                return held[3]
            writes = store.writes
            taken = await read_snapshot(store)
            self._held = (id(store), writes, self.clock(), taken)
            return taken

    def _fresh(self, held: tuple[int, int, float, Snapshot], store: GraphStore) -> bool:
        store_id, writes, at, _ = held
        return store_id == id(store) and writes == store.writes and self.clock() - at < self.ttl


async def read_snapshot(store: GraphStore) -> Snapshot:
    """Every Dataset node (at most MAX_DATASETS) in keyset pages of READ_PAGE, and the
    Department nodes of their publishers in one query."""
    datasets: list[Node] = []
    after: str | None = None
    while len(datasets) < MAX_DATASETS:
        page = await store.find_nodes(NodeQuery("Dataset", after=after, limit=READ_PAGE))
        datasets += page
        if len(page) < READ_PAGE:
            break
        after = page[-1]["id"]
    else:
        log.warning(
            "the catalogue holds more than %d datasets: the rest are not served", MAX_DATASETS
        )
        datasets = datasets[:MAX_DATASETS]
    codes = sorted({n["publisher_code"] for n in datasets})
    found = await store.get_nodes("Department", codes)
    publishers = {code: node for code, node in zip(codes, found, strict=True) if node is not None}
    return Snapshot(tuple(datasets), publishers)
