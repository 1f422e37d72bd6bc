"""Blind BBS signatures (draft-irtf-cfrg-bbs-blind-signatures, the fixtures' revision): the
prover commits to messages the signer never sees, the signer signs over the commitment.

Where the draft's text and its fixtures disagree, the fixtures win (their revision is the one
issued in February 2025, before the "committed disclosure" text now in the editor's copy):
- the blind interface's api_id is `ciphersuite_id || "BLIND_H2G_HM2S_"`, its blind generators
  come from `"BLIND_" || api_id`, and are (Q_2, J_1, ..., J_M);
- a signature's messages are the signer's, then the prover's blind factor (under Q_2), then
  the committed messages (under J_i); disclosed committed index j is message L + 1 + j;
- FinalizeBlindSign hashes e from serialize((SK, B)), with B already holding Q_1 * domain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zk.bbs.curves import G1, R
from zk.bbs.errors import BbsError
from zk.bbs.expand import i2osp, os2ip
from zk.bbs.keys import SCALAR_LEN, sk_to_pk
from zk.bbs.proofs import (
    RandomScalars,
    calculate_random_scalars,
    core_proof_gen,
    core_proof_verify,
    undisclosed_count,
)
from zk.bbs.signatures import POINT_LEN, Count, calculate_domain, core_verify, serialize
from zk.bbs.suites import Ciphersuite

BLIND_API = b"BLIND_H2G_HM2S_"
COMMIT_FLOOR = POINT_LEN + 2 * SCALAR_LEN


def blind_api_id(suite: Ciphersuite) -> bytes:
    return suite.ciphersuite_id + BLIND_API


def blind_generators(suite: Ciphersuite, count: int, api_id: bytes) -> list[G1]:
    """(Q_2, J_1, ..., J_{count-1}), from the "BLIND_"-prefixed api_id."""
    return suite.create_generators(count, b"BLIND_" + api_id)


@dataclass(frozen=True)
class Commitment:
    """What the prover keeps from Commit: the octets to send, and its secret blind factor."""

    commitment_with_proof: bytes
    secret_prover_blind: int


def _blind_challenge(
    suite: Ciphersuite, c: G1, cbar: G1, generators: Sequence[G1], api_id: bytes
) -> int:
    """calculate_blind_challenge: hash of (M, Q_2, J_1..J_M, C, Cbar)."""
    octets = serialize(suite, [Count(len(generators) - 1), *generators, c, cbar])
    return suite.hash_to_scalar(octets, api_id + b"H2S_")


def core_commit(
    suite: Ciphersuite,
    generators: Sequence[G1],
    scalars: Sequence[int],
    api_id: bytes,
    random_scalars: RandomScalars = calculate_random_scalars,
) -> Commitment:
    """CoreCommit: C = Q_2·blind + ΣJ_i·msg_i and a Schnorr proof that the prover knows them."""
    if len(generators) != len(scalars) + 1:
        raise BbsError("Commit needs one blind generator more than committed messages")
    curve = suite.curve
    blind, s_t, *m_t = random_scalars(len(scalars) + 2)
    c = curve.g1_multiexp(generators, [blind, *scalars])
    cbar = curve.g1_multiexp(generators, [s_t, *m_t])
    challenge = _blind_challenge(suite, c, cbar, generators, api_id)
    s_hat = (s_t + blind * challenge) % R
    m_hat = [(m_t[i] + scalars[i] * challenge) % R for i in range(len(scalars))]
    octets = serialize(suite, [c, s_hat, *m_hat, challenge])
    return Commitment(octets, blind)


def commit(
    suite: Ciphersuite,
    committed_messages: Sequence[bytes],
    api_id: bytes | None = None,
    random_scalars: RandomScalars = calculate_random_scalars,
) -> Commitment:
    """Commit: the prover's commitment to `committed_messages`, with its proof."""
    api_id = blind_api_id(suite) if api_id is None else api_id
    scalars = suite.messages_to_scalars(committed_messages, api_id)
    generators = blind_generators(suite, len(scalars) + 1, api_id)
    return core_commit(suite, generators, scalars, api_id, random_scalars)


def committed_count(commitment_with_proof: bytes) -> int:
    """M, the number of committed messages, from the octets' length (0 for no commitment)."""
    if not commitment_with_proof:
        return 0
    rest = len(commitment_with_proof) - COMMIT_FLOOR
    if rest < 0 or rest % SCALAR_LEN:
        raise BbsError("a commitment with proof is 112 + 32·M bytes")
    return rest // SCALAR_LEN


def validate_commitment(
    suite: Ciphersuite, commitment_with_proof: bytes, generators: Sequence[G1], api_id: bytes
) -> G1:
    """deserialize_and_validate_commit: the commitment point (identity for none), or BbsError."""
    curve = suite.curve
    if not commitment_with_proof:
        return curve.g1_identity()
    m = committed_count(commitment_with_proof)
    if len(generators) != m + 1:
        raise BbsError("the commitment covers another number of messages")
    c = curve.g1_from_bytes(commitment_with_proof[:POINT_LEN])
    if curve.g1_is_identity(c):
        raise BbsError("the commitment is the identity")
    scalars = []
    for start in range(POINT_LEN, len(commitment_with_proof), SCALAR_LEN):
        value = os2ip(commitment_with_proof[start : start + SCALAR_LEN])
        if not 0 < value < R:
            raise BbsError("a commitment proof scalar is not in 1..r-1")
        scalars.append(value)
    s_hat, *m_hat, challenge = scalars
    cbar = curve.g1_add(
        curve.g1_multiexp(generators, [s_hat, *m_hat]), curve.g1_mul(c, (-challenge) % R)
    )
    if _blind_challenge(suite, c, cbar, generators, api_id) != challenge:
        raise BbsError("the commitment's proof does not verify")
    return c


def finalize_blind_sign(
    suite: Ciphersuite,
    sk: int,
    pk: bytes,
    b: G1,
    generators: Sequence[G1],
    blind_gens: Sequence[G1],
    header: bytes,
    api_id: bytes,
) -> bytes:
    """FinalizeBlindSign: adds Q_1·domain to B, e = H(SK, B), A = B·1/(SK + e)."""
    curve = suite.curve
    q1, h = generators[0], list(generators[1:])
    domain = calculate_domain(suite, pk, q1, [*h, *blind_gens], header, api_id)
    b = curve.g1_add(b, curve.g1_mul(q1, domain))
    e = suite.hash_to_scalar(serialize(suite, [sk, b]), api_id + b"H2S_")
    if (sk + e) % R == 0:
        raise BbsError("SK + e is 0: no signature")
    a = curve.g1_mul(b, pow(sk + e, -1, R))
    return curve.g1_to_bytes(a) + i2osp(e, SCALAR_LEN)


def b_value(
    suite: Ciphersuite, generators: Sequence[G1], commitment: G1, scalars: Sequence[int]
) -> G1:
    """B_calculate without the domain term: P1 + ΣH_i·msg_i + commitment."""
    curve = suite.curve
    if len(generators) != len(scalars) + 1:
        raise BbsError("B needs one generator more than messages")
    b = curve.g1_add(suite.p1, commitment)
    if scalars:
        b = curve.g1_add(b, curve.g1_multiexp(list(generators[1:]), list(scalars)))
    if curve.g1_is_identity(b):
        raise BbsError("B is the identity")
    return b


def blind_sign(
    suite: Ciphersuite,
    sk: int,
    pk: bytes,
    commitment_with_proof: bytes,
    header: bytes,
    messages: Sequence[bytes],
    api_id: bytes | None = None,
) -> bytes:
    """BlindSign: sign the signer's `messages` and the prover's committed ones; BbsError if the
    commitment or its proof is invalid."""
    api_id = blind_api_id(suite) if api_id is None else api_id
    if not 0 < sk < R or pk != sk_to_pk(suite, sk):
        raise BbsError("the key pair does not match")
    m = committed_count(commitment_with_proof)
    generators = suite.create_generators(len(messages) + 1, api_id)
    blind_gens = blind_generators(suite, m + 1, api_id)
    commitment = validate_commitment(suite, commitment_with_proof, blind_gens, api_id)
    scalars = suite.messages_to_scalars(messages, api_id)
    b = b_value(suite, generators, commitment, scalars)
    return finalize_blind_sign(suite, sk, pk, b, generators, blind_gens, header, api_id)


def prepare_parameters(
    suite: Ciphersuite,
    messages: Sequence[bytes],
    committed_messages: Sequence[bytes],
    generator_count: int,
    blind_generator_count: int,
    secret_prover_blind: int | None,
    api_id: bytes,
) -> tuple[list[int], list[G1]]:
    """The scalars (signer's, then the blind if given, then committed) and the generators
    (Q_1, H_i, then Q_2, J_i) every blind operation works on."""
    if secret_prover_blind is not None and not 0 <= secret_prover_blind < R:
        raise BbsError("the prover's blind is not a scalar")
    scalars = suite.messages_to_scalars(messages, api_id)
    if secret_prover_blind is not None:
        scalars.append(secret_prover_blind)
    scalars += suite.messages_to_scalars(committed_messages, api_id)
    generators = suite.create_generators(generator_count, api_id)
    generators += blind_generators(suite, blind_generator_count, api_id)
    return scalars, generators


def blind_verify(
    suite: Ciphersuite,
    pk: bytes,
    signature: bytes,
    header: bytes,
    messages: Sequence[bytes],
    committed_messages: Sequence[bytes],
    secret_prover_blind: int = 0,
    api_id: bytes | None = None,
) -> bool:
    """Verify a blind signature (the prover's check on receipt)."""
    api_id = blind_api_id(suite) if api_id is None else api_id
    try:
        scalars, generators = prepare_parameters(
            suite,
            messages,
            committed_messages,
            len(messages) + 1,
            len(committed_messages) + 1,
            secret_prover_blind,
            api_id,
        )
    except BbsError:
        return False
    return core_verify(suite, pk, signature, generators, header, scalars, api_id)


def combined_indexes(
    signer_count: int, disclosed: Sequence[int], disclosed_committed: Sequence[int]
) -> list[int]:
    """Signer index i stays i; committed index j becomes L + 1 + j (after the blind)."""
    if any(not 0 <= i < signer_count for i in disclosed):
        raise BbsError("a disclosed index is out of range")
    return [*disclosed, *(signer_count + 1 + j for j in disclosed_committed)]


def blind_proof_gen(
    suite: Ciphersuite,
    pk: bytes,
    signature: bytes,
    header: bytes,
    ph: bytes,
    messages: Sequence[bytes],
    committed_messages: Sequence[bytes],
    disclosed_indexes: Sequence[int],
    disclosed_committed_indexes: Sequence[int],
    secret_prover_blind: int = 0,
    api_id: bytes | None = None,
    random_scalars: RandomScalars = calculate_random_scalars,
) -> bytes:
    """BlindProofGen: a BBS proof over all messages, disclosing some of either kind."""
    api_id = blind_api_id(suite) if api_id is None else api_id
    if any(not 0 <= j < len(committed_messages) for j in disclosed_committed_indexes):
        raise BbsError("a disclosed committed index is out of range")
    scalars, generators = prepare_parameters(
        suite,
        messages,
        committed_messages,
        len(messages) + 1,
        len(committed_messages) + 1,
        secret_prover_blind,
        api_id,
    )
    indexes = combined_indexes(len(messages), disclosed_indexes, disclosed_committed_indexes)
    return core_proof_gen(
        suite, pk, signature, generators, header, ph, scalars, indexes, api_id, random_scalars
    )


def committed_in_proof(
    proof: bytes,
    signer_count: int,
    disclosed_indexes: Sequence[int],
    disclosed_committed_indexes: Sequence[int],
    nym_count: int = 0,
) -> int:
    """M, the prover's committed messages a proof covers besides the blind and `nym_count` nym
    secrets (all undisclosed), from its length; BbsError when the counts cannot add up."""
    hidden = undisclosed_count(proof)
    total = len(disclosed_indexes) + len(disclosed_committed_indexes) + hidden - 1
    committed = total - signer_count - nym_count
    if committed < 0 or hidden < nym_count + 1:
        raise BbsError("the proof covers fewer messages than disclosed")
    if any(not 0 <= j < committed for j in disclosed_committed_indexes):
        raise BbsError("a disclosed committed index is out of range")
    return committed


def blind_proof_verify(
    suite: Ciphersuite,
    pk: bytes,
    proof: bytes,
    header: bytes,
    ph: bytes,
    signer_count: int,
    disclosed_messages: Sequence[bytes],
    disclosed_committed_messages: Sequence[bytes],
    disclosed_indexes: Sequence[int],
    disclosed_committed_indexes: Sequence[int],
    api_id: bytes | None = None,
) -> bool:
    """BlindProofVerify; `signer_count` is L, the number of the signer's messages."""
    api_id = blind_api_id(suite) if api_id is None else api_id
    if len(disclosed_messages) != len(disclosed_indexes):
        return False
    if len(disclosed_committed_messages) != len(disclosed_committed_indexes):
        return False
    try:
        committed = committed_in_proof(
            proof, signer_count, disclosed_indexes, disclosed_committed_indexes
        )
        scalars, generators = prepare_parameters(
            suite,
            disclosed_messages,
            disclosed_committed_messages,
            signer_count + 1,
            committed + 1,
            None,
            api_id,
        )
        indexes = combined_indexes(signer_count, disclosed_indexes, disclosed_committed_indexes)
    except BbsError:
        return False
    return core_proof_verify(suite, pk, proof, generators, header, ph, scalars, indexes, api_id)
