"""The services domain's subscription field: `caseUpdates`."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import ClassVar

import strawberry

from resolvers.core.feeds import event_after, feed, feed_district
from resolvers.core.info import Info
from resolvers.services.types import CaseStatus
from subscriptions.events import Event, Stream


@strawberry.type(description="A change to a complaint: received, assigned, status changed.")
class CaseUpdate:
    SHARED_WITH_EVERY_SUBSCRIBER: ClassVar[bool] = True
    """No field depends on who asks: one execution answers every subscriber."""

    id: strawberry.ID
    case_id: strawberry.ID
    district_code: str
    kind: str
    status: CaseStatus
    note: str
    department: str
    at: datetime

    @classmethod
    def from_event(cls, event: Event) -> CaseUpdate:
        data = event.data
        return cls(
            id=strawberry.ID(str(event.id)),
            case_id=strawberry.ID(data["case_id"]),
            district_code=data["district_code"],
            kind=data["kind"],
            status=CaseStatus(data["status"]),
            note=data["note"],
            department=data["department"],
            at=datetime.fromisoformat(data["at"]),
        )


@strawberry.type(name="Subscription")
class ServicesSubscription:
    @strawberry.subscription(description="Case events: filed, assigned, status changed.")
    async def case_updates(
        self,
        info: Info,
        district: str | None = None,
        status: CaseStatus | None = None,
        after: strawberry.ID | None = None,
    ) -> AsyncGenerator[CaseUpdate, None]:
        gu, resume = await feed_district(info, district), event_after(after)

        def accepts(event: Event) -> bool:
            return status is None or event.data["status"] == status.value

        async for event in feed(info, Stream.CASES, gu, accepts, resume):
            yield CaseUpdate.from_event(event)
