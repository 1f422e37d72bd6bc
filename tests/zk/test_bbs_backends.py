"""The two curve backends give byte-identical keys, signatures and proofs (Hypothesis).

Proofs use the draft's seeded scalars, so both backends draw the same randomness; a proof made
on one verifies on the other.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.zk.conftest import SUITES
from zk.bbs.keys import key_gen, sk_to_pk
from zk.bbs.proofs import proof_gen, proof_verify, seeded_random_scalars
from zk.bbs.signatures import sign

ARKWORKS, PYECC = SUITES["arkworks"], SUITES["py-ecc"]


@settings(max_examples=4, deadline=None)
@given(
    key_material=st.binary(min_size=32, max_size=48),
    header=st.binary(max_size=24),
    messages=st.lists(st.binary(max_size=40), min_size=1, max_size=4),
    disclose=st.integers(min_value=0, max_value=15),
    seed=st.binary(min_size=1, max_size=16),
)
def test_both_backends_produce_the_same_bytes(
    key_material: bytes, header: bytes, messages: list[bytes], disclose: int, seed: bytes
) -> None:
    sk = key_gen(ARKWORKS, key_material)
    assert key_gen(PYECC, key_material) == sk
    pk = sk_to_pk(ARKWORKS, sk)
    assert sk_to_pk(PYECC, sk) == pk
    signature = sign(ARKWORKS, sk, pk, header, messages)
    assert sign(PYECC, sk, pk, header, messages) == signature
    indexes = [i for i in range(len(messages)) if disclose >> i & 1]
    proofs = [
        proof_gen(
            suite,
            pk,
            signature,
            header,
            b"nonce",
            messages,
            indexes,
            seeded_random_scalars(suite, seed, b"civicgraph test scalars"),
        )
        for suite in (ARKWORKS, PYECC)
    ]
    assert proofs[0] == proofs[1]
    disclosed = [messages[i] for i in indexes]
    assert proof_verify(PYECC, pk, proofs[0], header, b"nonce", disclosed, indexes)
    assert proof_verify(ARKWORKS, pk, proofs[1], header, b"nonce", disclosed, indexes)
