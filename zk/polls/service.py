"""Polls on the server: create one (logged), cast a ballot (checked, logged, counted once),
and read the tally and turnout from the ballot index."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from graph.records import Records
from graph.records.identity import issuer_key_for
from graph.records.polls import (
    BallotCount,
    BallotRow,
    PollRow,
    ballot_counts,
    find_poll,
    find_polls,
    has_voted,
    insert_ballot,
    insert_poll,
    polls_closing_after,
)
from graph.storable_text import storable
from ledger.entries import Entry
from ledger.log import Log
from zk.bbs.suites import Ciphersuite
from zk.credentials.attributes import Attribute
from zk.credentials.epochs import Epoch
from zk.credentials.errors import CredentialError
from zk.polls.ballots import check_ballot, check_open
from zk.polls.errors import PollErrorCode, PollRefusal
from zk.polls.model import BALLOT, MAX_TEXT, POLL_CREATED, Ballot, Eligibility, Poll, check_options

MAX_OPEN = timedelta(days=366)


def poll_of(row: PollRow) -> Poll:
    """A poll as data, from its row."""
    return Poll(
        poll_id=row.poll_id,
        question=row.question,
        options=tuple(json.loads(row.options)),
        eligibility=Eligibility.from_json(json.loads(row.eligibility)),
        epoch=row.epoch,
        opens_at=row.opens_at,
        closes_at=row.closes_at,
    )


async def load_poll(records: Records, poll_id: str) -> Poll:
    row = await find_poll(records, poll_id) if storable(poll_id) else None
    if row is None:
        raise PollRefusal(PollErrorCode.NOT_FOUND, f"no poll {poll_id!r}", "poll")
    return poll_of(row)


async def load_polls(records: Records, poll_ids: Sequence[str]) -> dict[str, Poll]:
    """The polls among `poll_ids` that exist, by id (one records call; an id that is not
    valid Unicode names no poll)."""
    found = await find_polls(records, [i for i in poll_ids if storable(i)])
    return {poll_id: poll_of(row) for poll_id, row in found.items()}


async def polls_not_closed(records: Records, at: datetime) -> list[Poll]:
    """Polls open at `at` or yet to open, closing soonest first (one records call)."""
    return [poll_of(row) for row in await polls_closing_after(records, at.astimezone(UTC))]


async def create_poll(
    log: Log,
    question: str,
    options: list[str],
    eligibility: Eligibility,
    epoch: str,
    opens_at: datetime,
    closes_at: datetime,
) -> Poll:
    """A new poll, logged as a `poll.created` leaf together with its row."""
    if not storable(question, *options):
        raise PollRefusal(PollErrorCode.INVALID, "the text is not valid Unicode", "question")
    question = question.strip()
    if not 0 < len(question) <= MAX_TEXT:
        raise PollRefusal(
            PollErrorCode.INVALID, f"a question of 1 to {MAX_TEXT} characters", "question"
        )
    if opens_at.tzinfo is None or closes_at.tzinfo is None:
        raise PollRefusal(PollErrorCode.INVALID, "times need a time zone", "opensAt")
    try:
        opens_at, closes_at = opens_at.astimezone(UTC), closes_at.astimezone(UTC)
    except (OverflowError, ValueError):
        raise PollRefusal(PollErrorCode.INVALID, "a time out of range", "opensAt") from None
    if closes_at <= opens_at:
        raise PollRefusal(PollErrorCode.INVALID, "a poll closes after it opens", "closesAt")
    if closes_at - opens_at > MAX_OPEN:
        raise PollRefusal(PollErrorCode.INVALID, "a poll is open at most a year", "closesAt")
    try:
        month = Epoch.parse(epoch)
    except CredentialError as error:
        raise PollRefusal(PollErrorCode.INVALID, str(error), "epoch") from None
    poll = Poll(
        poll_id=f"poll-{secrets.token_hex(6)}",
        question=question,
        options=check_options(options),
        eligibility=eligibility,
        epoch=str(month),
        opens_at=opens_at,
        closes_at=closes_at,
    )
    row = PollRow(
        poll_id=poll.poll_id,
        question=poll.question,
        options=json.dumps(list(poll.options)),
        eligibility=json.dumps(poll.eligibility.to_json()),
        epoch=poll.epoch,
        opens_at=poll.opens_at,
        closes_at=poll.closes_at,
        created_at=datetime.now(UTC).replace(microsecond=0),
        leaf_index=-1,
    )

    async def store(client: BaseDBAsyncClient, leaf_index: int) -> None:
        await insert_poll(log.records, client, replace(row, leaf_index=leaf_index))

    await log.append([Entry(POLL_CREATED, poll.poll_id, poll.definition())], then=store)
    return poll


@dataclass(frozen=True)
class Cast:
    poll: Poll
    ballot: Ballot
    leaf_index: int


async def cast_ballot(log: Log, suite: Ciphersuite, data: object, now: datetime) -> Cast:
    """Check a ballot and count it once: its leaf and its row commit together, and the
    (poll, pseudonym) pair is unique in the records, so a second ballot of a credential fails
    even when both arrive at the same instant from different processes."""
    ballot = Ballot.from_json(data)
    records = log.records
    poll = await load_poll(records, ballot.poll_id)
    check_open(poll, now)
    published = await issuer_key_for(records, poll.epoch)
    if published is None:
        raise PollRefusal(
            PollErrorCode.NOT_ELIGIBLE, f"no credentials were issued for {poll.epoch}", "keyId"
        )
    nullifier = ballot.pseudonym.hex()
    if await has_voted(records, poll.poll_id, nullifier):
        raise PollRefusal(
            PollErrorCode.ALREADY_VOTED, "this credential has voted in this poll", "ballot"
        )
    check_ballot(suite, poll, ballot, published.public_key)
    row = BallotRow(
        poll_id=poll.poll_id,
        nullifier=nullifier,
        option_index=poll.options.index(ballot.option),
        district=str(ballot.disclosed.get(Attribute.DISTRICT, "")),
        leaf_index=-1,
        cast_at=now.astimezone(UTC).replace(microsecond=0),
    )

    async def store(client: BaseDBAsyncClient, leaf_index: int) -> None:
        await insert_ballot(records, client, replace(row, leaf_index=leaf_index))

    try:
        appended = await log.append([Entry(BALLOT, poll.poll_id, ballot.to_json())], then=store)
    except IntegrityError:
        raise PollRefusal(
            PollErrorCode.ALREADY_VOTED, "this credential has voted in this poll", "ballot"
        ) from None
    return Cast(poll, ballot, appended.first_index)


@dataclass(frozen=True)
class Tally:
    poll: Poll
    counts: tuple[int, ...]
    """Ballots per option, in the poll's order."""
    turnout: dict[str, int]
    """Ballots per district, exact, as anyone re-counting the log's leaves gets them (each
    shows its district, docs/security.md); the API withholds small ones below the analyst
    tier (resolvers/identity/turnout.py)."""

    @property
    def total(self) -> int:
        return sum(self.counts)


async def tally(records: Records, poll_id: str) -> Tally:
    """Poll `poll_id`'s count so far. Raises PollRefusal (NOT_FOUND)."""
    return (await tallies(records, [await load_poll(records, poll_id)]))[0]


async def tallies(records: Records, polls: Sequence[Poll]) -> list[Tally]:
    """The count of each of `polls`, in their order: one records call for all of them."""
    counted = await ballot_counts(records, [poll.poll_id for poll in polls])
    by_poll: dict[str, list[BallotCount]] = {}
    for count in counted:
        by_poll.setdefault(count.poll_id, []).append(count)
    return [_tally(poll, by_poll.get(poll.poll_id, [])) for poll in polls]


def _tally(poll: Poll, counted: Sequence[BallotCount]) -> Tally:
    options = [0] * len(poll.options)
    turnout: dict[str, int] = {}
    for count in counted:
        options[count.option_index] += count.ballots
        turnout[count.district] = turnout.get(count.district, 0) + count.ballots
    return Tally(poll, tuple(options), dict(sorted(turnout.items())))
