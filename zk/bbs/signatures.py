"""BBS signatures (draft §3.4.3-§3.4.4, §4.2.1-§4.2.2): Sign and Verify, with the draft's checks.

Verify answers False for anything that does not verify, malformed encodings included: a
verifier learns "invalid", never a traceback. Sign raises BbsError for bad inputs.
"""

from __future__ import annotations

from collections.abc import Sequence

from zk.bbs.curves import G1, G2, R
from zk.bbs.errors import BbsError
from zk.bbs.expand import i2osp, os2ip
from zk.bbs.keys import SCALAR_LEN, sk_to_pk
from zk.bbs.suites import Ciphersuite

POINT_LEN = 48
SIGNATURE_LEN = POINT_LEN + SCALAR_LEN


def serialize(suite: Ciphersuite, elements: Sequence[object]) -> bytes:
    """Draft §4.2.4.1: points compressed, scalars as 32 bytes, (tagged) counts as 8 bytes."""
    out = bytearray()
    for element in elements:
        if isinstance(element, Count):
            out += i2osp(element.value, 8)
        elif isinstance(element, int):
            out += i2osp(element, SCALAR_LEN)
        else:
            out += suite.curve.g1_to_bytes(element)
    return bytes(out)


class Count:
    """An integer that `serialize` writes as 8 bytes (a length), not as a 32-byte scalar."""

    def __init__(self, value: int) -> None:
        self.value = value


def calculate_domain(
    suite: Ciphersuite, pk: bytes, q1: G1, h_points: Sequence[G1], header: bytes, api_id: bytes
) -> int:
    """Draft §4.2.3.1."""
    dom_octs = serialize(suite, [Count(len(h_points)), q1, *h_points]) + api_id
    dom_input = pk + dom_octs + i2osp(len(header), 8) + header
    return suite.hash_to_scalar(dom_input, api_id + b"H2S_")


def octets_to_signature(suite: Ciphersuite, octets: bytes) -> tuple[G1, int]:
    """Draft §4.2.4.3: A a non-identity point of G1, e in 1..r-1; else BbsError."""
    if len(octets) != SIGNATURE_LEN:
        raise BbsError(f"a signature is {SIGNATURE_LEN} bytes, not {len(octets)}")
    a = suite.curve.g1_from_bytes(octets[:POINT_LEN])
    if suite.curve.g1_is_identity(a):
        raise BbsError("the signature's A is the identity")
    e = os2ip(octets[POINT_LEN:])
    if not 0 < e < R:
        raise BbsError("the signature's e is not in 1..r-1")
    return a, e


def octets_to_pubkey(suite: Ciphersuite, pk: bytes) -> G2:
    """Draft §4.2.4.7: a non-identity point of G2 (subgroup-checked on decoding)."""
    w = suite.curve.g2_from_bytes(pk)
    if suite.curve.g2_is_identity(w):
        raise BbsError("the public key is the identity")
    return w


def _b(suite: Ciphersuite, generators: Sequence[G1], domain: int, scalars: Sequence[int]) -> G1:
    """B = P1 + Q_1 * domain + H_1 * msg_1 + ... + H_L * msg_L."""
    return suite.curve.g1_add(suite.p1, suite.curve.g1_multiexp(generators, [domain, *scalars]))


def sign(suite: Ciphersuite, sk: int, pk: bytes, header: bytes, messages: Sequence[bytes]) -> bytes:
    """Sign (draft §3.4.3) and CoreSign (§4.2.1): deterministic, e hashed from SK and messages."""
    if not 0 < sk < R:
        raise BbsError("the secret key is not in 1..r-1")
    if pk != sk_to_pk(suite, sk):
        raise BbsError("the public key is not the secret key's")
    api_id = suite.api_id
    scalars = suite.messages_to_scalars(messages, api_id)
    generators = suite.create_generators(len(messages) + 1, api_id)
    domain = calculate_domain(suite, pk, generators[0], generators[1:], header, api_id)
    e = suite.hash_to_scalar(serialize(suite, [sk, *scalars, domain]), api_id + b"H2S_")
    if (sk + e) % R == 0:
        raise BbsError("SK + e is 0: no signature")
    b = _b(suite, generators, domain, scalars)
    a = suite.curve.g1_mul(b, pow(sk + e, -1, R))
    return suite.curve.g1_to_bytes(a) + i2osp(e, SCALAR_LEN)


def verify(
    suite: Ciphersuite, pk: bytes, signature: bytes, header: bytes, messages: Sequence[bytes]
) -> bool:
    """Verify (draft §3.4.4): CoreVerify over the messages' scalars and generators."""
    api_id = suite.api_id
    scalars = suite.messages_to_scalars(messages, api_id)
    generators = suite.create_generators(len(messages) + 1, api_id)
    return core_verify(suite, pk, signature, generators, header, scalars, api_id)


def core_verify(
    suite: Ciphersuite,
    pk: bytes,
    signature: bytes,
    generators: Sequence[G1],
    header: bytes,
    scalars: Sequence[int],
    api_id: bytes,
) -> bool:
    """CoreVerify (draft §4.2.2): h(A, W) * h(A * e - B, BP2) == 1. Interfaces built on BBS
    (blind signatures, pseudonyms) call it with their own generators, scalars and api_id."""
    curve = suite.curve
    if len(generators) != len(scalars) + 1:
        return False
    try:
        a, e = octets_to_signature(suite, signature)
        w = octets_to_pubkey(suite, pk)
    except BbsError:
        return False
    domain = calculate_domain(suite, pk, generators[0], generators[1:], header, api_id)
    b = _b(suite, generators, domain, scalars)
    left = curve.g1_add(curve.g1_mul(a, e), curve.g1_neg(b))
    return curve.pairing_product_is_one([(a, w), (left, curve.g2_generator())])
