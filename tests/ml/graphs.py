"""Small graphs for the scoring tests: a few gu as District nodes, nothing else."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from graph.open import open_graph
from graph.store import GraphStore


async def graph_with_gu(path: Path, codes: Iterable[str]) -> GraphStore:
    """A new LadybugDB graph at `path` holding a District node of level gu per code (its names
    the code itself); the caller closes it."""
    graph = await open_graph(str(path))
    await graph.create_schema()
    for code in codes:
        await graph.create_node(
            "District",
            {"code": code, "level": "gu", "name_ko": code, "name_en": code, "parent_code": ""},
        )
    return graph
