"""GraphQL types of the services domain: cases (Open311 requests), their events, departments."""

from __future__ import annotations

import asyncio
import math
from datetime import datetime
from enum import StrEnum

import orjson
import strawberry

from graph.catalogue import Service as CatalogueService
from graph.records.case_events import CaseEventRow
from graph.store import Node
from resolvers.core.case_assignment import latest_review, model_assignment
from resolvers.core.dataloaders import one
from resolvers.core.entities import load_reference
from resolvers.core.errors import ApiError, ApiErrorCode
from resolvers.core.filters import GeoPoint
from resolvers.core.info import Info
from resolvers.core.pagination import DEFAULT_PAGE_SIZE
from resolvers.services.dataloaders import (
    AssetByCaseLoader,
    CaseByIdLoader,
    DepartmentByCaseLoader,
    DepartmentByIdLoader,
    EventsByCaseLoader,
    FilerByCaseLoader,
    PendingRoutingReviewByCaseLoader,
)
from resolvers.services.views import Asset, Citizen, District

DEFAULT_EVENTS = DEFAULT_PAGE_SIZE
"""Events `Case.events` returns without `first` (what its cost is computed with)."""


@strawberry.enum(description="Open311 status of a request.")
class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@strawberry.type(description="An Open311 service: a kind of complaint the city takes.")
class Service:
    code: str
    name: str
    name_ko: str
    group: str
    keywords: list[str]
    department_id: str
    deadline_hours: int

    @classmethod
    def from_catalogue(cls, svc: CatalogueService) -> Service:
        return cls(
            code=svc.code,
            name=svc.name,
            name_ko=svc.name_ko,
            group=svc.group,
            keywords=list(svc.keywords),
            department_id=svc.department,
            deadline_hours=svc.deadline_hours,
        )


@strawberry.federation.type(keys=["id"], description="A city bureau or gu office.")
class Department:
    id: strawberry.ID
    name_en: str
    name_ko: str
    district_code: str | None

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Department:
        """Federation's `_entities` door: the department by its id (NOT_FOUND if none)."""
        return cls.from_node(
            await load_reference(info, DepartmentByIdLoader, str(id), "department", "id")
        )

    @classmethod
    def from_node(cls, node: Node) -> Department:
        return cls(
            id=strawberry.ID(node["id"]),
            name_en=node["name_en"],
            name_ko=node["name_ko"],
            district_code=node["district_code"] or None,
        )

    @strawberry.field(description="The gu of a gu office.")
    def district(self) -> District | None:
        return District(code=self.district_code) if self.district_code else None


@strawberry.type(description="One change in a case's life, from the records.")
class CaseEvent:
    kind: str
    status: CaseStatus
    note: str
    department: str
    at: datetime

    @classmethod
    def from_record(cls, event: CaseEventRow) -> CaseEvent:
        return cls(
            kind=event.kind,
            status=CaseStatus(event.status),
            note=event.note,
            department=event.department,
            at=event.at,
        )


@strawberry.type(
    description="How the routing model assigned a case: the department it chose, how sure it "
    "was, and whether that department waits for an analyst (a routing below the model's "
    "confidence threshold stays provisional until an analyst approves it or names another "
    "department through the review queue)."
)
class CaseRouting:
    department: str = strawberry.field(description="The department the model chose.")
    confidence: float = strawberry.field(
        description="The model's probability of that department (0-1, 6 significant digits)."
    )
    provisional: bool = strawberry.field(
        description="True while a review of this routing is pending: the case's department "
        "may still change."
    )
    review_id: strawberry.ID | None = strawberry.field(
        description="The review of this routing: the pending one, else the decision that "
        "last assigned the case; null for a confident routing."
    )
    model_version: str = strawberry.field(description="The routing model's registry version.")


@strawberry.federation.type(keys=["id"], description="A complaint (Open311 service request).")
class Case:
    id: strawberry.ID
    service_code: str
    service_name: str
    description: str
    status: CaseStatus
    status_notes: str
    agency_responsible: str
    requested_at: datetime
    updated_at: datetime
    expected_at: datetime
    location: GeoPoint
    address: str
    district_code: str

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Case:
        """Federation's `_entities` door: the case by its id (NOT_FOUND if none)."""
        return cls.from_node(await load_reference(info, CaseByIdLoader, str(id), "case", "id"))

    @classmethod
    def from_node(cls, node: Node) -> Case:
        return cls(
            id=strawberry.ID(node["id"]),
            service_code=node["service_code"],
            service_name=node["service_name"],
            description=node["description"],
            status=CaseStatus(node["status"]),
            status_notes=node["status_notes"],
            agency_responsible=node["agency_responsible"],
            requested_at=node["requested_at"],
            updated_at=node["updated_at"],
            expected_at=node["expected_at"],
            location=GeoPoint(lat=node["lat"], lon=node["lon"]),
            address=node["address"],
            district_code=node["district_code"],
        )

    @strawberry.field
    def district(self) -> District | None:
        return District(code=self.district_code)

    @strawberry.field(description="The department the case is assigned to.")
    async def department(self, info: Info) -> Department | None:
        node = one(await info.context.loader(DepartmentByCaseLoader).load(self.id))
        return Department.from_node(node) if node else None

    @strawberry.field(
        description="How the routing model assigned the case; null when it was filed without "
        "one (its department is then its service's)."
    )
    async def routing(self, info: Info) -> CaseRouting | None:
        events, pending = await asyncio.gather(
            info.context.loader(EventsByCaseLoader).load(self.id),
            info.context.loader(PendingRoutingReviewByCaseLoader).load(self.id),
        )
        made = model_assignment(events)
        if made is None:
            return None
        confidence = made.confidence
        if pending is not None:  # the proposal holds the model's figure as proposed
            proposed = orjson.loads(pending.proposal).get("confidence")
            confidence = float(proposed) if isinstance(proposed, str) else confidence
        review_id = pending.review_id if pending is not None else latest_review(events)
        return CaseRouting(
            department=made.department,
            confidence=confidence if math.isfinite(confidence) else 0.0,
            provisional=pending is not None,
            review_id=strawberry.ID(review_id) if review_id is not None else None,
            model_version=made.model_version,
        )

    @strawberry.field(description="The asset the complaint is about, if any.")
    async def asset(self, info: Info) -> Asset | None:
        node = one(await info.context.loader(AssetByCaseLoader).load(self.id))
        return Asset(id=strawberry.ID(node["id"])) if node else None

    @strawberry.field(description="Personal: who filed it (analyst tier or above).")
    async def filed_by(self, info: Info) -> Citizen | None:
        if not info.context.sees_personal_data:
            raise ApiError(
                ApiErrorCode.FORBIDDEN, "filedBy is personal: analyst tier or above", "filedBy"
            )
        node = one(await info.context.loader(FilerByCaseLoader).load(self.id))
        return Citizen(id=strawberry.ID(node["id"])) if node else None

    @strawberry.field(
        description="The case's first events in time order: `first` of them (default "
        f"{DEFAULT_EVENTS}, at most the page size limit, 100). A case gains an event per status "
        "change, so ask for more when a case has more."
    )
    async def events(self, info: Info, first: int | None = None) -> list[CaseEvent]:
        wanted = DEFAULT_EVENTS if first is None else first
        maximum = info.context.limits.max_page_size
        if not 1 <= wanted <= maximum:
            message = f"first must be between 1 and {maximum}"
            raise ApiError(ApiErrorCode.OUT_OF_RANGE, message, "first")
        rows = await info.context.loader(EventsByCaseLoader).load(self.id)
        return [CaseEvent.from_record(e) for e in rows[:wanted]]
