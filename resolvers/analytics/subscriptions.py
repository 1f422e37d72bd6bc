"""The analytics domain's subscription field: `anomalies`, each alarm a scoring run writes."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from resolvers.analytics.errors import require_analyst
from resolvers.analytics.prediction_types import Prediction, PredictionKind
from resolvers.core.feeds import feed, feed_district
from resolvers.core.info import Info
from subscriptions.anomalies import anomaly_row
from subscriptions.events import Event, Stream


@strawberry.type(name="Subscription")
class AnalyticsSubscription:
    @strawberry.subscription(
        description="Each alarm a scoring run writes (water anomalies, outbreak risks, hotspot "
        "cells), as it is written, filtered by kind and gu (analyst tier). Live only: read "
        "the current windows with `predictions`."
    )
    async def anomalies(
        self,
        info: Info,
        kinds: list[PredictionKind] | None = None,
        district: str | None = None,
    ) -> AsyncGenerator[Prediction, None]:
        require_analyst(info, "anomalies")
        gu = await feed_district(info, district)
        wanted = {k.value for k in kinds} if kinds else None

        def accepts(event: Event) -> bool:
            return wanted is None or event.data["kind"] in wanted

        async for event in feed(info, Stream.ANOMALIES, gu, accepts, None):
            yield Prediction.of(anomaly_row(event))
