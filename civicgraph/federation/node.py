"""Where the npm side lives (`gateway/`) and how to find Node.js to run its scripts."""

from __future__ import annotations

import shutil
from pathlib import Path

from civicgraph.federation.errors import NodeUnavailable
from civicgraph.settings import REPO_ROOT

GATEWAY_DIR = REPO_ROOT / "gateway"
"""The npm package: `package.json`, its lock, `scripts/`, `hive/` and `node_modules/`."""

COMPOSE_SCRIPT = GATEWAY_DIR / "scripts" / "compose.mjs"
API_SCHEMA_SCRIPT = GATEWAY_DIR / "scripts" / "api-schema.mjs"
APOLLO_GATEWAY_SCRIPT = GATEWAY_DIR / "scripts" / "apollo-gateway.mjs"
HIVE_GATEWAY_BIN = GATEWAY_DIR / "node_modules" / "@graphql-hive" / "gateway" / "dist" / "bin.js"
HIVE_GATEWAY_CONFIG = GATEWAY_DIR / "hive" / "gateway.config.mjs"

_REQUIRED_PACKAGES = ("@apollo/composition", "@apollo/gateway", "@graphql-hive/gateway")


def node_executable() -> str:
    """The path of `node`, after checking that `gateway/`'s packages are installed.

    Raises NodeUnavailable, saying what to install.
    """
    node = shutil.which("node")
    if node is None:
        raise NodeUnavailable("Node.js is not on PATH (the gateways and the composer need it)")
    modules = GATEWAY_DIR / "node_modules"
    missing = [name for name in _REQUIRED_PACKAGES if not (modules / name).is_dir()]
    if missing:
        raise NodeUnavailable(
            f"npm packages missing under {modules} ({', '.join(missing)}): "
            "run `npm ci --prefix gateway` (`make run` does)"
        )
    return node


def script_path(path: Path) -> Path:
    """`path` if it exists; NodeUnavailable otherwise (a checkout without the gateway scripts)."""
    if not path.is_file():
        raise NodeUnavailable(f"{path} is missing")
    return path
