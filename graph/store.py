"""The `GraphStore` protocol: everything the rest of CivicGraph may ask of the graph.

Cypher stays inside the adapters; callers speak in labels, keys, `NodeQuery` and `Hop`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

import pyarrow as pa

from graph.query import Hop, Link, NodeQuery

Node = dict[str, Any]


class GraphStore(Protocol):
    backend: str
    calls: int
    """Queries sent to the driver so far (for /metrics and the N+1 tests)."""
    writes: int
    """Writing statements sent through this object so far, and a LadybugDB follower's reopens
    after its writer's commits: a version for caches of what was read through it (other writes
    by other processes are not counted)."""

    async def close(self) -> None: ...

    def taking_forwarded_writes(self) -> AbstractAsyncContextManager[None]:
        """While the body runs, take the graph writes that read-only processes of the same
        embedded file forward (`graph.forwarded_writes`); nothing where every process writes
        (Neo4j) or for a read-only store."""

    async def release_memory(self) -> None:
        """Give back memory that bulk loads left held (a seed calls it between its steps);
        nothing where the backend holds none (Neo4j runs in its own process)."""

    async def create_schema(self) -> None:
        """Create node and relationship tables for the whole ontology (idempotent)."""

    async def drop_schema(self) -> None:
        """Remove every node and relationship of the ontology, and their tables."""

    async def load_nodes(self, label: str, rows: pa.Table) -> None:
        """Bulk-load nodes through the database's COPY path. Columns follow the ontology."""

    async def load_rels(self, rel: str, source: str, target: str, rows: pa.Table) -> None:
        """Bulk-load relationships; `rows` has columns `from` and `to` (node keys)."""

    async def get_nodes(self, label: str, keys: Sequence[str]) -> list[Node | None]:
        """Nodes by key, in the order of `keys`; None where there is no such node."""

    async def neighbors(self, hop: Hop, keys: Sequence[str]) -> dict[str, list[Node]]:
        """For each start key, the nodes one hop away, ordered by their key."""

    async def find_nodes(self, query: NodeQuery) -> list[Node]:
        """Nodes matching `query`, ordered by key."""

    async def find_nodes_each(
        self, query: NodeQuery, prop: str, values: Sequence[str]
    ) -> dict[str, list[Node]]:
        """For each of `values`, the nodes `query` finds among those whose `prop` equals it
        (its own page: ordered by key, cut at `query.limit`), in one query to the driver;
        an empty list for a value without any. One page per value of a to-one property:
        the first cases of each of many districts."""

    async def count_nodes(self, query: NodeQuery) -> int:
        """How many nodes match `query`, ignoring `after` and `limit`."""

    async def keys_current(self) -> bool:
        """False when the graph stores a key the ontology numbers as text (an older seed)."""

    async def count_by_label(self) -> dict[str, int]:
        """Node counts for every label of the ontology."""

    async def count_by_relationship(self) -> dict[str, int]:
        """Relationship counts for every relationship type of the ontology."""

    async def count_grouped(
        self,
        label: str,
        group_by: str,
        equals: Mapping[str, Sequence[str]],
        where_range: Mapping[str, tuple[int | None, int | None]],
    ) -> dict[str, int]:
        """Counts of `label` nodes per value of `group_by`, filtered by `equals` and ranges."""

    async def count_cells(
        self,
        label: str,
        group_by: Sequence[str],
        equals: Mapping[str, Sequence[str]],
        bands: Mapping[str, Sequence[Any]] | None = None,
    ) -> dict[tuple[Any, ...], int]:
        """Counts of `label` nodes matching `equals` per combination of the `group_by` values
        (the cells of a contingency table), as one aggregate query; empty cells are absent.

        Each of `bands` (property -> ascending edges, e.g. instants) adds a key column after
        the `group_by` values: the value's band, how many edges it reaches (0 below the first
        or without a value, len(edges) at or past the last). Raises ValueError for edges that
        are empty or not ascending."""

    async def create_node(
        self, label: str, properties: Mapping[str, Any], links: Sequence[Link] = ()
    ) -> bool:
        """Create a node with outgoing relationships in one atomic statement.

        Returns False (and creates nothing) when a link's target does not exist.
        """

    async def update_node(
        self,
        label: str,
        key: str,
        properties: Mapping[str, Any],
        *,
        unless_newer: str | None = None,
    ) -> None:
        """Set `properties` on the node `key` (nothing if there is none). With `unless_newer`
        (the name of one of `properties`, e.g. "updated_at"), skip the update when the node's
        value of that property is already after the new one: the later of racing writes wins."""

    async def relink_node(
        self, label: str, key: str, properties: Mapping[str, Any], link: Link
    ) -> bool:
        """Set `properties` on the node `key` and replace its outgoing relationships of
        `link`'s type with one to `link`'s target, in one atomic statement (a case's
        reassignment). Returns False (and changes nothing) when the node or the target does
        not exist."""

    async def delete_node(self, label: str, key: str) -> None:
        """Remove a node and its relationships."""
