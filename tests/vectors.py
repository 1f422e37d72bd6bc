"""Where the official test vectors are: `../shared/vectors` beside the repository, or
CIVIC_VECTORS_DIR. A missing folder fails loudly: these tests must never pass by not running."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VECTORS = Path(os.environ.get("CIVIC_VECTORS_DIR", REPO.parent / "shared" / "vectors"))
MERKLE = VECTORS / "merkle"

if not MERKLE.is_dir():
    raise RuntimeError(
        f"no Merkle test vectors at {MERKLE}: clone next to ../shared or set CIVIC_VECTORS_DIR"
    )
