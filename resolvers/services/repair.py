"""Start-up repair of case writes a killed process left half done (see `filing`).

Only intents older than a grace period are settled, so a worker starting beside others never
touches a filing another worker is making right now; and a writer that finishes after its
intent was claimed fails instead of finishing (`write_intents.finish`). Settling is idempotent:
  - a filing (`case.filed`) whose events are missing is undone: its case node is deleted;
  - a status change (`case.status`) is carried forward: the case node takes the status of its
    latest event, which is stored and may already have been streamed;
  - a reassignment (`case.assigned`, an analyst's routing decision) is carried forward: the
    case node takes the department of its latest "assigned" event
    (`resolvers.core.case_assignment`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from graph.records import Records, write_intents
from graph.records.case_events import events_by_case
from graph.store import GraphStore
from resolvers.core.case_assignment import CASE_ASSIGNED, carry_assignment
from resolvers.services.filing import CASE_FILED, CASE_STATUS

GRACE = timedelta(minutes=5)
"""How old an intent must be to be repaired: far longer than any write takes."""

log = logging.getLogger(__name__)


@dataclass
class Repaired:
    """What one repair pass did, by case id."""

    undone: list[str] = field(default_factory=list)
    """Filings whose case node was removed (their events were never stored)."""
    completed: list[str] = field(default_factory=list)
    """Filings found whole (their events were stored): only the intent was left."""
    carried: list[str] = field(default_factory=list)
    """Cases whose node now has the status of their latest event."""
    reassigned: list[str] = field(default_factory=list)
    """Cases whose node now has the department of their latest "assigned" event."""

    def __bool__(self) -> bool:
        return bool(self.undone or self.completed or self.carried or self.reassigned)


async def repair_case_writes(
    store: GraphStore,
    records: Records,
    *,
    grace: timedelta = GRACE,
    now_ms: int | None = None,
) -> Repaired:
    """Settle every case write intent begun more than `grace` before `now_ms` (epoch ms).

    Raises what the stores raise; an intent whose repair fails stays claimed and is settled
    by the next pass.
    """
    now = write_intents.now_ms() if now_ms is None else now_ms
    cutoff = now - int(grace.total_seconds() * 1000)
    done = Repaired()
    for intent in await write_intents.claim_stale(records, cutoff):
        case_id = intent.subject
        events = (await events_by_case(records, [case_id]))[case_id]
        if intent.kind == CASE_FILED:
            if any(event.kind == "received" for event in events):
                done.completed.append(case_id)
            else:
                await store.delete_node("Case", case_id)
                done.undone.append(case_id)
        elif intent.kind == CASE_STATUS and events:
            latest = events[-1]  # events_by_case orders by time, then id
            changes = {"status": latest.status, "updated_at": latest.at}
            if latest.kind == "status_changed":
                changes["status_notes"] = latest.note.strip()[:1000]
            [node] = await store.get_nodes("Case", [case_id])
            if node is not None:
                await store.update_node("Case", case_id, changes, unless_newer="updated_at")
                done.carried.append(case_id)
        elif intent.kind == CASE_ASSIGNED and await carry_assignment(store, case_id, events):
            done.reassigned.append(case_id)
        await write_intents.drop(records, intent.id)
    if done:
        log.warning(
            "repaired half-done case writes: %d filings undone, %d found whole, "
            "%d status changes and %d reassignments carried into the graph",
            len(done.undone),
            len(done.completed),
            len(done.carried),
            len(done.reassigned),
        )
    return done
