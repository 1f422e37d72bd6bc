"""DataLoader bases over the graph: nodes by key and neighbours by key, batched per request."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from strawberry.dataloader import DataLoader

from graph.ontology import NODE_TYPES
from graph.query import Hop
from graph.store import Node

if TYPE_CHECKING:
    from resolvers.core.context import Context

K = TypeVar("K")
V = TypeVar("V")


class ContextLoader(DataLoader[K, V], ABC, Generic[K, V]):
    """A DataLoader built once per request from the context (see `Context.loader`)."""

    def __init__(self, context: Context) -> None:
        self.context = context
        super().__init__(load_fn=self.batch_load)

    def loaded(self, key: K) -> tuple[bool, V | None]:
        """(True, the value) when `key`'s load has already ended with a value in this request,
        else (False, None): a resolver can then answer without awaiting
        (`resolvers/sensing/prefetch.py`)."""
        future = self.cache_map.get(key)
        if future is None or not future.done() or future.cancelled():
            return False, None
        if future.exception() is not None:
            return False, None
        return True, future.result()

    @abstractmethod
    async def batch_load(self, keys: list[K]) -> Sequence[V | BaseException]:
        """Values for `keys`, in key order; an exception in a key's slot fails that key's
        load alone (STYLE.md, "Errors")."""


class NodeByKeyLoader(ContextLoader[str, Node | None]):
    """Nodes of `label` by key; None for a key with no node. A node the request already
    loaded as a neighbour (`Context.known_nodes`) is not read again: a domain that returns its
    view of another domain's entity it found by a relationship (`Case.asset`) costs the owner's
    `resolve_reference` no store call."""

    label: ClassVar[str]

    async def batch_load(self, keys: list[str]) -> Sequence[Node | None]:
        known = self.context.known_nodes
        missing = [key for key in keys if (self.label, key) not in known]
        read = await self.context.store.get_nodes(self.label, missing) if missing else []
        found = dict(zip(missing, read, strict=True))
        return [known[(self.label, key)] if key not in found else found[key] for key in keys]


class NeighborsByKeyLoader(ContextLoader[str, list[Node]]):
    """Nodes one `hop` away from each key, ordered by their key; each remembered in
    `Context.known_nodes` by its label and key."""

    hop: ClassVar[Hop]

    async def batch_load(self, keys: list[str]) -> Sequence[list[Node]]:
        found = await self.context.store.neighbors(self.hop, keys)
        label = self.hop.target
        key_name = NODE_TYPES[label].key
        known = self.context.known_nodes
        for nodes in found.values():
            for node in nodes:
                known[(label, str(node[key_name]))] = node
        return [found[key] for key in keys]


def one(nodes: list[Node]) -> Node | None:
    """The single neighbour of a to-one relationship, if any."""
    return nodes[0] if nodes else None


__all__ = ["ContextLoader", "NeighborsByKeyLoader", "NodeByKeyLoader", "one"]


class DistrictByCodeLoader(NodeByKeyLoader):
    """Districts (gu and dong) by code: every domain checks the gu codes its filters name."""

    label = "District"
