"""The subgraphs: each domain served alone as an Apollo Federation v2 subgraph.

`civicgraph serve --subgraph NAME` serves one; `civicgraph supergraph` composes them with
Apollo's composer; the merged server (`resolvers/schema.py`) joins them in process.
"""

from __future__ import annotations

from typing import Any

from graph.errors import CivicGraphError
from resolvers.analytics.subgraph import ANALYTICS
from resolvers.city.subgraph import CITY
from resolvers.core.civic_schema import SCALAR_OVERRIDES, CivicSchema, schema_extensions
from resolvers.core.federation import Subgraph
from resolvers.core.operation_guard import DEFAULT_MAX_TOKENS
from resolvers.data.subgraph import DATA
from resolvers.identity.subgraph import IDENTITY
from resolvers.sensing.subgraph import SENSING
from resolvers.services.subgraph import SERVICES
from resolvers.trust.subgraph import TRUST

SUBGRAPHS: dict[str, Subgraph] = {
    subgraph.name: subgraph
    for subgraph in (
        CITY,
        SENSING,
        SERVICES,
        DATA,
        IDENTITY,
        TRUST,
        ANALYTICS,
    )
}
"""Every subgraph by name, owners before the domains that extend their entities."""


class UnknownSubgraph(CivicGraphError):
    """A subgraph name that is not one of SUBGRAPHS."""


def subgraph_named(name: str) -> Subgraph:
    """Raises UnknownSubgraph, naming the known ones."""
    found = SUBGRAPHS.get(name)
    if found is None:
        raise UnknownSubgraph(f"no subgraph {name!r} (one of: {', '.join(SUBGRAPHS)})")
    return found


def subgraph_schema(
    name: str,
    execution_context_class: type[Any] | None = None,
    max_tokens: int = DEFAULT_MAX_TOKENS,
) -> CivicSchema:
    """The federation schema of subgraph `name`: its SDL is `.as_str()` (what `_service { sdl }`
    answers). Raises UnknownSubgraph."""
    subgraph = subgraph_named(name)
    return CivicSchema(
        query=subgraph.query,
        mutation=subgraph.mutation,
        subscription=subgraph.subscription,
        types=subgraph.types,
        execution_context_class=execution_context_class,
        scalar_overrides=SCALAR_OVERRIDES,
        extensions=schema_extensions(max_tokens),
    )
