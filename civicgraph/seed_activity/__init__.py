"""Civic activity for a seeded city: polls and ballots, certificates, procurement.

`civicgraph seed` seeds the city (districts, residents, sensors, cases, readings), which has
no activity of its own, then calls `seed_activity`, so that a newcomer's dashboards (Polls,
Trust) have something to show. Everything goes through the domain functions the API's
mutations call (`zk.polls.service`, `zk.credentials.issuance`, `ledger.certificates`,
`ledger.procurement.contracts`): each is checked, logged as leaves of the verifiable log (one
signed checkpoint per append) and stored as the API would store it. Times are spread over
the last days in Seoul through the functions' own time parameters; the log's leaves and
checkpoints carry the time of the seed itself, as for any append.

The log is append-only, so activity is never taken back, and each kind is seeded only when
the records hold none of it: a second `seed` (or `seed --reset`, which rebuilds the city and
keeps the records' log-backed rows) adds nothing. `seed --no-activity` seeds none.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

from rich.progress import Progress

from civicgraph.seed_activity.certificates import seed_certificates
from civicgraph.seed_activity.polls import PollSeeder, voters_at
from civicgraph.seed_activity.procurement import seed_procurement
from graph.query import NodeQuery
from graph.records import Records, seed_state
from graph.records.certificates import counts_by_kind
from graph.records.polls import newest_polls
from graph.records.procurement import count_by_state
from graph.store import GraphStore
from ledger.log import Log
from zk.credentials.issuer_keys import IssuerKeyring

SEED = 2026
"""What is chosen (voters, options, documents, times) is drawn from this seed, one stream per
kind: the same amounts every time, whichever kinds are seeded (the ids and the cryptographic
randomness differ)."""


async def has_polls(records: Records, now: datetime) -> bool:
    return bool(await newest_polls(records, "all", now, 1))


async def has_certificates(records: Records, now: datetime) -> bool:
    return bool(await counts_by_kind(records, now, now))


async def has_contracts(records: Records) -> bool:
    return bool(await count_by_state(records))


async def gu_codes(graph: GraphStore) -> list[str]:
    """The seeded city's gu codes, in order."""
    return [
        str(node["code"])
        for node in await graph.find_nodes(NodeQuery("District", equals={"level": ["gu"]}))
    ]


def _task(progress: Progress | None, name: str) -> Callable[[int, int], None]:
    """A progress task named `name` shown once work starts, as `(done, total)` updates."""
    if progress is None:
        return lambda done, total: None
    task = progress.add_task(name, total=None)
    return lambda done, total: progress.update(task, completed=done, total=total)


async def seed_activity(
    graph: GraphStore,
    log: Log,
    keyring: IssuerKeyring,
    *,
    scale: float,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Seed each kind of activity the records hold none of; returns what was added, by kind
    (empty when nothing was). Requires a seeded city in `graph` and 0 < scale <= 1."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    records = log.records
    gu = await gu_codes(graph)
    added: dict[str, int] = {}
    await seed_state.begin_activity(records)
    if not await has_polls(records, now):
        chance = random.Random(SEED)
        seeder = PollSeeder(log, graph, keyring, chance, _task(progress, "Residents voting"))
        polls = await seeder.seed(voters_at(scale), gu, now)
        added |= {"Poll": polls.polls, "Ballot": polls.ballots, "Credential": polls.credentials}
    if not await has_certificates(records, now):
        chance = random.Random(SEED + 1)
        certs = await seed_certificates(
            log, gu, now, chance, _task(progress, "Issuing certificates")
        )
        added |= {
            "Certificate": certs.issued,
            "Revocation": certs.revoked,
            "Verification": certs.verified,
        }
    if not await has_contracts(records):
        chance = random.Random(SEED + 2)
        bought = await seed_procurement(log, now, chance, _task(progress, "Procurement"))
        added |= {"Contract": bought.contracts, "ContractPaid": bought.completed}
    await seed_state.finish_activity(records, added)
    return added


async def stopped_half_way(records: Records) -> bool:
    """Whether an activity seed began and never finished (its rows and log leaves stay: the
    log is append-only, and a kind the records hold some of is not seeded again)."""
    return await seed_state.activity_begun(records) is False
