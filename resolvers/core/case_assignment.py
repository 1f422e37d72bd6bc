"""A case's department, set by the routing model or by an analyst's review: shared by the
services domain (filing, start-up repair) and the analytics domain (review decisions), so
neither imports the other.

Who assigned a department is the "assigned" case event's `actor`: `model:routing@<version>`
for the routing model (its `note` the model's confidence, `confidence <6 significant digits>`),
`review:<review id>` for an analyst's decision, empty for the service's own department.

A reassignment writes both stores, joined as filing's writes are (`resolvers.services.filing`):
the "assigned" event and a `case.assigned` write intent in the decision's records transaction,
then the graph (`agency_responsible`, `updated_at` and the ASSIGNED_TO relationship in one
statement), then the intent is dropped. A decision is a log leaf and cannot be undone, so a graph
write that fails is carried forward by start-up repair (`carry_assignment`), never rolled back.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from graph.records import Records, write_intents
from graph.records.case_events import CaseEventRow, insert_event
from graph.store import GraphStore, Node
from resolvers.core.context import Context
from subscriptions.streams import case_event

CASE_ASSIGNED = "case.assigned"
"""Write intent of a reassignment: the event (with the decision), then the case node."""
ASSIGNED = "assigned"
MODEL_ACTOR = "model:routing@"
REVIEW_ACTOR = "review:"
_CONFIDENCE = re.compile(r"^confidence (\S+)$")

log = logging.getLogger(__name__)


def model_actor(version: str) -> str:
    """The actor of an "assigned" event the routing model made (its registry version)."""
    return f"{MODEL_ACTOR}{version}"


def review_actor(review_id: str) -> str:
    """The actor of an "assigned" event an analyst's decision on `review_id` made."""
    return f"{REVIEW_ACTOR}{review_id}"


def confidence_note(confidence: float) -> str:
    """The note of the model's "assigned" event: its confidence to 6 significant digits, as
    the review queue writes a proposal's (ml.review.proposal_json)."""
    return f"confidence {confidence:.6g}"


@dataclass(frozen=True)
class ModelAssignment:
    """The routing model's "assigned" event of a case, read back: its version and confidence."""

    model_version: str
    confidence: float
    department: str


def model_assignment(events: list[CaseEventRow]) -> ModelAssignment | None:
    """The first "assigned" event the routing model made among a case's events, or None (a
    case filed without a model, or before there was one)."""
    for event in events:
        if event.kind == ASSIGNED and event.actor.startswith(MODEL_ACTOR):
            found = _CONFIDENCE.match(event.note)
            try:
                confidence = float(found.group(1)) if found else float("nan")
            except ValueError:
                confidence = float("nan")
            return ModelAssignment(event.actor[len(MODEL_ACTOR) :], confidence, event.department)
    return None


def latest_review(events: list[CaseEventRow]) -> str | None:
    """The review id of the latest "assigned" event a decision made, or None."""
    for event in reversed(events):
        if event.kind == ASSIGNED and event.actor.startswith(REVIEW_ACTOR):
            return event.actor[len(REVIEW_ACTOR) :]
    return None


@dataclass
class Reassignment:
    """One case's department after a decision: built before the decision's transaction, its
    records half written inside it (`write`), its graph half after it commits (`apply`)."""

    case: Node
    department: str
    actor: str
    note: str
    at: datetime
    event: CaseEventRow | None = None
    intent: int | None = None

    @property
    def moves(self) -> bool:
        """Whether the department changes (an approval keeps it: only the event is written)."""
        return bool(self.case["agency_responsible"] != self.department)

    async def write(self, records: Records, client: BaseDBAsyncClient) -> None:
        """The "assigned" event, and the write intent if the graph must change, in `client`'s
        transaction (the decision's)."""
        row = CaseEventRow(
            0,
            self.case["id"],
            self.case["district_code"],
            ASSIGNED,
            self.case["status"],
            self.note,
            self.department,
            self.actor,
            self.at,
        )
        self.event = await insert_event(records, client, row)
        if self.moves:
            self.intent = await write_intents.begin(
                records, CASE_ASSIGNED, self.case["id"], client=client
            )

    async def apply(self, context: Context) -> None:
        """After the decision committed: the graph's department, the intent dropped, the event
        published. A failing graph write is logged and left to start-up repair (the intent
        stays); never raises for it, since the decision stands."""
        if self.intent is not None:
            try:
                await relink(context.store, self.case["id"], self.department, self.at)
                await write_intents.drop(context.records, self.intent)
            except Exception as error:
                log.warning("reassigning %s left to start-up repair: %s", self.case["id"], error)
        if self.event is not None and context.live is not None:
            await context.live.bus.publish([case_event(self.event)])


async def relink(
    store: GraphStore, case_id: str, department: str, at: datetime | None = None
) -> bool:
    """Set the case's `agency_responsible` and ASSIGNED_TO to `department` (and `updated_at`
    to `at` if given) in one graph statement; False if the case or the department does not
    exist."""
    changes: dict[str, object] = {"agency_responsible": department}
    if at is not None:
        changes["updated_at"] = at
    return await store.relink_node(
        "Case", case_id, changes, ("ASSIGNED_TO", "Department", department)
    )


async def carry_assignment(store: GraphStore, case_id: str, events: list[CaseEventRow]) -> bool:
    """Start-up repair of a `case.assigned` intent: the case node takes the department of its
    latest "assigned" event (stored with the decision). Idempotent; False if there is nothing
    to carry (no such event, or the case is gone)."""
    assigned = [e for e in events if e.kind == ASSIGNED]
    if not assigned:
        return False
    # updated_at stays: a later status change may have moved it past the decision
    return await relink(store, case_id, assigned[-1].department)
