"""The trust domain as a subgraph (docs/federation.md)."""

from __future__ import annotations

from resolvers.core.federation import Subgraph
from resolvers.trust.schema import TrustMutation, TrustQuery

TRUST = Subgraph("trust", query=TrustQuery, mutation=TrustMutation)
