"""The seed's polls: residents enrol, receive this month's credential and vote, the real way.

Each voter is a seeded resident aged 19 or over: the city makes an enrolment code for them,
their (throw-away) wallet requests this month's credential with it, the issuer signs it
blindly, and the wallet makes a BBS pseudonym proof per ballot that `cast_ballot` checks,
logs and counts, exactly as `civicgraph wallet vote` and the `castBallot` mutation do.

Two polls: one city-wide and open (a gu code per ballot, some gu with 1 to 4 ballots, which
callers below the analyst tier see withheld) and one of three gu that has closed. Every time
lies in the current credential month (Seoul time), since a poll takes that month's
credentials only: early in a month the window is shorter, and in a month's first hour the
polls are last month's (the open one still open, for last month's credentials).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from graph.query import NodeQuery
from graph.store import GraphStore
from ledger.log import Log
from zk.bbs.suites import Ciphersuite
from zk.credentials import codes, holder
from zk.credentials.attributes import ResidentAttributes
from zk.credentials.epochs import Epoch
from zk.credentials.errors import CredentialError, CredentialErrorCode
from zk.credentials.issuance import Issuer
from zk.credentials.issuer_keys import IssuerKeyring
from zk.credentials.presentation import HeldCredential
from zk.polls.ballots import make_ballot
from zk.polls.model import Eligibility, Poll
from zk.polls.service import cast_ballot, create_poll
from zk.wallet import Wallet

OPEN_QUESTION = "Which should Seoul fund first from next year's participatory budget?"
OPEN_OPTIONS = (
    "Shaded bus stops",
    "Late library hours",
    "Protected bicycle lanes",
    "Rooftop gardens on public buildings",
)
OPEN_WEIGHTS = (5, 3, 4, 2)
CLOSED_QUESTION = "Should the Han River parks keep their lights on until midnight in summer?"
CLOSED_OPTIONS = ("Yes", "No")
CLOSED_WEIGHTS = (3, 2)
WINDOW = timedelta(days=5)
"""How far back the polls reach (within the current month)."""
MIN_SPAN = timedelta(hours=1)
"""The shortest stretch of a month the polls are seeded in: in a month's first hour (Seoul)
they are seeded in the month before."""
OPEN_FOR = timedelta(days=10)
"""How long the open poll stays open after the seed."""
VOTERS_PER_SCALE = 18_000
MIN_VOTERS, MAX_VOTERS = 18, 180
"""Voters at scale s: 18,000 × s within [18, 180] (180 at the default 0.01: about 0.13 s per
voter on two cores, enrolment to counted ballot)."""
CLOSED_SHARE = 0.7
"""The share of the closed poll's gu's voters who also voted in it."""


@dataclass(frozen=True)
class Voter:
    resident_id: str
    district: str
    attributes: ResidentAttributes


def poll_epoch(now: datetime) -> Epoch:
    """The credential month the seed's polls take at the aware `now`: the current one, or the
    one before while the current is younger than `MIN_SPAN`."""
    epoch = Epoch.at(now)
    return epoch if now - epoch.starts >= MIN_SPAN else epoch.previous()


def voters_at(scale: float) -> int:
    """How many residents vote in the open poll at `scale` (0 < scale <= 1)."""
    return max(MIN_VOTERS, min(MAX_VOTERS, round(VOTERS_PER_SCALE * scale)))


def turnout_plan(gu: Sequence[str], voters: int, chance: random.Random) -> dict[str, int]:
    """Ballots per gu adding up to about `voters`: a few gu with 1 to 4 (withheld below the
    analyst tier), the others with 5 or more, the rest with none. Requires voters >= 18."""
    order = chance.sample(list(gu), len(gu))
    small = order[: max(2, min(6, voters // 30))]
    plan = {code: chance.randint(1, 4) for code in small}
    rest = voters - sum(plan.values())
    shown = order[len(small) : len(small) + max(1, min(len(order) - len(small), rest // 8))]
    weights = [chance.uniform(0.5, 2.0) for _ in shown]
    spare = rest - 5 * len(shown)
    for code, weight in zip(shown, weights, strict=True):
        plan[code] = 5 + int(spare * weight / sum(weights))
    return plan


async def pick_voters(graph: GraphStore, plan: dict[str, int], epoch: Epoch) -> list[Voter]:
    """For each gu of `plan`, that many residents aged 19 or over, taken from the end of the
    gu's id order (one graph query): the residents listed first stay without this month's
    credential for whoever tries enrolment after the seed."""
    wanted = max(plan.values())
    found = await graph.find_nodes_each(
        NodeQuery("Citizen", limit=4 * wanted + 10, descending=True),
        "district_code",
        sorted(plan),
    )
    voters = []
    for gu, count in sorted(plan.items()):
        adults = [
            Voter(str(node["id"]), gu, attributes)
            for node in found[gu]
            if (attributes := ResidentAttributes.of_citizen(node, epoch)).over19
        ]
        voters.extend(adults[:count])
    return voters


@dataclass(frozen=True)
class PollsSeeded:
    polls: int
    ballots: int
    credentials: int


class PollSeeder:
    """Issues the voters' credentials and casts their ballots through the domain's functions."""

    def __init__(
        self,
        log: Log,
        graph: GraphStore,
        keyring: IssuerKeyring,
        chance: random.Random,
        progress: Callable[[int, int], None],
    ) -> None:
        self.log = log
        self.graph = graph
        self.keyring = keyring
        self.suite: Ciphersuite = keyring.suite
        self.chance = chance
        self.progress = progress

    async def credential(self, voter: Voter, issued_at: datetime) -> HeldCredential:
        """The voter's credential of `issued_at`'s month: a code posted two days earlier,
        then the wallet's request, signed by the issuer at `issued_at`."""
        records = self.log.records
        posted = issued_at - timedelta(days=2)
        code = await codes.create_code(records, self.graph, voter.resident_id, now=posted)
        epoch = Epoch.at(issued_at)
        pending = holder.prepare_request(self.suite, Wallet.new(), epoch, code.code)
        issuer = Issuer(self.log, self.graph, self.keyring, clock=lambda: issued_at)
        issued = await issuer.issue(pending.request)
        return holder.receive(self.suite, pending, issued)

    def spread(self, poll: Poll, until: datetime, count: int) -> list[datetime]:
        """`count` instants between the poll's opening and `until`, in order."""
        span = (min(poll.closes_at, until) - poll.opens_at).total_seconds()
        return sorted(
            poll.opens_at + timedelta(seconds=self.chance.uniform(0, span)) for _ in range(count)
        )

    async def seed(self, voters: int, gu: Sequence[str], now: datetime) -> PollsSeeded:
        """An open city-wide poll with about `voters` ballots across `gu`, and a closed poll
        of three of them. A resident who already holds this month's credential (enrolled
        by someone else) is passed over; a few such make a few ballots fewer."""
        epoch = poll_epoch(now)
        until = min(now, epoch.ends - timedelta(seconds=1))
        start = max(until - WINDOW, epoch.starts + timedelta(minutes=1))
        span = until - start
        plan = turnout_plan(gu, voters, self.chance)
        crowd = await pick_voters(self.graph, plan, epoch)
        local = sorted(plan, key=lambda code: (-plan[code], code))[:3]
        closed = await create_poll(
            self.log,
            CLOSED_QUESTION,
            list(CLOSED_OPTIONS),
            Eligibility(districts=tuple(local), over19=True),
            str(epoch),
            start,
            start + span * 0.6,
        )
        opened = await create_poll(
            self.log,
            OPEN_QUESTION,
            list(OPEN_OPTIONS),
            Eligibility(over19=True),
            str(epoch),
            start + span * 0.2,
            now + OPEN_FOR,
        )
        ballots: list[tuple[datetime, Voter, Poll, str]] = []
        for voter, at in zip(crowd, self.spread(opened, until, len(crowd)), strict=True):
            choice = self.chance.choices(OPEN_OPTIONS, OPEN_WEIGHTS)[0]
            ballots.append((at, voter, opened, choice))
        locals_ = [v for v in crowd if v.district in local and self.chance.random() < CLOSED_SHARE]
        for voter, at in zip(locals_, self.spread(closed, until, len(locals_)), strict=True):
            choice = self.chance.choices(CLOSED_OPTIONS, CLOSED_WEIGHTS)[0]
            ballots.append((at, voter, closed, choice))
        ballots.sort(key=lambda ballot: ballot[0])
        held: dict[str, HeldCredential] = {}
        taken: set[str] = set()
        cast = 0
        for done, (at, voter, poll, choice) in enumerate(ballots, 1):
            self.progress(done, len(ballots))
            if voter.resident_id in taken:
                continue
            if voter.resident_id not in held:
                issued_at = max(at - timedelta(minutes=self.chance.uniform(2, 90)), start)
                try:
                    held[voter.resident_id] = await self.credential(voter, issued_at)
                except CredentialError as error:
                    if error.code is not CredentialErrorCode.ALREADY_ISSUED:
                        raise
                    taken.add(voter.resident_id)  # enrolled by someone else this month
                    continue
            ballot = make_ballot(self.suite, held[voter.resident_id], poll, choice)
            await cast_ballot(self.log, self.suite, ballot.to_json(), at)
            cast += 1
        return PollsSeeded(polls=2, ballots=cast, credentials=len(held))
