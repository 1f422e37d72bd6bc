"""Polls on the identity domain: create one (operator), cast a ballot (anyone), read a tally."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from graph.records.api_keys import Tier
from resolvers.core.context import Context
from resolvers.core.error_interface import Error, code_field
from resolvers.core.errors import ApiError, ApiErrorCode, not_found
from resolvers.core.info import Info
from resolvers.core.pagination import DEFAULT_PAGE_SIZE
from resolvers.identity.dataloaders import PollByIdLoader, PollTallyLoader
from resolvers.identity.turnout import turnout_cells
from subscriptions.events import Event, Stream
from zk.polls import model
from zk.polls.errors import PollErrorCode, PollRefusal
from zk.polls.model import Eligibility
from zk.polls.service import Tally, cast_ballot, create_poll, tally
from zk.polls.states import PollState, polls_in_state, state_of

log = logging.getLogger("civicgraph.polls")

strawberry.enum(PollErrorCode, name="PollErrorCode")
strawberry.enum(
    PollState,
    name="PollState",
    description="Where a poll stands now: OPEN takes ballots, CLOSED is final, UPCOMING has "
    "not opened; ALL (a filter only) takes every poll.",
)


@strawberry.type(description="A poll or ballot refused, with the reason.")
class PollError(Error):
    code: str = code_field("PollErrorCode")

    @classmethod
    def of(cls, error: PollRefusal) -> PollError:
        return cls(code=error.code, field=error.field, message=str(error))


@strawberry.type
class OptionCount:
    option: str
    ballots: int


@strawberry.type(
    description="Ballots cast by voters of one gu. Below the analyst tier a gu with 1 to 4 "
    "ballots is withheld (`ballots: null`, `suppressed: true`), with as many others as keep "
    "`totalBallots` from giving it back (docs/security.md)."
)
class DistrictTurnout:
    district: str
    ballots: int | None = strawberry.field(description="Null when withheld.")
    suppressed: bool


@strawberry.type
class PollEligibility:
    districts: list[str]
    over19: bool
    over65: bool
    welfare: bool


@strawberry.federation.type(keys=["id"], description="A neighbourhood poll and its count so far.")
class Poll:
    id: strawberry.ID
    question: str
    options: list[str]
    eligibility: PollEligibility = strawberry.field(
        description="Who may vote; a wallet checks its own flags against it, so asking which "
        "polls a resident may vote in reveals nothing about the resident."
    )
    epoch: str = strawberry.field(description="The one issuer-key month whose credentials vote.")
    opens_at: datetime
    closes_at: datetime
    definition: strawberry.Private[model.Poll]
    seen_at: strawberry.Private[datetime | None] = None
    """The instant a listing chose it at (its state is read at the same instant)."""

    @strawberry.field(description="OPEN, CLOSED or UPCOMING at the time of the request.")
    def state(self) -> PollState:
        return state_of(self.definition, self.seen_at or datetime.now(UTC))

    @strawberry.field(description="Ballots per option, in the poll's order.")
    async def tally(self, info: Info) -> list[OptionCount]:
        counted = await info.context.loader(PollTallyLoader).load(self.definition)
        return [
            OptionCount(option=o, ballots=n)
            for o, n in zip(self.definition.options, counted.counts, strict=True)
        ]

    @strawberry.field(description="Ballots cast so far.")
    async def total_ballots(self, info: Info) -> int:
        return (await info.context.loader(PollTallyLoader).load(self.definition)).total

    @strawberry.field(
        description="Ballots per voter's gu, in gu-code order; gu without ballots are absent. "
        "Below the analyst tier small cells are withheld (see DistrictTurnout)."
    )
    async def turnout(self, info: Info) -> list[DistrictTurnout]:
        counted = await info.context.loader(PollTallyLoader).load(self.definition)
        shown = turnout_cells(counted.turnout, sees_small_cells=info.context.sees_personal_data)
        return [DistrictTurnout(district=d, ballots=n, suppressed=n is None) for d, n in shown]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Poll:
        """Federation's `_entities` door: the poll by its id (NOT_FOUND if none)."""
        found = await info.context.loader(PollByIdLoader).load(str(id))
        if found is None:
            raise not_found("poll", str(id), "id")
        return cls.of(found)

    @classmethod
    def of(cls, poll: model.Poll, seen_at: datetime | None = None) -> Poll:
        return cls(
            id=strawberry.ID(poll.poll_id),
            question=poll.question,
            options=list(poll.options),
            eligibility=PollEligibility(**poll.eligibility.to_json()),
            epoch=poll.epoch,
            opens_at=poll.opens_at,
            closes_at=poll.closes_at,
            definition=poll,
            seen_at=seen_at,
        )


@strawberry.type(description="A poll's count after a ballot (the live pollTally feed).")
class PollTally:
    poll_id: strawberry.ID
    tally: list[OptionCount]
    total_ballots: int

    @classmethod
    def of(cls, counted: Tally) -> PollTally:
        poll = counted.poll
        return cls(
            poll_id=strawberry.ID(poll.poll_id),
            tally=[
                OptionCount(option=o, ballots=n)
                for o, n in zip(poll.options, counted.counts, strict=True)
            ],
            total_ballots=counted.total,
        )

    @classmethod
    def from_event(cls, event: Event) -> PollTally:
        data = event.data
        return cls(
            poll_id=strawberry.ID(data["poll_id"]),
            tally=[
                OptionCount(option=o, ballots=n)
                for o, n in zip(data["options"], data["counts"], strict=True)
            ],
            total_ballots=sum(data["counts"]),
        )


@strawberry.type(description="An accepted ballot: keep the leaf index to check its inclusion.")
class BallotReceipt:
    poll_id: strawberry.ID
    leaf_index: int
    pseudonym: str = strawberry.field(description="The ballot's nullifier in this poll, hex.")


@strawberry.input
class EligibilityInput:
    districts: list[str] = strawberry.field(default_factory=list)
    over19: bool = False
    over65: bool = False
    welfare: bool = False


@strawberry.input
class CreatePollInput:
    question: str
    options: list[str]
    eligibility: EligibilityInput
    epoch: str = strawberry.field(
        description="The issuer-key month (YYYY-MM) whose credentials vote."
    )
    opens_at: datetime
    closes_at: datetime


PollResult = Annotated[Poll | PollError, strawberry.union("PollResult")]
BallotResult = Annotated[BallotReceipt | PollError, strawberry.union("BallotResult")]


async def poll(info: Info, id: strawberry.ID) -> Poll:
    return await Poll.resolve_reference(info, id)


async def polls_resolver(
    info: Info, state: PollState | None = PollState.OPEN, first: int | None = 20
) -> list[Poll]:
    """At most `first` (1 to the page maximum) polls in `state` now (null: OPEN), newest
    first; OUT_OF_RANGE otherwise. One records call, and one for every listed poll's tally."""
    wanted = DEFAULT_PAGE_SIZE if first is None else first
    maximum = info.context.limits.max_page_size
    if not 1 <= wanted <= maximum:
        raise ApiError(ApiErrorCode.OUT_OF_RANGE, f"first must be between 1 and {maximum}", "first")
    now = datetime.now(UTC)
    found = await polls_in_state(info.context.records, state or PollState.OPEN, now, wanted)
    by_id = info.context.loader(PollByIdLoader)
    for each in found:
        by_id.prime(each.poll_id, each)
    return [Poll.of(each, seen_at=now) for each in found]


async def create_poll_resolver(info: Info, input: CreatePollInput) -> PollResult:
    context = info.context
    if not context.tier.at_least(Tier.OPERATOR):
        return PollError(
            code=PollErrorCode.FORBIDDEN,
            field=None,
            message="creating a poll needs the operator tier",
        )
    try:
        eligibility = Eligibility.from_json(
            {
                "districts": input.eligibility.districts,
                "over19": input.eligibility.over19,
                "over65": input.eligibility.over65,
                "welfare": input.eligibility.welfare,
            }
        )
        made = await create_poll(
            context.the_log(),
            input.question,
            input.options,
            eligibility,
            input.epoch,
            input.opens_at,
            input.closes_at,
        )
    except PollRefusal as error:
        return PollError.of(error)
    context.loader(PollByIdLoader).prime(made.poll_id, made)
    return Poll.of(made)


async def cast_ballot_resolver(info: Info, ballot: JSON) -> BallotResult:
    context = info.context
    suite = context.the_issuer_keys().suite
    try:
        cast = await cast_ballot(context.the_log(), suite, ballot, datetime.now(UTC))
    except PollRefusal as error:
        return PollError.of(error)
    try:
        await publish(context, cast.poll.poll_id, cast.leaf_index)
    except Exception:  # the ballot is counted: a bus failure must not turn that into an error
        log.exception("could not publish the tally of %s", cast.poll.poll_id)
    return BallotReceipt(
        poll_id=strawberry.ID(cast.poll.poll_id),
        leaf_index=cast.leaf_index,
        pseudonym=cast.ballot.pseudonym.hex(),
    )


async def publish(context: Context, poll_id: str, leaf_index: int) -> None:
    """The poll's new tally to `pollTally` subscribers (on every worker, through the bus)."""
    if context.live is None:
        return
    counted = await tally(context.records, poll_id)
    data = {
        "poll_id": poll_id,
        "options": list(counted.poll.options),
        "counts": list(counted.counts),
    }
    await context.live.bus.publish([Event(Stream.POLLS, leaf_index, data)])
