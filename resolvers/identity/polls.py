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
from resolvers.core.errors import not_found
from resolvers.core.info import Info
from resolvers.identity.dataloaders import PollByIdLoader, PollTallyLoader
from subscriptions.events import Event, Stream
from zk.polls import model
from zk.polls.errors import PollErrorCode, PollRefusal
from zk.polls.model import Eligibility
from zk.polls.service import Tally, cast_ballot, create_poll, tally

log = logging.getLogger("civicgraph.polls")

strawberry.enum(PollErrorCode, name="PollErrorCode")


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


@strawberry.type
class DistrictTurnout:
    district: str
    ballots: int = strawberry.field(
        description="Exact, as a re-count of the public ballot leaves gives (docs/security.md)."
    )


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

    @strawberry.field(description="Ballots per voter's gu.")
    async def turnout(self, info: Info) -> list[DistrictTurnout]:
        counted = await info.context.loader(PollTallyLoader).load(self.definition)
        return [DistrictTurnout(district=d, ballots=n) for d, n in counted.turnout.items()]

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Poll:
        """Federation's `_entities` door: the poll by its id (NOT_FOUND if none)."""
        found = await info.context.loader(PollByIdLoader).load(str(id))
        if found is None:
            raise not_found("poll", str(id), "id")
        return cls.of(found)

    @classmethod
    def of(cls, poll: model.Poll) -> Poll:
        return cls(
            id=strawberry.ID(poll.poll_id),
            question=poll.question,
            options=list(poll.options),
            eligibility=PollEligibility(**poll.eligibility.to_json()),
            epoch=poll.epoch,
            opens_at=poll.opens_at,
            closes_at=poll.closes_at,
            definition=poll,
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
