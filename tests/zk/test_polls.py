"""Polls against the session's records, graph and log: eligibility, one vote per credential,
the choice bound into the proof, unlinkable pseudonyms across polls, the tally."""

from __future__ import annotations

from datetime import timedelta

import pytest

from civicgraph.stores import Stores
from ledger.entries import Entry
from ledger.log import Log
from tests.zk.residents import SUITE, credential_for, mid
from zk.credentials.issuer_keys import IssuerKeyring
from zk.polls.ballots import make_ballot
from zk.polls.errors import PollErrorCode, PollRefusal
from zk.polls.model import BALLOT, Ballot, Eligibility, Poll
from zk.polls.service import cast_ballot, create_poll, tally

MONTH = mid(2035, 3)
"""Every case here votes with credentials of March 2035 (a month no other test uses)."""


EVERYONE = Eligibility()


async def new_poll(log: Log, eligibility: Eligibility = EVERYONE, hours: int = 48) -> Poll:
    return await create_poll(
        log,
        "Which design for the Yangjae stream park?",
        ["wetland", "playground", "sports field"],
        eligibility,
        "2035-03",
        MONTH - timedelta(hours=1),
        MONTH + timedelta(hours=hours),
    )


def refused(error: pytest.ExceptionInfo[PollRefusal], code: PollErrorCode) -> None:
    assert error.value.code is code, error.value


async def test_a_resident_votes_once_and_the_vote_is_logged_and_counted(
    stores: Stores, log: Log, keyring: IssuerKeyring
) -> None:
    poll = await new_poll(log, Eligibility(districts=("11680",), over19=True))
    voter = await credential_for(log, stores, keyring, MONTH, district="11680", born=1980)
    ballot = make_ballot(SUITE, voter, poll, "wetland")
    assert set(ballot.to_json()["disclosed"]) == {"district", "over19"}

    cast = await cast_ballot(log, SUITE, ballot.to_json(), MONTH)
    leaf = Entry.decode((await log.entry(cast.leaf_index)).leaf_input)
    assert (leaf.kind, leaf.subject) == (BALLOT, poll.poll_id)
    assert Ballot.from_json(leaf.body) == ballot

    # the same credential again (a fresh proof, so fresh bytes) is refused: same pseudonym
    again = make_ballot(SUITE, voter, poll, "playground")
    assert again.proof != ballot.proof
    assert again.pseudonym == ballot.pseudonym
    with pytest.raises(PollRefusal) as twice:
        await cast_ballot(log, SUITE, again.to_json(), MONTH)
    refused(twice, PollErrorCode.ALREADY_VOTED)

    counted = await tally(stores.records, poll.poll_id)
    assert counted.counts == (1, 0, 0)
    assert counted.turnout == {"11680": 1}  # exact, as the public ballot leaves re-count


async def test_ineligible_closed_and_tampered_ballots_are_refused(
    stores: Stores, log: Log, keyring: IssuerKeyring
) -> None:
    poll = await new_poll(log, Eligibility(districts=("11680",), over19=True), hours=1)
    elsewhere = await credential_for(log, stores, keyring, MONTH, district="11110")
    minor = await credential_for(log, stores, keyring, MONTH, born=2020)
    voter = await credential_for(log, stores, keyring, MONTH)
    for resident in (elsewhere, minor):
        with pytest.raises(PollRefusal) as made:
            make_ballot(SUITE, resident, poll, "wetland")
        refused(made, PollErrorCode.NOT_ELIGIBLE)

    ballot = make_ballot(SUITE, voter, poll, "wetland").to_json()
    cases: list[tuple[dict[str, object], PollErrorCode]] = [
        ({**ballot, "option": "playground"}, PollErrorCode.INVALID_PROOF),  # swapped in transit
        ({**ballot, "option": "skate park"}, PollErrorCode.INVALID),
        (
            {**ballot, "disclosed": {"district": "11680", "over19": False}},
            PollErrorCode.NOT_ELIGIBLE,
        ),
        ({**ballot, "disclosed": {"district": "11680"}}, PollErrorCode.INVALID),
        (
            {**ballot, "disclosed": {"district": "11110", "over19": True}},
            PollErrorCode.NOT_ELIGIBLE,
        ),
        ({**ballot, "keyId": "resident-2035-02"}, PollErrorCode.NOT_ELIGIBLE),
        ({**ballot, "pseudonym": "00" * 48}, PollErrorCode.INVALID_PROOF),
        ({**ballot, "proof": ballot["proof"][:-8] + "AAAAAAA="}, PollErrorCode.INVALID_PROOF),
        ({**ballot, "poll": "poll-nothing"}, PollErrorCode.NOT_FOUND),
        ({**ballot, "proof": "%%%"}, PollErrorCode.INVALID),
        ({"poll": poll.poll_id}, PollErrorCode.INVALID),
    ]
    for data, code in cases:
        with pytest.raises(PollRefusal) as caught:
            await cast_ballot(log, SUITE, data, MONTH)
        refused(caught, code)
    with pytest.raises(PollRefusal) as late:
        await cast_ballot(log, SUITE, ballot, MONTH + timedelta(hours=2))
    refused(late, PollErrorCode.POLL_CLOSED)
    with pytest.raises(PollRefusal) as early:
        await cast_ballot(log, SUITE, ballot, MONTH - timedelta(hours=2))
    refused(early, PollErrorCode.NOT_OPEN)
    # none of that spent the vote; the order of the disclosed attributes does not matter
    reordered = dict(reversed(list(ballot["disclosed"].items())))
    await cast_ballot(log, SUITE, {**ballot, "disclosed": reordered}, MONTH)
    assert (await tally(stores.records, poll.poll_id)).counts == (1, 0, 0)


async def test_two_polls_ballots_of_one_resident_share_nothing_but_the_disclosed(
    stores: Stores, log: Log, keyring: IssuerKeyring
) -> None:
    first, second = await new_poll(log), await new_poll(log)
    voter = await credential_for(log, stores, keyring, MONTH)
    one = make_ballot(SUITE, voter, first, "wetland")
    two = make_ballot(SUITE, voter, second, "wetland")
    assert one.pseudonym != two.pseudonym
    # no 16-byte run of one ballot's pseudonym and proof appears in the other's
    a, b = one.pseudonym + one.proof, two.pseudonym + two.proof
    runs = {a[i : i + 16] for i in range(len(a) - 15)}
    assert not any(b[i : i + 16] in runs for i in range(len(b) - 15))
    assert one.disclosed == two.disclosed  # what both show openly: the district


async def test_turnout_by_district_is_exact_as_the_ballot_leaves_recount(
    stores: Stores, log: Log, keyring: IssuerKeyring
) -> None:
    poll = await new_poll(log)
    for district, voters in (("11680", 5), ("11110", 2)):
        for _ in range(voters):
            resident = await credential_for(log, stores, keyring, MONTH, district=district)
            await cast_ballot(
                log, SUITE, make_ballot(SUITE, resident, poll, "playground").to_json(), MONTH
            )
    counted = await tally(stores.records, poll.poll_id)
    assert counted.counts == (0, 7, 0)
    assert counted.turnout == {"11110": 2, "11680": 5}


async def test_polls_refuse_a_bad_definition(log: Log) -> None:
    for options, hours, field in (
        (["only one"], 1, "options"),
        (["a", "a"], 1, "options"),
        (["a", "b"], -1, "closesAt"),
    ):
        with pytest.raises(PollRefusal) as caught:
            await create_poll(
                log, "Q?", options, Eligibility(), "2035-03", MONTH, MONTH + timedelta(hours=hours)
            )
        assert caught.value.field == field
