"""Open the graph store a URL names."""

from __future__ import annotations

from pathlib import Path

from graph.errors import StoreUnavailable
from graph.ladybug_store import LadybugStore
from graph.store import GraphStore

NEO4J_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")


def ladybug_path(url: str) -> Path | None:
    """The LadybugDB file a graph URL names (`ladybug://PATH` or a bare path); None for a URL
    of another scheme."""
    if "://" not in url:
        return Path(url)
    scheme, rest = url.split("://", 1)
    return Path(rest) if scheme == "ladybug" else None


async def open_graph(
    url: str, *, read_only: bool = False, user: str = "neo4j", password: str = ""
) -> GraphStore:
    """`ladybug://<path>` (or a bare path): the embedded LadybugDB file.

    `neo4j://host:port` or `bolt://host:port`: a Neo4j 5 server, checked to answer.
    """
    path = ladybug_path(url)
    if path is not None:
        return LadybugStore(path, read_only=read_only)
    scheme = url.split("://", 1)[0]
    if scheme in NEO4J_SCHEMES:
        # imported here: the Neo4j driver takes ~0.35 s to import, and most processes
        # (every CLI command) open LadybugDB
        from graph.neo4j_store import Neo4jStore

        return await Neo4jStore.connect(url, user=user, password=password)
    raise StoreUnavailable(
        f"no graph adapter for {scheme}:// URLs (supported: ladybug://PATH, neo4j://HOST:PORT)"
    )
