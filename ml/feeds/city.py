"""What a feed asks of the seeded city's graph."""

from __future__ import annotations

from graph.query import NodeQuery
from graph.store import GraphStore


async def seeded_gu(graph: GraphStore) -> tuple[str, ...]:
    """The codes of the gu the graph holds (District nodes of level "gu"), sorted."""
    nodes = await graph.find_nodes(NodeQuery("District", equals={"level": ["gu"]}))
    return tuple(sorted({str(node["code"]) for node in nodes}))
