"""Filing a complaint and changing its status: shared by GraphQL and the Open311 endpoint.

The case and its relationships are created by one graph statement; the case event follows in
the records. Should the event fail, the case is removed again, so a case never exists without
its "received" event.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graph.catalogue import service
from graph.records.case_events import CaseEventRow, delete_event, record_event, record_events
from graph.store import Node
from resolvers.core.context import Context
from resolvers.services.errors import ServicesErrorCode, ServicesProblem
from resolvers.services.types import CaseStatus
from subscriptions.streams import case_event

MAX_DESCRIPTION = 4000  # Open311 GeoReport v2


@dataclass(frozen=True)
class NewCase:
    service_code: str
    description: str
    lat: float
    lon: float
    address: str = ""


def new_case_id() -> str:
    return f"case-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(5)}"


async def file_case(context: Context, request: NewCase) -> Node:
    svc = service(request.service_code)
    if svc is None:
        raise ServicesProblem(
            ServicesErrorCode.UNKNOWN_SERVICE, f"no service {request.service_code!r}", "serviceCode"
        )
    description = request.description.strip()
    if not description or len(description) > MAX_DESCRIPTION:
        raise ServicesProblem(
            ServicesErrorCode.INVALID,
            f"description must be 1-{MAX_DESCRIPTION} characters",
            "description",
        )
    if not (-90 <= request.lat <= 90 and -180 <= request.lon <= 180):
        raise ServicesProblem(ServicesErrorCode.INVALID, "lat/long out of range", "lat")
    gu = context.locator.gu_at(request.lat, request.lon)
    if gu is None:
        raise ServicesProblem(ServicesErrorCode.OUTSIDE_CITY, "the location is not in Seoul", "lat")
    now = datetime.now(UTC)
    case_id = new_case_id()
    properties = {
        "id": case_id,
        "service_code": svc.code,
        "service_name": svc.name,
        "description": description,
        "status": CaseStatus.OPEN.value,
        "status_notes": "",
        "agency_responsible": svc.department,
        "requested_at": now,
        "updated_at": now,
        "expected_at": now + timedelta(hours=svc.deadline_hours),
        "lat": request.lat,
        "lon": request.lon,
        "district_code": gu,
        "address": request.address.strip()[:500],
    }
    links = [("LOCATED_IN", "District", gu), ("ASSIGNED_TO", "Department", svc.department)]
    if not await context.store.create_node("Case", properties, links):
        raise RuntimeError(f"case {case_id} was not created: a link target is missing")
    opened = CaseStatus.OPEN.value
    events = [
        CaseEventRow(0, case_id, gu, "received", opened, "", "", "", now),
        CaseEventRow(0, case_id, gu, "assigned", opened, "", svc.department, "", now),
    ]
    try:
        stored = await record_events(context.records, events)
    except Exception:
        await context.store.delete_node("Case", case_id)
        raise
    await publish(context, stored)
    return properties


async def publish(context: Context, events: list[CaseEventRow]) -> None:
    """Tell `caseUpdates` subscribers; the events are already in the records."""
    if context.live is not None:
        await context.live.bus.publish([case_event(e) for e in events])


async def change_status(
    context: Context, case: Node, status: CaseStatus, note: str, actor: str
) -> Node:
    now = datetime.now(UTC)
    changes = {"status": status.value, "status_notes": note.strip()[:1000], "updated_at": now}
    event = await record_event(
        context.records,
        case["id"],
        "status_changed",
        status.value,
        now,
        district_code=case["district_code"],
        note=note,
        actor=actor,
    )
    try:
        await context.store.update_node("Case", case["id"], changes)
    except Exception:
        await delete_event(context.records, event.id)
        raise
    await publish(context, [event])
    return {**case, **changes}
