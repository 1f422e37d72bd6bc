"""Composition: each subgraph's SDL, composed into a supergraph by Apollo's composer (npm).

The SDL is taken in process from `resolvers.subgraphs.subgraph_schema(name).as_str()`, the same
text `{ _service { sdl } }` answers; `gateway/scripts/compose.mjs` runs `composeServices` from
`@apollo/composition` over it and reports errors and hints as JSON.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass

from civicgraph.federation.errors import CompositionFailed, FederationError
from civicgraph.federation.node import (
    API_SCHEMA_SCRIPT,
    COMPOSE_SCRIPT,
    node_executable,
    script_path,
)
from civicgraph.federation.plan import SubgraphAddress

COMPOSE_TIMEOUT_S = 300


@dataclass(frozen=True)
class SubgraphSource:
    """A subgraph's name, the URL the gateway will call it at, and its SDL."""

    name: str
    url: str
    sdl: str


@dataclass(frozen=True)
class CompositionHint:
    """A composer hint: `code` as in @apollo/composition's HINTS, `level` WARN, INFO or DEBUG."""

    code: str
    level: str
    message: str


@dataclass(frozen=True)
class Composition:
    """A successful composition: the supergraph SDL and the composer's hints."""

    supergraph_sdl: str
    hints: list[CompositionHint]


def subgraph_sources(addresses: Iterable[SubgraphAddress]) -> list[SubgraphSource]:
    """The SDL of each addressed subgraph, from its schema in this process.

    Raises UnknownSubgraph (a CivicGraphError) for a name that is not a subgraph.
    """
    from resolvers.subgraphs import subgraph_schema

    return [SubgraphSource(a.name, a.url, subgraph_schema(a.name).as_str()) for a in addresses]


def compose(sources: list[SubgraphSource]) -> Composition:
    """Compose `sources` with `@apollo/composition` through `node gateway/scripts/compose.mjs`.

    Raises CompositionFailed with every error the composer gives (nothing is written),
    NodeUnavailable when Node.js or the npm packages are missing, FederationError when the
    script itself fails.
    """
    node = node_executable()
    payload = json.dumps([{"name": s.name, "url": s.url, "sdl": s.sdl} for s in sources])
    try:
        done = subprocess.run(
            [node, str(script_path(COMPOSE_SCRIPT))],
            input=payload,
            capture_output=True,
            text=True,
            timeout=COMPOSE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise FederationError(f"composition took longer than {COMPOSE_TIMEOUT_S} s") from None
    report = _report(done)
    errors = [(str(e.get("code", "")), str(e.get("message", ""))) for e in report["errors"]]
    if done.returncode != 0 or errors:
        raise CompositionFailed(errors or [("COMPOSITION_ERROR", f"exit {done.returncode}")])
    hints = [
        CompositionHint(str(h.get("code", "")), str(h.get("level", "")), str(h.get("message", "")))
        for h in report["hints"]
    ]
    sdl = report.get("supergraphSdl")
    if not isinstance(sdl, str) or not sdl.strip():
        raise FederationError("the composer gave no supergraph")
    return Composition(supergraph_sdl=sdl, hints=hints)


def api_schema(supergraph_sdl: str) -> str:
    """The API schema a gateway serves for `supergraph_sdl` (federation's own types, directives
    and join metadata removed), types sorted by name, as SDL: `gateway/scripts/api-schema.mjs`
    over `@apollo/federation-internals`. Raises FederationError, NodeUnavailable."""
    node = node_executable()
    with tempfile.NamedTemporaryFile("w", suffix=".graphql", encoding="utf-8") as file:
        file.write(supergraph_sdl)
        file.flush()
        done = subprocess.run(
            [node, str(script_path(API_SCHEMA_SCRIPT)), file.name],
            capture_output=True,
            text=True,
            timeout=COMPOSE_TIMEOUT_S,
            check=False,
        )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise FederationError(f"api-schema.mjs failed (exit {done.returncode}): {last}")
    return done.stdout


def _report(done: subprocess.CompletedProcess[str]) -> dict[str, list[dict[str, object]]]:
    """compose.mjs's JSON report; FederationError when stdout is not one."""
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise FederationError(f"compose.mjs failed (exit {done.returncode}): {last}") from None
    if not isinstance(report, dict) or not all(
        isinstance(report.get(key), list) and all(isinstance(item, dict) for item in report[key])
        for key in ("errors", "hints")
    ):
        raise FederationError("compose.mjs printed an unexpected report")
    return report
