"""The analytics domain as a subgraph (docs/federation.md): the city's models, their
predictions on the platform's data (and the `anomalies` subscription), and the review queue of
their outputs that affect people; it owns Model, Prediction and Review."""

from __future__ import annotations

from resolvers.analytics.errors import AnalyticsErrorCode
from resolvers.analytics.schema import AnalyticsMutation, AnalyticsQuery
from resolvers.analytics.subscriptions import AnalyticsSubscription
from resolvers.core.federation import Subgraph

ANALYTICS = Subgraph(
    "analytics",
    query=AnalyticsQuery,
    mutation=AnalyticsMutation,
    subscription=AnalyticsSubscription,
    # the code enum names the values of AnalyticsError's `code` (resolvers/core/error_interface)
    types=(AnalyticsErrorCode,),
)
