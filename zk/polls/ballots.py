"""Making a ballot (the wallet) and checking one (the city, and every auditor), without storage."""

from __future__ import annotations

from datetime import datetime

from zk.bbs.pseudonyms import proof_gen_with_nym, proof_verify_with_nym
from zk.bbs.suites import Ciphersuite
from zk.credentials.attributes import NYM_COUNT, ORDER, encode_value, header, indexes, messages
from zk.credentials.epochs import Epoch
from zk.credentials.presentation import HeldCredential
from zk.polls.errors import PollErrorCode, PollRefusal
from zk.polls.model import Ballot, Poll, ballot_header


def make_ballot(suite: Ciphersuite, credential: HeldCredential, poll: Poll, option: str) -> Ballot:
    """A ballot for `option`, from a credential of the poll's epoch; PollRefusal if it cannot be."""
    if option not in poll.options:
        raise PollRefusal(PollErrorCode.INVALID, f"{option!r} is not an option", "option")
    if credential.epoch != poll.epoch:
        raise PollRefusal(
            PollErrorCode.NOT_ELIGIBLE,
            f"the poll takes credentials of {poll.epoch}; this one is of {credential.epoch}",
            "keyId",
        )
    values = credential.attributes.as_dict()
    shown = {name: credential.attributes.value(name) for name in poll.eligibility.disclosed()}
    if not poll.eligibility.admits(shown):
        raise PollRefusal(
            PollErrorCode.NOT_ELIGIBLE,
            f"the poll is for {poll.eligibility.to_json()}; the credential says {values}",
            "eligibility",
        )
    made = proof_gen_with_nym(
        suite,
        credential.public_key,
        credential.signature,
        header(credential.key_id),
        ballot_header(poll.poll_id, option),
        credential.nym_secrets,
        poll.context_id,
        messages(credential.attributes),
        [],
        indexes(list(shown)),
        [],
        credential.prover_blind,
    )
    return Ballot(poll.poll_id, option, credential.key_id, shown, made.pseudonym, made.proof)


def proof_length(poll: Poll) -> int:
    """The one length a ballot's proof has in this poll: 272 bytes and a scalar for each
    undisclosed message (attributes, the blind, the nym secrets)."""
    hidden = len(ORDER) - len(poll.eligibility.disclosed()) + 1 + NYM_COUNT
    return 3 * 48 + (4 + hidden) * 32


def check_shape(poll: Poll, ballot: Ballot) -> None:
    """Everything about a ballot that needs no cryptography; PollRefusal says what is wrong."""
    if ballot.poll_id != poll.poll_id:
        raise PollRefusal(PollErrorCode.INVALID, "the ballot is for another poll", "poll")
    if ballot.option not in poll.options:
        raise PollRefusal(PollErrorCode.INVALID, f"{ballot.option!r} is not an option", "option")
    if str(Epoch.of_key(ballot.key_id)) != poll.epoch:
        raise PollRefusal(
            PollErrorCode.NOT_ELIGIBLE, f"the poll takes credentials of {poll.epoch}", "keyId"
        )
    if set(ballot.disclosed) != set(poll.eligibility.disclosed()):
        wanted = ", ".join(name.value for name in poll.eligibility.disclosed())
        raise PollRefusal(
            PollErrorCode.INVALID, f"a ballot discloses exactly: {wanted}", "disclosed"
        )
    if not poll.eligibility.admits(ballot.disclosed):
        raise PollRefusal(
            PollErrorCode.NOT_ELIGIBLE, "the disclosed attributes are not eligible", "disclosed"
        )
    if len(ballot.proof) != proof_length(poll):
        raise PollRefusal(PollErrorCode.INVALID_PROOF, "the proof has the wrong length", "proof")


def check_ballot(suite: Ciphersuite, poll: Poll, ballot: Ballot, public_key: bytes) -> None:
    """Everything about a ballot but time and uniqueness; PollRefusal says what is wrong."""
    check_shape(poll, ballot)
    order = [name for name in ORDER if name in ballot.disclosed]
    if not proof_verify_with_nym(
        suite,
        public_key,
        ballot.proof,
        header(ballot.key_id),
        ballot_header(ballot.poll_id, ballot.option),
        ballot.pseudonym,
        poll.context_id,
        NYM_COUNT,
        len(ORDER),
        [encode_value(name, ballot.disclosed[name]) for name in order],
        [],
        indexes(order),
        [],
    ):
        raise PollRefusal(
            PollErrorCode.INVALID_PROOF, "the ballot's proof does not verify", "proof"
        )


def check_open(poll: Poll, now: datetime) -> None:
    if now < poll.opens_at:
        raise PollRefusal(
            PollErrorCode.NOT_OPEN, f"the poll opens at {poll.opens_at.isoformat()}", "poll"
        )
    if now >= poll.closes_at:
        raise PollRefusal(
            PollErrorCode.POLL_CLOSED, f"the poll closed at {poll.closes_at.isoformat()}", "poll"
        )
