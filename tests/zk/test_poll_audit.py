"""`poll verify`'s re-tally from the log alone, on a city of its own (each case tampers with it):
counts, changed leaves named, repeated pseudonyms refused, and forged proofs built to cancel
each other in a batch caught by the random weights."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from graph.records import sqlite_url
from ledger.entries import Entry
from ledger.keys import load_signer
from tests.zk.city import City, own_city
from tests.zk.residents import SUITE, mid
from zk.bbs.curves import Backend
from zk.bbs.proofs import batch_pairing_check, seeded_random_scalars
from zk.bbs.pseudonyms import (
    proof_gen_with_nym,
)
from zk.credentials.attributes import (
    NYM_COUNT,
    ORDER,
    encode_value,
    header,
    indexes,
    messages,
)
from zk.credentials.epochs import Epoch
from zk.credentials.presentation import HeldCredential
from zk.polls import audit as auditing
from zk.polls.audit import audit_poll
from zk.polls.ballots import make_ballot
from zk.polls.model import BALLOT, Ballot, Eligibility, Poll, ballot_header
from zk.polls.service import cast_ballot, create_poll

MONTH = mid(2035, 5)


@pytest.fixture
async def city(tmp_path: Path) -> AsyncIterator[City]:
    async with own_city(sqlite_url(tmp_path / "records.sqlite3"), tmp_path) as made:
        yield made


async def resident(city: City, district: str = "11680") -> HeldCredential:
    return await city.credential(Epoch.at(MONTH), district)


async def open_poll(city: City) -> Poll:
    return await create_poll(
        city.log,
        "Traffic calming on Dosan-daero?",
        ["yes", "no"],
        Eligibility(),
        "2035-05",
        MONTH - timedelta(days=1),
        MONTH + timedelta(days=1),
    )


@pytest.mark.parametrize("workers", [1, 2])
async def test_a_clean_poll_re_tallies_to_the_same_counts(city: City, workers: int) -> None:
    poll = await open_poll(city)
    for choice in ("yes", "yes", "no", "yes"):
        voter = await resident(city)
        await cast_ballot(city.log, SUITE, make_ballot(SUITE, voter, poll, choice).to_json(), MONTH)
    audit = await audit_poll(city.records, city.log.signer.verifier, poll.poll_id, workers=workers)
    assert audit.findings == []
    assert audit.ok
    assert audit.counts == [3, 1]
    assert audit.ballots_seen == 4


async def test_a_changed_ballot_is_named_and_fails_the_audit(city: City) -> None:
    poll = await open_poll(city)
    leaves = []
    for _ in range(3):
        voter = await resident(city)
        cast = await cast_ballot(
            city.log, SUITE, make_ballot(SUITE, voter, poll, "no").to_json(), MONTH
        )
        leaves.append(cast.leaf_index)
    # someone with the database turns a "no" into a "yes" (leaf bytes and leaf hash alike)
    row = await city.log.entry(leaves[1])
    body = dict(Entry.decode(row.leaf_input).body)
    body["option"] = "yes"
    changed = Entry(BALLOT, poll.poll_id, body).encode()
    from ledger.hashing import hash_leaf

    await city.records.query(
        "UPDATE log_entry SET leaf_input = ?, leaf_hash = ? WHERE leaf_index = ?",
        [changed, hash_leaf(changed), leaves[1]],
    )
    audit = await audit_poll(city.records, city.log.signer.verifier, poll.poll_id, workers=1)
    assert not audit.ok
    problems = {(f.leaf_index, f.problem) for f in audit.findings}
    assert (None, "the leaves do not hash to the signed tree head") in problems
    assert (leaves[1], "the ballot's proof does not verify") in problems  # the choice is bound
    assert audit.counts == [0, 2]


async def test_a_second_ballot_of_a_credential_written_into_the_log_is_not_counted(
    city: City,
) -> None:
    poll = await open_poll(city)
    voter = await resident(city)
    first = make_ballot(SUITE, voter, poll, "yes")
    await cast_ballot(city.log, SUITE, first.to_json(), MONTH)
    # the city itself appends a second ballot of the same credential, bypassing the check
    second = make_ballot(SUITE, voter, poll, "no")
    appended = await city.log.append([Entry(BALLOT, poll.poll_id, second.to_json())])
    audit = await audit_poll(city.records, city.log.signer.verifier, poll.poll_id, workers=1)
    assert [(f.leaf_index, f.problem) for f in audit.findings] == [
        (appended.first_index, "a second ballot of the same credential")
    ]
    assert audit.counts == [1, 0]


def forged_pair(voter: HeldCredential, poll: Poll) -> list[Ballot]:
    """Two ballots whose proofs pass their challenge but not their pairing equation, made so
    that the two errors cancel in an unweighted sum.

    ProofGen never checks the signature it is given: with (A, e') for e' != e it makes a proof
    whose Bbar is off by Abar·(e - e'). Both proofs come from one A, so Abar_2 = k·Abar_1 with
    k known to the forger (from the r1, r2 it drew): choosing e - e'_2 = -(e - e'_1)/k makes
    the errors cancel."""
    r = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
    a_octets, e = voter.signature[:48], int.from_bytes(voter.signature[48:], "big")
    draws = [seeded_random_scalars(SUITE, bytes([n]) * 8, b"forger") for n in (1, 2)]
    shown = poll.eligibility.disclosed()
    # ProofGen draws 5 + U scalars, r1 and r2 first (U: the undisclosed messages, blind, nyms)
    count = 5 + len(ORDER) - len(shown) + 1 + NYM_COUNT
    r1a, r2a = draws[0](count)[:2]
    r1b, r2b = draws[1](count)[:2]
    k = r1b * r2b * pow(r1a * r2a, -1, r) % r
    deltas = [1, (-pow(k, -1, r)) % r]
    ballots = []
    for option, delta, draw in zip(("yes", "no"), deltas, draws, strict=True):
        fake = a_octets + ((e - delta) % r).to_bytes(32, "big")
        made = proof_gen_with_nym(
            SUITE,
            voter.public_key,
            fake,
            header(voter.key_id),
            ballot_header(poll.poll_id, option),
            voter.nym_secrets,
            poll.context_id,
            messages(voter.attributes),
            [],
            indexes(list(shown)),
            [],
            voter.prover_blind,
            None,
            draw,
        )
        disclosed = {name: voter.attributes.value(name) for name in shown}
        ballots.append(
            Ballot(poll.poll_id, option, voter.key_id, disclosed, made.pseudonym, made.proof)
        )
    return ballots


async def test_forged_proofs_built_to_cancel_are_caught_by_the_random_weights(city: City) -> None:
    poll = await open_poll(city)
    voter = await resident(city)
    forged = forged_pair(voter, poll)
    order = [name for name in ORDER if name in poll.eligibility.disclosed()]
    works = [
        auditing._Work(
            i,
            b.proof,
            ballot_header(poll.poll_id, b.option),
            b.pseudonym,
            tuple(encode_value(n, b.disclosed[n]) for n in order),
            tuple(indexes(order)),
        )
        for i, b in enumerate(forged)
    ]
    shape = auditing._Shape(
        Backend.ARKWORKS, voter.public_key, header(voter.key_id), poll.context_id
    )
    # each passes its challenge, each fails alone
    verifier = auditing._verifier(shape)
    pairs: list[tuple[object, object]] = []
    for work in works:
        scalars = SUITE.messages_to_scalars(list(work.disclosed), verifier.api_id)
        assert verifier.verify(
            work.proof,
            work.ph,
            work.pseudonym,
            scalars,
            work.indexes,
            lambda a, b: pairs.append((a, b)),
        )
    assert auditing.check_each(shape, works) == [0, 1]
    # the attack is real: without weights the pair passes together
    assert batch_pairing_check(SUITE, voter.public_key, pairs, [1, 1])
    # with random weights it does not
    assert not batch_pairing_check(SUITE, voter.public_key, pairs, [3, 5])
    failed, abar, bbar = auditing.check_chunk(shape, works)
    assert failed == []
    curve = SUITE.curve
    assert not batch_pairing_check(
        SUITE, voter.public_key, [(curve.g1_from_bytes(abar), curve.g1_from_bytes(bbar))], [1]
    )
    # and the audit names both when the city writes them into its log
    honest = await resident(city)
    await cast_ballot(city.log, SUITE, make_ballot(SUITE, honest, poll, "yes").to_json(), MONTH)
    appended = await city.log.append([Entry(BALLOT, poll.poll_id, b.to_json()) for b in forged])
    audit = await audit_poll(city.records, city.log.signer.verifier, poll.poll_id, workers=1)
    named = [
        f.leaf_index for f in audit.findings if f.problem == "the ballot's proof does not verify"
    ]
    assert named == [appended.first_index, appended.first_index + 1]
    assert audit.counts == [1, 0]


async def test_an_audit_without_the_poll_or_with_another_log_key_says_so(city: City) -> None:
    poll = await open_poll(city)
    missing = await audit_poll(city.records, city.log.signer.verifier, "poll-none", workers=1)
    assert missing.poll is None
    assert "no poll.created leaf for poll-none" in json.dumps([f.problem for f in missing.findings])
    other = load_signer(
        Path(city.keyring.directory.parent) / "other.pem", "audit.test/log"
    ).verifier
    wrong = await audit_poll(city.records, other, poll.poll_id, workers=1)
    assert not wrong.ok
    assert "does not verify" in wrong.findings[0].problem
