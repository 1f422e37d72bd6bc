"""Open the graph store a URL names."""

from __future__ import annotations

from pathlib import Path

from graph.errors import StoreUnavailable
from graph.ladybug_store import LadybugStore
from graph.store import GraphStore


def open_graph(url: str, *, read_only: bool = False) -> GraphStore:
    """`ladybug://<path>` (or a bare path) opens the embedded LadybugDB file."""
    if url.startswith("ladybug://"):
        return LadybugStore(Path(url.removeprefix("ladybug://")), read_only=read_only)
    if "://" not in url:
        return LadybugStore(Path(url), read_only=read_only)
    scheme = url.split("://", 1)[0]
    raise StoreUnavailable(f"no graph adapter for {scheme}:// URLs (supported: ladybug://)")
