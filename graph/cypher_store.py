"""The reads both graph adapters make the same way: shared Cypher, nodes rebuilt by the adapter."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from itertools import zip_longest
from typing import Any

from graph import cypher
from graph.ontology import NODE_TYPES, REL_TYPES, NodeType
from graph.query import Hop, NodeQuery
from graph.store import Node


class CypherReads(ABC):
    """`GraphStore` reads over `_rows` (one query to the driver) and `_node` (one node's
    columns)."""

    @abstractmethod
    async def _rows(self, text: str, params: Mapping[str, Any] | None = None) -> list[list[Any]]:
        """Run one query; its rows as lists of values."""

    @abstractmethod
    def _node(self, kind: NodeType, values: Sequence[Any]) -> Node:
        """A node from its `cypher.node_columns` as the driver returns them, as the ontology
        describes it."""

    def _shown(self, kind: NodeType, values: Sequence[Any]) -> Node:
        """A node from its columns as the API shows it: `_node`, its numbered key an id."""
        node = self._node(kind, values)
        if kind.numbered is not None:
            node[kind.key] = cypher.shown(kind, kind.key, node[kind.key])
        return node

    def _lookup(self, text: str, params: Mapping[str, Any], keys: int) -> list[list[Any]] | None:
        """The rows of a lookup by `keys` keys, answered on the calling thread without a hop
        into the driver's; None when it must go through `_rows` instead (the default)."""
        return None

    async def get_nodes(self, label: str, keys: Sequence[str]) -> list[Node | None]:
        if not keys:
            return []
        kind = cypher.node_type(label)
        unique = list(dict.fromkeys(keys))
        text, params = cypher.get_nodes(label, unique)
        rows = self._lookup(text, params, len(unique))
        if rows is None:
            rows = await self._rows(text, params)
        found = {node[kind.key]: node for node in (self._shown(kind, row) for row in rows)}
        return [found.get(k) for k in keys]

    async def neighbors(self, hop: Hop, keys: Sequence[str]) -> dict[str, list[Node]]:
        result: dict[str, list[Node]] = {k: [] for k in keys}
        if not keys:
            return result
        source, target = cypher.node_type(hop.source), cypher.node_type(hop.target)
        text, params = cypher.neighbors(hop, list(result))
        key = target.property_names.index(target.key)
        for start, *values in await self._rows(text, params):
            if values[key] is not None:  # else a start node without neighbours
                shown = cypher.shown(source, source.key, start)
                result[shown].append(self._shown(target, values))
        for nodes in result.values():
            nodes.sort(key=lambda node: node[target.key])
        return result

    async def find_nodes(self, query: NodeQuery) -> list[Node]:
        kind = cypher.node_type(query.label)
        text, params = cypher.find_nodes(query)
        return [self._shown(kind, row) for row in await self._rows(text, params)]

    async def find_nodes_each(
        self, query: NodeQuery, prop: str, values: Sequence[str]
    ) -> dict[str, list[Node]]:
        result: dict[str, list[Node]] = {value: [] for value in values}
        if not values:
            return result
        kind = cypher.node_type(query.label)
        text, params = cypher.find_nodes_each(query, prop, list(result))
        for row in await self._rows(text, params):
            node = self._shown(kind, row)
            result[node[prop]].append(node)
        return result

    async def count_nodes(self, query: NodeQuery) -> int:
        text, params = cypher.count_nodes(query)
        rows = await self._rows(text, params)
        return int(rows[0][0])

    async def keys_current(self) -> bool:
        """False when the graph holds a numbered key as text: a graph seeded before residents'
        keys were stored as numbers (2026-12-02), which the shared Cypher cannot read."""
        for kind in NODE_TYPES.values():
            if kind.numbered is not None:
                rows = await self._rows(
                    f"MATCH (n:`{kind.label}`) WHERE n.{kind.key} IS NOT NULL "
                    f"RETURN n.{kind.key} LIMIT 1"
                )
                if rows and not isinstance(rows[0][0], int):
                    return False
        return True

    async def count_by_label(self) -> dict[str, int]:
        return await self._counts("MATCH (n:`{}`) RETURN count(n)", NODE_TYPES)

    async def count_by_relationship(self) -> dict[str, int]:
        return await self._counts("MATCH ()-[r:`{}`]->() RETURN count(r)", REL_TYPES)

    async def _counts(self, pattern: str, names: Iterable[str]) -> dict[str, int]:
        """`pattern` (a count query with `{}` for the label or type) run for each name."""
        counts = {}
        for name in names:
            rows = await self._rows(pattern.format(name))
            counts[name] = int(rows[0][0])
        return counts

    async def count_grouped(
        self,
        label: str,
        group_by: str,
        equals: Mapping[str, Sequence[str]],
        where_range: Mapping[str, tuple[int | None, int | None]],
    ) -> dict[str, int]:
        kind = cypher.node_type(label)
        text, params = cypher.count_grouped(label, group_by, equals, where_range)
        return {
            str(cypher.shown(kind, group_by, group)): int(count)
            for group, count in await self._rows(text, params)
        }

    async def count_cells(
        self,
        label: str,
        group_by: Sequence[str],
        equals: Mapping[str, Sequence[str]],
        bands: Mapping[str, Sequence[Any]] | None = None,
    ) -> dict[tuple[Any, ...], int]:
        kind = cypher.node_type(label)
        text, params = cypher.count_cells(label, group_by, equals, bands)
        return {
            tuple(
                cypher.shown(kind, name, cell) for name, cell in zip_longest(group_by, row[:-1])
            ): int(row[-1])
            for row in await self._rows(text, params)
        }
