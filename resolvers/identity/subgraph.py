"""The identity domain as a subgraph (docs/federation.md)."""

from __future__ import annotations

from resolvers.core.federation import Subgraph
from resolvers.identity.schema import IdentityMutation, IdentityQuery
from resolvers.identity.subscriptions import IdentitySubscription

IDENTITY = Subgraph(
    "identity", query=IdentityQuery, mutation=IdentityMutation, subscription=IdentitySubscription
)
