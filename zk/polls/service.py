"""Polls on the server: create one (logged), cast a ballot (checked, logged, counted once),
and read the tally and turnout from the ballot index."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from graph.records import Records
from graph.records.identity import issuer_key_for
from graph.records.polls import (
    BallotRow,
    PollRow,
    counts_by,
    find_poll,
    has_voted,
    insert_ballot,
    insert_poll,
)
from ledger.entries import Entry
from ledger.log import Log
from zk.bbs.suites import Ciphersuite
from zk.credentials.attributes import Attribute
from zk.credentials.epochs import Epoch
from zk.credentials.errors import CredentialError
from zk.polls.ballots import check_ballot, check_open
from zk.polls.errors import PollError, PollErrorCode
from zk.polls.model import BALLOT, MAX_TEXT, POLL_CREATED, Ballot, Eligibility, Poll, check_options
from zk.text import encodable

MAX_OPEN = timedelta(days=366)


def _poll_of(row: PollRow) -> Poll:
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
    row = await find_poll(records, poll_id) if encodable(poll_id) else None
    if row is None:
        raise PollError(PollErrorCode.NOT_FOUND, f"no poll {poll_id!r}", "poll")
    return _poll_of(row)


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
    if not encodable(question, *options):
        raise PollError(PollErrorCode.INVALID, "the text is not valid Unicode", "question")
    question = question.strip()
    if not 0 < len(question) <= MAX_TEXT:
        raise PollError(
            PollErrorCode.INVALID, f"a question of 1 to {MAX_TEXT} characters", "question"
        )
    if opens_at.tzinfo is None or closes_at.tzinfo is None:
        raise PollError(PollErrorCode.INVALID, "times need a time zone", "opensAt")
    try:
        opens_at, closes_at = opens_at.astimezone(UTC), closes_at.astimezone(UTC)
    except (OverflowError, ValueError):
        raise PollError(PollErrorCode.INVALID, "a time out of range", "opensAt") from None
    if closes_at <= opens_at:
        raise PollError(PollErrorCode.INVALID, "a poll closes after it opens", "closesAt")
    if closes_at - opens_at > MAX_OPEN:
        raise PollError(PollErrorCode.INVALID, "a poll is open at most a year", "closesAt")
    try:
        month = Epoch.parse(epoch)
    except CredentialError as error:
        raise PollError(PollErrorCode.INVALID, str(error), "epoch") from None
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
        raise PollError(
            PollErrorCode.NOT_ELIGIBLE, f"no credentials were issued for {poll.epoch}", "keyId"
        )
    nullifier = ballot.pseudonym.hex()
    if await has_voted(records, poll.poll_id, nullifier):
        raise PollError(
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
        raise PollError(
            PollErrorCode.ALREADY_VOTED, "this credential has voted in this poll", "ballot"
        ) from None
    return Cast(poll, ballot, appended.first_index)


@dataclass(frozen=True)
class Tally:
    poll: Poll
    counts: tuple[int, ...]
    """Ballots per option, in the poll's order."""
    turnout: dict[str, int]
    """Ballots per district, exact: every ballot's leaf shows its district (docs/security.md),
    so anyone re-counting the log gets these numbers; hiding small ones would protect nothing."""

    @property
    def total(self) -> int:
        return sum(self.counts)


async def tally(records: Records, poll_id: str) -> Tally:
    poll = await load_poll(records, poll_id)
    by_option = await counts_by(records, poll_id, "option_index")
    by_district = await counts_by(records, poll_id, "district")
    counts = tuple(by_option.get(i, 0) for i in range(len(poll.options)))
    turnout = {str(district): n for district, n in sorted(by_district.items())}
    return Tally(poll, counts, turnout)
