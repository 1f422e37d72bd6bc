"""Polls on the identity domain: create one (operator), cast a ballot (anyone), read a tally."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from graph.records.api_keys import Tier
from resolvers.city.types import CityInfo
from resolvers.core.context import Context
from resolvers.core.errors import not_found
from subscriptions.events import Event, Stream
from zk.polls.errors import PollError, PollErrorCode
from zk.polls.model import Eligibility
from zk.polls.service import Tally, cast_ballot, create_poll, tally

log = logging.getLogger("civicgraph.polls")

strawberry.enum(PollErrorCode, name="PollErrorCode")


@strawberry.type(name="PollError", description="A poll or ballot refused, with the reason.")
class PollRefusal:
    code: PollErrorCode
    field: str | None
    message: str

    @classmethod
    def of(cls, error: PollError) -> PollRefusal:
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


@strawberry.type(description="A neighbourhood poll and its count so far.")
class PollInfo:
    id: strawberry.ID
    question: str
    options: list[str]
    eligibility: PollEligibility
    epoch: str = strawberry.field(description="The one issuer-key month whose credentials vote.")
    opens_at: datetime
    closes_at: datetime
    tally: list[OptionCount]
    total_ballots: int
    turnout: list[DistrictTurnout]

    @classmethod
    def of(cls, counted: Tally) -> PollInfo:
        poll = counted.poll
        return cls(
            id=strawberry.ID(poll.poll_id),
            question=poll.question,
            options=list(poll.options),
            eligibility=PollEligibility(**poll.eligibility.to_json()),
            epoch=poll.epoch,
            opens_at=poll.opens_at,
            closes_at=poll.closes_at,
            tally=[
                OptionCount(option=o, ballots=n)
                for o, n in zip(poll.options, counted.counts, strict=True)
            ],
            total_ballots=counted.total,
            turnout=[DistrictTurnout(district=d, ballots=n) for d, n in counted.turnout.items()],
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


PollResult = Annotated[PollInfo | PollRefusal, strawberry.union("PollResult")]
BallotResult = Annotated[BallotReceipt | PollRefusal, strawberry.union("BallotResult")]


async def poll(info: CityInfo, id: strawberry.ID) -> PollInfo:
    try:
        return PollInfo.of(await tally(info.context.records, str(id)))
    except PollError:
        raise not_found("poll", str(id), "id") from None


async def create_poll_resolver(info: CityInfo, input: CreatePollInput) -> PollResult:
    context = info.context
    if not context.tier.at_least(Tier.OPERATOR):
        return PollRefusal(
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
        return PollInfo.of(await tally(context.records, made.poll_id))
    except PollError as error:
        return PollRefusal.of(error)


async def cast_ballot_resolver(info: CityInfo, ballot: JSON) -> BallotResult:
    context = info.context
    suite = context.the_issuer_keys().suite
    try:
        cast = await cast_ballot(context.the_log(), suite, ballot, datetime.now(UTC))
    except PollError as error:
        return PollRefusal.of(error)
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
