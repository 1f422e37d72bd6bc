"""The analytics domain as a subgraph (docs/federation.md): the city's models and the review
queue of their outputs that affect people; it owns Model and Review."""

from __future__ import annotations

from resolvers.analytics.errors import AnalyticsErrorCode
from resolvers.analytics.schema import AnalyticsMutation, AnalyticsQuery
from resolvers.core.federation import Subgraph

ANALYTICS = Subgraph(
    "analytics",
    query=AnalyticsQuery,
    mutation=AnalyticsMutation,
    # the code enum names the values of AnalyticsError's `code` (resolvers/core/error_interface)
    types=(AnalyticsErrorCode,),
)
