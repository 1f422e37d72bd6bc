"""BBS proofs of knowledge of a signature with selective disclosure (draft §3.4.5-§3.4.6,
§4.2.3-§4.2.4, §4.3): ProofGen and ProofVerify.

ProofVerify answers False for anything that does not verify, malformed encodings included.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from zk.bbs.curves import G1, R
from zk.bbs.errors import BbsError
from zk.bbs.expand import i2osp, os2ip
from zk.bbs.keys import SCALAR_LEN
from zk.bbs.signatures import (
    POINT_LEN,
    Count,
    calculate_domain,
    octets_to_pubkey,
    octets_to_signature,
    serialize,
)
from zk.bbs.suites import EXPAND_LEN, Ciphersuite

RandomScalars = Callable[[int], list[int]]
DeferPairing = Callable[[G1, G1], None]
"""Receives (Abar, Bbar) of a proof whose pairing check is left to a batch."""
PROOF_FLOOR = 3 * POINT_LEN + 4 * SCALAR_LEN


def calculate_random_scalars(count: int) -> list[int]:
    """Draft §4.2.1: OS2IP(get_random(expand_len)) mod r, from the OS's CSPRNG."""
    return [os2ip(secrets.token_bytes(EXPAND_LEN)) % R for _ in range(count)]


def seeded_random_scalars(suite: Ciphersuite, seed: bytes, dst: bytes) -> RandomScalars:
    """Draft Appendix "Mocked Random Scalars": deterministic scalars, for the fixtures only."""

    def scalars(count: int) -> list[int]:
        if count * EXPAND_LEN > 65535:
            raise BbsError("too many mocked scalars")
        v = suite.expand_message(seed, dst, EXPAND_LEN * count)
        return [os2ip(v[i * EXPAND_LEN : (i + 1) * EXPAND_LEN]) % R for i in range(count)]

    return scalars


@dataclass(frozen=True)
class _Init:
    abar: G1
    bbar: G1
    d: G1
    t1: G1
    t2: G1
    domain: int


@dataclass(frozen=True)
class Extension:
    """More statements proven under the same challenge (the pseudonym draft's): points hashed
    between T2 and the domain, and octets hashed after the presentation header."""

    points: Sequence[G1] = ()
    suffix: bytes = b""


ExtendProof = Callable[[list[int], list[int]], Extension]
"""At proof generation: (undisclosed scalars, their random m~) -> the extension."""
ExtendVerify = Callable[[list[int], int], Extension]
"""At verification: (the proof's m^ of the undisclosed messages, challenge) -> the extension."""


def _indexes(disclosed: Sequence[int], count: int) -> list[int]:
    ordered = list(disclosed)
    if ordered != sorted(set(ordered)) or any(not 0 <= i < count for i in ordered):
        raise BbsError("disclosed indexes must be ascending, distinct and in 0..L-1")
    return ordered


def _challenge(
    suite: Ciphersuite,
    init: _Init,
    disclosed: Sequence[int],
    disclosed_scalars: Sequence[int],
    ph: bytes,
    api_id: bytes,
    extension: Extension,
) -> int:
    """ProofChallengeCalculate (draft §4.3.4), extended as the pseudonym draft does."""
    items: list[object] = [Count(len(disclosed))]
    for index, scalar in zip(disclosed, disclosed_scalars, strict=True):
        items += [Count(index), scalar]
    items += [init.abar, init.bbar, init.d, init.t1, init.t2, *extension.points, init.domain]
    c_octs = serialize(suite, items) + i2osp(len(ph), 8) + ph + extension.suffix
    return suite.hash_to_scalar(c_octs, api_id + b"H2S_")


def proof_gen(
    suite: Ciphersuite,
    pk: bytes,
    signature: bytes,
    header: bytes,
    ph: bytes,
    messages: Sequence[bytes],
    disclosed_indexes: Sequence[int],
    random_scalars: RandomScalars = calculate_random_scalars,
) -> bytes:
    """ProofGen (draft §3.4.5): CoreProofGen over the messages' scalars and generators."""
    api_id = suite.api_id
    scalars = suite.messages_to_scalars(messages, api_id)
    generators = suite.create_generators(len(messages) + 1, api_id)
    return core_proof_gen(
        suite,
        pk,
        signature,
        generators,
        header,
        ph,
        scalars,
        disclosed_indexes,
        api_id,
        random_scalars,
    )


def core_proof_gen(
    suite: Ciphersuite,
    pk: bytes,
    signature: bytes,
    generators: Sequence[G1],
    header: bytes,
    ph: bytes,
    scalars: Sequence[int],
    disclosed_indexes: Sequence[int],
    api_id: bytes,
    random_scalars: RandomScalars = calculate_random_scalars,
    extend: ExtendProof | None = None,
) -> bytes:
    """CoreProofGen (draft §4.3.1) with ProofInit and ProofFinalize; raises BbsError."""
    curve = suite.curve
    if len(generators) != len(scalars) + 1:
        raise BbsError("ProofGen needs one generator more than messages")
    a, e = octets_to_signature(suite, signature)
    disclosed = _indexes(disclosed_indexes, len(scalars))
    undisclosed = [j for j in range(len(scalars)) if j not in set(disclosed)]
    randoms = random_scalars(5 + len(undisclosed))
    r1, r2, e_t, r1_t, r3_t, *m_t = randoms
    q1, h = generators[0], generators[1:]
    domain = calculate_domain(suite, pk, q1, h, header, api_id)
    b = curve.g1_add(suite.p1, curve.g1_multiexp(generators, [domain, *scalars]))
    d = curve.g1_mul(b, r2)
    abar = curve.g1_mul(a, r1 * r2 % R)
    bbar = curve.g1_add(curve.g1_mul(d, r1), curve.g1_neg(curve.g1_mul(abar, e)))
    t1 = curve.g1_multiexp([abar, d], [e_t, r1_t])
    t2 = curve.g1_multiexp([d, *(h[j] for j in undisclosed)], [r3_t, *m_t])
    init = _Init(abar, bbar, d, t1, t2, domain)
    hidden = [scalars[j] for j in undisclosed]
    extension = extend(hidden, m_t) if extend is not None else Extension()
    c = _challenge(suite, init, disclosed, [scalars[i] for i in disclosed], ph, api_id, extension)
    r3 = pow(r2, -1, R)
    e_hat = (e_t + e * c) % R
    r1_hat = (r1_t - r1 * c) % R
    r3_hat = (r3_t - r3 * c) % R
    m_hat = [(m_t[k] + hidden[k] * c) % R for k in range(len(undisclosed))]
    return serialize(suite, [abar, bbar, d, e_hat, r1_hat, r3_hat, *m_hat, c])


def undisclosed_count(proof: bytes) -> int:
    """U, the number of undisclosed messages a proof of this length covers; BbsError if the
    length is not 272 + 32·U bytes."""
    if len(proof) < PROOF_FLOOR or (len(proof) - 3 * POINT_LEN) % SCALAR_LEN:
        raise BbsError("a proof is 272 + 32·U bytes")
    return (len(proof) - PROOF_FLOOR) // SCALAR_LEN


def _octets_to_proof(suite: Ciphersuite, proof: bytes) -> tuple[list[G1], list[int]]:
    """Draft §4.2.4.5: three non-identity G1 points, then scalars each in 1..r-1."""
    undisclosed_count(proof)
    points = []
    for k in range(3):
        point = suite.curve.g1_from_bytes(proof[k * POINT_LEN : (k + 1) * POINT_LEN])
        if suite.curve.g1_is_identity(point):
            raise BbsError("a proof point is the identity")
        points.append(point)
    scalars = []
    for start in range(3 * POINT_LEN, len(proof), SCALAR_LEN):
        value = os2ip(proof[start : start + SCALAR_LEN])
        if not 0 < value < R:
            raise BbsError("a proof scalar is not in 1..r-1")
        scalars.append(value)
    return points, scalars


def proof_verify(
    suite: Ciphersuite,
    pk: bytes,
    proof: bytes,
    header: bytes,
    ph: bytes,
    disclosed_messages: Sequence[bytes],
    disclosed_indexes: Sequence[int],
) -> bool:
    """ProofVerify (draft §3.4.6): CoreProofVerify over the disclosed messages' scalars."""
    try:
        total = len(disclosed_indexes) + undisclosed_count(proof)
    except BbsError:
        return False
    api_id = suite.api_id
    disclosed_scalars = suite.messages_to_scalars(disclosed_messages, api_id)
    generators = suite.create_generators(total + 1, api_id)
    return core_proof_verify(
        suite, pk, proof, generators, header, ph, disclosed_scalars, disclosed_indexes, api_id
    )


def core_proof_verify(
    suite: Ciphersuite,
    pk: bytes,
    proof: bytes,
    generators: Sequence[G1],
    header: bytes,
    ph: bytes,
    disclosed_scalars: Sequence[int],
    disclosed_indexes: Sequence[int],
    api_id: bytes,
    extend: ExtendVerify | None = None,
    *,
    domain: int | None = None,
    defer_pairing: DeferPairing | None = None,
    disclosed_point: Callable[[int], G1] | None = None,
) -> bool:
    """CoreProofVerify (draft §4.3.2) with ProofVerifyInit; False for anything malformed.

    For many proofs under one key and generator set (a poll's ballots), the caller may pass
    the `domain` it computed once, and `defer_pairing`: then the final pairing equation is
    not checked here but handed over as (Abar, Bbar), for one randomised batch check of all
    (`batch_pairing_check`), and True means "valid if that check passes". Ballots disclosing
    the same values share P1 + Q_1·domain + ΣH_i·msg_i: `disclosed_point(domain)` may return
    it from the caller's cache."""
    curve = suite.curve
    try:
        (abar, bbar, d), scalars = _octets_to_proof(suite, proof)
        w = octets_to_pubkey(suite, pk) if defer_pairing is None else None
        e_hat, r1_hat, r3_hat, *m_hat, c = scalars
        total = len(disclosed_indexes) + len(m_hat)
        disclosed = _indexes(disclosed_indexes, total)
    except BbsError:
        return False
    if len(disclosed_scalars) != len(disclosed) or len(generators) != total + 1:
        return False
    q1, h = generators[0], generators[1:]
    undisclosed = [j for j in range(total) if j not in set(disclosed)]
    if domain is None:
        domain = calculate_domain(suite, pk, q1, h, header, api_id)
    t1 = curve.g1_multiexp([bbar, abar, d], [c, e_hat, r1_hat])
    if disclosed_point is not None:
        bv = disclosed_point(domain)
    else:
        bv = curve.g1_add(
            suite.p1,
            curve.g1_multiexp([q1, *(h[i] for i in disclosed)], [domain, *disclosed_scalars]),
        )
    t2 = curve.g1_multiexp([bv, d, *(h[j] for j in undisclosed)], [c, r3_hat, *m_hat])
    init = _Init(abar, bbar, d, t1, t2, domain)
    try:
        extension = extend(m_hat, c) if extend is not None else Extension()
    except BbsError:
        return False
    if _challenge(suite, init, disclosed, disclosed_scalars, ph, api_id, extension) != c:
        return False
    if defer_pairing is not None:
        defer_pairing(abar, bbar)
        return True
    return curve.pairing_product_is_one([(abar, w), (curve.g1_neg(bbar), curve.g2_generator())])


def batch_pairing_check(
    suite: Ciphersuite, pk: bytes, pairs: Sequence[tuple[G1, G1]], weights: Sequence[int]
) -> bool:
    """e(Σρ_i·Abar_i, W) · e(−Σρ_i·Bbar_i, BP2) == 1: the pairing equations of many proofs
    under one key at the cost of one, with random nonzero weights ρ_i drawn by the verifier.

    Without the weights, two forged proofs whose errors cancel (Bbar_1 + Δ, Bbar_2 − Δ) would
    pass together; with them, a forger must guess ρ_1/ρ_2, a chance of 1 in r."""
    curve = suite.curve
    if not pairs:
        return True
    if len(weights) != len(pairs) or any(not 0 < rho < R for rho in weights):
        raise BbsError("one weight in 1..r-1 per proof")
    try:
        w = octets_to_pubkey(suite, pk)
    except BbsError:
        return False
    abar = curve.g1_multiexp([a for a, _ in pairs], list(weights))
    bbar = curve.g1_multiexp([b for _, b in pairs], list(weights))
    return curve.pairing_product_is_one([(abar, w), (curve.g1_neg(bbar), curve.g2_generator())])
