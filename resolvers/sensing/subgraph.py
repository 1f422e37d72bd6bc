"""The sensing domain as a subgraph (docs/federation.md): sensors, readings and alerts; it adds
`sensors` to the city's District and Asset."""

from __future__ import annotations

from resolvers.core.federation import Subgraph
from resolvers.sensing.schema import SensingQuery
from resolvers.sensing.subscriptions import SensingSubscription
from resolvers.sensing.views import Asset, District

SENSING = Subgraph(
    "sensing", query=SensingQuery, subscription=SensingSubscription, types=(District, Asset)
)
