"""A neighbourhood poll simulated through the real code: a gu's residents (from the seeded
graph) enrol, receive this month's credential, and a share of them vote.

Everything the city writes goes to a scratch folder (records, log, issuer keys), never to the
live stores: a real month's one-credential-per-resident must not be spent by a simulation.
The graph is only read. Residents under 19 take part as in life: their ballots are refused.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from graph.query import NodeQuery
from graph.records import open_records, sqlite_url
from graph.store import GraphStore
from ledger.keys import load_signer
from ledger.log import Log
from zk.bbs.suites import Ciphersuite
from zk.credentials import codes, holder
from zk.credentials.epochs import Epoch
from zk.credentials.issuance import Issuer
from zk.credentials.issuer_keys import IssuerKeyring
from zk.polls.audit import Audit, audit_poll
from zk.polls.ballots import make_ballot
from zk.polls.errors import PollErrorCode, PollRefusal
from zk.polls.model import Eligibility
from zk.polls.service import Tally, cast_ballot, create_poll, tally
from zk.wallet import Wallet

Progress = Callable[[int, int], None]
ORIGIN = "simulation.civicgraph.example/log"


@dataclass(frozen=True)
class Simulation:
    residents: int
    voters: int
    refused: dict[str, int]
    tally: Tally
    audit: Audit
    seconds: float

    @property
    def per_ballot_ms(self) -> float:
        return self.seconds / max(self.voters, 1) * 1000


async def simulate(
    graph: GraphStore,
    suite: Ciphersuite,
    folder: Path,
    district: str,
    turnout: float,
    *,
    options: tuple[str, ...] = ("wetland garden", "playground", "sports field"),
    seed: int = 2026,
    progress: Progress | None = None,
) -> Simulation:
    """Residents of `district` enrol and `turnout` of them vote; then the poll is re-tallied.

    The city's records, log and keys go to `folder` (an existing, empty folder)."""
    if not 0 < turnout <= 1:
        raise PollRefusal(PollErrorCode.INVALID, "turnout is a share in (0, 1]", "turnout")
    people = await graph.find_nodes(NodeQuery("Citizen", equals={"district_code": [district]}))
    if not people:
        raise PollRefusal(
            PollErrorCode.INVALID, f"no residents of {district} in the graph", "district"
        )
    chance = random.Random(seed)
    voters = chance.sample(people, max(1, round(len(people) * turnout)))
    records = await open_records(sqlite_url(folder / "records.sqlite3"), migrate=True)
    try:
        log = Log(records, load_signer(folder / "log.pem", ORIGIN))
        keyring = IssuerKeyring(folder / "issuer", suite)
        now = datetime.now(UTC)
        poll = await create_poll(
            log,
            "Which design for the neighbourhood park?",
            list(options),
            Eligibility(districts=(district,), over19=True),
            str(Epoch.at(now)),
            now - timedelta(minutes=1),
            now + timedelta(days=7),
        )
        issuer = Issuer(log, graph, keyring)
        refused: dict[str, int] = {}
        started = time.perf_counter()
        for done, person in enumerate(voters, 1):
            code = await codes.create_code(records, graph, str(person["id"]))
            pending = holder.prepare_request(suite, Wallet.new(), Epoch.at(now), code.code)
            issued = await issuer.issue(pending.request)
            credential = holder.receive(suite, pending, issued)
            try:
                ballot = make_ballot(suite, credential, poll, chance.choice(poll.options))
                await cast_ballot(log, suite, ballot.to_json(), datetime.now(UTC))
            except PollRefusal as error:
                refused[error.code.value] = refused.get(error.code.value, 0) + 1
            if progress:
                progress(done, len(voters))
        seconds = time.perf_counter() - started
        counted = await tally(records, poll.poll_id)
        audit = await audit_poll(records, log.signer.verifier, poll.poll_id)
        return Simulation(len(people), len(voters), refused, counted, audit, seconds)
    finally:
        await records.close()
