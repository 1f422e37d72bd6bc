"""The services domain as a subgraph (docs/federation.md)."""

from __future__ import annotations

from resolvers.core.federation import Subgraph
from resolvers.services.errors import ServicesErrorCode
from resolvers.services.schema import ServicesMutation, ServicesQuery
from resolvers.services.subscriptions import ServicesSubscription
from resolvers.services.views import District

SERVICES = Subgraph(
    "services",
    query=ServicesQuery,
    mutation=ServicesMutation,
    subscription=ServicesSubscription,
    # the code enum names the values of ServicesError's `code` (resolvers/core/error_interface)
    types=(District, ServicesErrorCode),
)
