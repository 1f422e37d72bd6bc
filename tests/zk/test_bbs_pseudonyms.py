"""Blind issuance and pseudonyms beyond the fixtures: both backends and both ciphersuites give
the same bytes (the SHAKE-256 suite has no fixtures here), and what must fail does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zk.bbs.blind import blind_proof_gen, blind_proof_verify, blind_sign, blind_verify, commit
from zk.bbs.curves.arkworks import ArkworksCurve
from zk.bbs.curves.pyecc import PyEccCurve
from zk.bbs.errors import BbsError
from zk.bbs.keys import key_gen, sk_to_pk
from zk.bbs.proofs import RandomScalars, seeded_random_scalars
from zk.bbs.pseudonyms import (
    NymProof,
    blind_sign_with_nym,
    commit_with_nym,
    proof_gen_with_nym,
    proof_verify_with_nym,
    pseudonym,
    verify_finalize_with_nym,
)
from zk.bbs.suites import Ciphersuite, sha256_suite, shake256_suite

ARK, PYECC = ArkworksCurve(), PyEccCurve()
SUITE_PAIRS = {
    "sha-256": (sha256_suite(ARK), sha256_suite(PYECC)),
    "shake-256": (shake256_suite(ARK), shake256_suite(PYECC)),
}
MESSAGES = [b"11680", b"true", b"false"]
COMMITTED = [b"resident-note"]
HEADER, PH = b"civicgraph test header", b"ballot:option-a"


def seeded(suite: Ciphersuite, label: bytes) -> RandomScalars:
    return seeded_random_scalars(suite, b"civicgraph seed " + label, b"civicgraph test DST")


class Issued:
    """One blind issuance with nyms on `suite`, with seeded randomness (reproducible)."""

    def __init__(self, suite: Ciphersuite, nyms: list[int], entropy: int = 77) -> None:
        self.suite = suite
        self.sk = key_gen(suite, b"k" * 32, b"civicgraph")
        self.pk = sk_to_pk(suite, self.sk)
        self.nyms = nyms
        made = commit_with_nym(suite, COMMITTED, nyms, None, seeded(suite, b"commit"))
        self.blind = made.secret_prover_blind
        self.signature = blind_sign_with_nym(
            suite,
            self.sk,
            self.pk,
            made.commitment_with_proof,
            len(nyms),
            entropy,
            HEADER,
            MESSAGES,
        )
        self.secrets = verify_finalize_with_nym(
            suite, self.pk, self.signature, HEADER, MESSAGES, COMMITTED, nyms, entropy, self.blind
        )

    def prove(self, context: bytes, disclosed: list[int], label: bytes = b"proof") -> NymProof:
        return proof_gen_with_nym(
            self.suite,
            self.pk,
            self.signature,
            HEADER,
            PH,
            self.secrets,
            context,
            MESSAGES,
            COMMITTED,
            disclosed,
            [],
            self.blind,
            None,
            seeded(self.suite, label),
        )

    def check(
        self, made: NymProof, context: bytes, disclosed: list[int], **changes: object
    ) -> bool:
        arguments: dict[str, object] = {
            "pk": self.pk,
            "proof": made.proof,
            "header": HEADER,
            "ph": PH,
            "pseudonym_octets": made.pseudonym,
            "context_id": context,
            "nym_count": len(self.nyms),
            "signer_count": len(MESSAGES),
            "disclosed_messages": [MESSAGES[i] for i in disclosed],
            "disclosed_committed_messages": [],
            "disclosed_indexes": disclosed,
            "disclosed_committed_indexes": [],
        }
        arguments.update(changes)
        return proof_verify_with_nym(self.suite, **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", list(SUITE_PAIRS))
def test_both_backends_give_the_same_pseudonym_proofs_on_both_suites(name: str) -> None:
    ark, pyecc = SUITE_PAIRS[name]
    nyms = [5, 6, 7]
    on_ark, on_pyecc = Issued(ark, nyms), Issued(pyecc, nyms)
    assert on_ark.signature == on_pyecc.signature
    assert on_ark.secrets == on_pyecc.secrets == [5, 6, 84]
    made = on_ark.prove(b"poll-1", [0])
    assert made == on_pyecc.prove(b"poll-1", [0])
    assert on_pyecc.check(made, b"poll-1", [0])
    assert on_ark.check(made, b"poll-1", [0])


@settings(max_examples=3, deadline=None)
@given(
    committed=st.lists(st.binary(max_size=16), max_size=3),
    messages=st.lists(st.binary(max_size=16), max_size=3),
    seed=st.binary(min_size=1, max_size=8),
)
def test_blind_signatures_are_byte_identical_on_both_backends(
    committed: list[bytes], messages: list[bytes], seed: bytes
) -> None:
    ark, pyecc = SUITE_PAIRS["sha-256"]
    results = []
    for suite in (ark, pyecc):
        sk = key_gen(suite, b"s" * 32)
        pk = sk_to_pk(suite, sk)
        rng = seeded_random_scalars(suite, seed, b"civicgraph blind test")
        made = commit(suite, committed, None, rng)
        signature = blind_sign(suite, sk, pk, made.commitment_with_proof, HEADER, messages)
        assert blind_verify(
            suite, pk, signature, HEADER, messages, committed, made.secret_prover_blind
        )
        proof = blind_proof_gen(
            suite,
            pk,
            signature,
            HEADER,
            PH,
            messages,
            committed,
            list(range(len(messages))),
            [],
            made.secret_prover_blind,
            None,
            rng,
        )
        assert blind_proof_verify(
            suite,
            pk,
            proof,
            HEADER,
            PH,
            len(messages),
            messages,
            [],
            list(range(len(messages))),
            [],
        )
        results.append((made.commitment_with_proof, signature, proof))
    assert results[0] == results[1]


def test_the_same_credential_gives_one_pseudonym_per_context_and_others_elsewhere() -> None:
    issued = Issued(SUITE_PAIRS["sha-256"][0], [11, 12])
    first, again = issued.prove(b"poll-1", [0], b"a"), issued.prove(b"poll-1", [0], b"b")
    other = issued.prove(b"poll-2", [0], b"c")
    assert first.pseudonym == again.pseudonym == pseudonym(issued.suite, issued.secrets, b"poll-1")
    assert first.proof != again.proof
    assert other.pseudonym != first.pseudonym
    # another resident's credential gives another pseudonym in the same poll
    assert Issued(issued.suite, [11, 13]).prove(b"poll-1", [0]).pseudonym != first.pseudonym


def test_wrong_pseudonym_context_key_header_or_bytes_are_refused() -> None:
    issued = Issued(SUITE_PAIRS["sha-256"][0], [21, 22])
    made = issued.prove(b"poll-1", [0, 1])
    assert issued.check(made, b"poll-1", [0, 1])
    other = Issued(issued.suite, [21, 23]).prove(b"poll-1", [0, 1])
    flipped = bytearray(made.proof)
    flipped[100] ^= 1
    wrong_pk = sk_to_pk(issued.suite, key_gen(issued.suite, b"w" * 32))
    for changes in (
        {"pseudonym_octets": other.pseudonym},  # someone else's pseudonym
        {"context_id": b"poll-2"},  # replayed into another poll
        {"ph": b"ballot:option-b"},  # the choice swapped in transit
        {"header": b"another header"},
        {"pk": wrong_pk},
        {"proof": bytes(flipped)},
        {"proof": made.proof[:-32]},
        {"nym_count": 1},  # fewer secrets than the signature declares
        {"disclosed_messages": [b"11110", b"true"]},  # a lie about a disclosed value
        {"disclosed_indexes": [0, 2]},
        {"pseudonym_octets": b"\x00" * 48},
        {"pseudonym_octets": b"\xc0" + b"\x00" * 47},  # the identity
        {"pseudonym_octets": made.pseudonym[:-1]},
    ):
        assert not issued.check(made, b"poll-1", [0, 1], **changes), changes


def test_issuance_refuses_what_the_drafts_forbid() -> None:
    suite = SUITE_PAIRS["sha-256"][0]
    sk = key_gen(suite, b"k" * 32)
    pk = sk_to_pk(suite, sk)
    made = commit_with_nym(suite, [], [1, 2])
    with pytest.raises(BbsError):  # more nyms declared than committed
        blind_sign_with_nym(suite, sk, pk, made.commitment_with_proof, 3, 9, HEADER, [])
    with pytest.raises(BbsError):  # no commitment at all
        blind_sign_with_nym(suite, sk, pk, b"", 1, 9, HEADER, [])
    tampered = bytearray(made.commitment_with_proof)
    tampered[-1] ^= 1
    with pytest.raises(BbsError):  # the commitment's proof fails
        blind_sign_with_nym(suite, sk, pk, bytes(tampered), 2, 9, HEADER, [])
    with pytest.raises(BbsError):  # a truncated commitment
        blind_sign(suite, sk, pk, made.commitment_with_proof[:-5], HEADER, [])
    with pytest.raises(BbsError):
        commit_with_nym(suite, [], [])
    signature = blind_sign_with_nym(suite, sk, pk, made.commitment_with_proof, 2, 9, HEADER, [])
    with pytest.raises(BbsError):  # the wrong prover blind
        verify_finalize_with_nym(
            suite, pk, signature, HEADER, [], [], [1, 2], 9, made.secret_prover_blind + 1
        )
    with pytest.raises(BbsError):  # the wrong signer entropy
        verify_finalize_with_nym(
            suite, pk, signature, HEADER, [], [], [1, 2], 8, made.secret_prover_blind
        )
