"""Filing a complaint and changing its status: shared by GraphQL and the Open311 endpoint.

A case lives in the graph and its events in the records, two stores that commit separately.
Each write to both first notes a write intent in the records (`graph.records.write_intents`)
and ends it in the transaction of its last records write. Filing: intent, then the case node
with its relationships (one graph statement), then the "received" and "assigned" events with
the end of the intent. A status change: the event with its intent, then the graph, then the end
of the intent. A failure on the way undoes what was written; a process killed on the way leaves
an intent that start-up repair settles (`resolvers.services.repair`), so a case never stays
without its "received" event and a stored status change always reaches the graph.

The department: when a routing model serves (`resolvers.services.routing`), the model's, from
the description, the door's channel, the gu and the filing time; else the service's. The
service code stays the filer's choice whatever the model says (it names what the complaint is
about, the model only who handles it). A routing below the model's threshold is proposed to the
review queue (`ml.review`, kind case_routing): the proposal is checked before anything is
written (one the queue would refuse files the case by service instead, logged) and stored in
the transaction of the case's first events, so a case never carries an unreviewed
low-confidence department without its pending review, and no review names a case that was not
filed or is not yet in the graph. Until an analyst decides, the case's department is
provisional (`Case.routing`).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from graph.catalogue import service
from graph.errors import ReadOnlyGraph, WriteAbandoned
from graph.records import write_intents
from graph.records.case_events import CaseEventRow, delete_event, record_events
from graph.records.reviews import ReviewRow
from graph.store import Node
from ml import review
from ml.review import Review, ReviewKind
from resolvers.core.case_assignment import confidence_note, model_actor
from resolvers.core.context import Context
from resolvers.services.errors import ServicesErrorCode, ServicesProblem
from resolvers.services.routing import GRAPHQL_CHANNEL, Routed, router_for
from resolvers.services.types import CaseStatus
from subscriptions.streams import case_event

MAX_DESCRIPTION = 4000  # Open311 GeoReport v2
CASE_FILED = "case.filed"
"""Write intent of a filing: the case node, then its first events."""
CASE_STATUS = "case.status"
"""Write intent of a status change: the event, then the case node."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewCase:
    service_code: str
    description: str
    lat: float
    lon: float
    address: str = ""
    channel: str = GRAPHQL_CHANNEL
    """The routing model's channel of the door it came through (`resolvers.services.routing`)."""


@dataclass(frozen=True)
class Filed:
    """A filed case: its node, the routing that chose its department (None without a model)
    and the pending review that holds that department back (None when confident)."""

    case: Node
    routed: Routed | None = None
    review: Review | None = None

    @property
    def provisional(self) -> bool:
        """Whether the department waits for an analyst."""
        return self.review is not None


def new_case_id() -> str:
    return f"case-{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(5)}"


async def file_case(context: Context, request: NewCase) -> Node:
    """File a complaint (see `file`); returns the case node."""
    return (await file(context, request)).case


async def file(context: Context, request: NewCase) -> Filed:
    """File a complaint: check it, route it, write the case and its first events.

    Raises ServicesProblem (UNKNOWN_SERVICE, INVALID, OUTSIDE_CITY) for the filer's mistakes,
    WriteAbandoned or the stores' errors otherwise (nothing stays written).
    """
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
    routed, proposal = _route(context, case_id, svc.code, description, request.channel, gu, now)
    pending: Review | None = None
    department = routed.routing.department if routed is not None else svc.department
    properties = {
        "id": case_id,
        "service_code": svc.code,
        "service_name": svc.name,
        "description": description,
        "status": CaseStatus.OPEN.value,
        "status_notes": "",
        "agency_responsible": department,
        "requested_at": now,
        "updated_at": now,
        "expected_at": now + timedelta(hours=svc.deadline_hours),
        "lat": request.lat,
        "lon": request.lon,
        "district_code": gu,
        "address": request.address.strip()[:500],
    }
    links = [("LOCATED_IN", "District", gu), ("ASSIGNED_TO", "Department", department)]
    opened = CaseStatus.OPEN.value
    note, actor = "", ""
    if routed is not None:
        note = confidence_note(routed.routing.confidence)
        actor = model_actor(routed.model_version)
    events = [
        CaseEventRow(0, case_id, gu, "received", opened, "", "", "", now),
        CaseEventRow(0, case_id, gu, "assigned", opened, note, department, actor, now),
    ]
    intent = await write_intents.begin(context.records, CASE_FILED, case_id)

    async def end_intent(client: BaseDBAsyncClient) -> None:
        nonlocal pending
        if proposal is not None:
            pending = (await review.queue(context.records, proposal, client=client)).review
        if not await write_intents.finish(context.records, client, intent):
            raise WriteAbandoned(f"filing {case_id} outlived its grace period and was undone")

    try:
        if not await context.store.create_node("Case", properties, links):
            raise RuntimeError(f"case {case_id} was not created: a link target is missing")
        stored = await record_events(context.records, events, then=end_intent)
    except BaseException as error:  # also a cancelled request: undo now, not at the next start
        await _undo_filing(context, case_id, intent, written=not isinstance(error, ReadOnlyGraph))
        raise
    await publish(context, stored)
    return Filed(properties, routed, pending)


def _route(
    context: Context,
    case_id: str,
    service_code: str,
    text: str,
    channel: str,
    gu: str,
    at: datetime,
) -> tuple[Routed | None, ReviewRow | None]:
    """The model's routing of a filing and, below its threshold, the review to queue with it
    (checked, not stored; it carries the service code the filer chose, for the analyst);
    (None, None) without a model, or when the queue would refuse the review (logged)."""
    router = router_for(context)
    routed = router.route(text, channel, gu, at) if router is not None else None
    if routed is None or not routed.routing.needs_review:
        return routed, None
    routing = routed.routing
    try:
        row = review.proposal_row(
            kind=ReviewKind.CASE_ROUTING,
            model="routing",
            model_version=routed.model_version,
            subject=case_id,
            proposal={
                "department": routing.department,
                "confidence": routing.confidence,
                "runner_up": routing.runner_up,
                "runner_up_confidence": routing.runner_up_confidence,
                "service_code": service_code,
            },
            district_code=gu,
            at=at,
        )
    except review.InvalidProposal as error:  # no review, no unreviewed department
        log.error("routing review of %s refused, filed by service: %s", case_id, error)
        return None, None
    return routed, row


async def _undo_filing(context: Context, case_id: str, intent: int, *, written: bool) -> None:
    """Remove a case whose events were not stored; if that fails too, repair will. A case the
    graph refused (`written=False`: a read-only worker whose writer does not take its writes)
    was never there: only its intent goes."""
    try:
        if written:
            await context.store.delete_node("Case", case_id)
        await write_intents.drop(context.records, intent)
    except Exception as error:
        log.warning("case %s left to start-up repair: %s", case_id, error)


async def publish(context: Context, events: list[CaseEventRow]) -> None:
    """Tell `caseUpdates` subscribers; the events are already in the records."""
    if context.live is not None:
        await context.live.bus.publish([case_event(e) for e in events])


async def change_status(
    context: Context, case: Node, status: CaseStatus, note: str, actor: str
) -> Node:
    now = datetime.now(UTC)
    changes = {"status": status.value, "status_notes": note.strip()[:1000], "updated_at": now}
    row = CaseEventRow(
        0, case["id"], case["district_code"], "status_changed", status.value, note, "", actor, now
    )
    intent = 0

    async def note_intent(client: BaseDBAsyncClient) -> None:
        nonlocal intent
        intent = await write_intents.begin(context.records, CASE_STATUS, case["id"], client=client)

    [event] = await record_events(context.records, [row], then=note_intent)
    try:
        await context.store.update_node("Case", case["id"], changes, unless_newer="updated_at")
    except BaseException:
        try:
            await delete_event(context.records, event.id)
            await write_intents.drop(context.records, intent)
        except Exception as error:
            log.warning("status change of %s left to start-up repair: %s", case["id"], error)
        raise
    try:
        await write_intents.drop(context.records, intent)
    except Exception as error:  # the change is whole; repair would only apply it again
        log.warning("write intent %d of %s not dropped: %s", intent, case["id"], error)
    await publish(context, [event])
    return {**case, **changes}
