"""The services domain as a subgraph (docs/federation.md)."""

from __future__ import annotations

from resolvers.core.federation import Subgraph
from resolvers.services.schema import ServicesMutation, ServicesQuery
from resolvers.services.subscriptions import ServicesSubscription
from resolvers.services.views import District

SERVICES = Subgraph(
    "services",
    query=ServicesQuery,
    mutation=ServicesMutation,
    subscription=ServicesSubscription,
    types=(District,),
)
