"""What `civicgraph supergraph` writes: `NAME.graphql` per subgraph, and `supergraph.graphql`."""

from __future__ import annotations

import os
from pathlib import Path

from civicgraph.federation.compose import Composition, SubgraphSource
from civicgraph.federation.errors import FederationError

SUPERGRAPH_FILE = "supergraph.graphql"


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` whole (a temporary file renamed over it), or not at all.

    Raises FederationError when the folder cannot be written.
    """
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise FederationError(f"cannot write {path}: {error.strerror or error}") from None


def write_supergraph(
    out_dir: Path, sources: list[SubgraphSource], composition: Composition
) -> list[Path]:
    """Write each subgraph's SDL and the supergraph into `out_dir` (created); the paths written.

    Called only after a successful composition, so a failed one leaves the folder as it was.
    Raises FederationError when `out_dir` cannot be made or written.
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FederationError(f"cannot make {out_dir}: {error.strerror or error}") from None
    written: list[Path] = []
    for source in sources:
        path = out_dir / f"{source.name}.graphql"
        write_atomically(path, source.sdl if source.sdl.endswith("\n") else source.sdl + "\n")
        written.append(path)
    path = out_dir / SUPERGRAPH_FILE
    write_atomically(path, composition.supergraph_sdl)
    written.append(path)
    return written
