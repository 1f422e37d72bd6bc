"""BBS hashing and keys against the CFRG fixtures (SHA-256 suite) and RFC 9380's XOF vectors.

Fixtures: ../shared/vectors/bbs/bls12-381-sha-256 (draft-irtf-cfrg-bbs-signatures -06 to -09).
XOF vectors: RFC 9380 Appendix K.6, as in cfrg/draft-irtf-cfrg-hash-to-curve
poc/vectors/expand_message_xof_SHAKE256_36.json (commit d925acd).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.vectors import VECTORS
from zk.bbs.curves.arkworks import ArkworksCurve
from zk.bbs.errors import BbsError
from zk.bbs.expand import expand_message_xmd, expand_message_xof
from zk.bbs.keys import key_gen, sk_to_pk
from zk.bbs.suites import Ciphersuite, sha256_suite

FIXTURES = VECTORS / "bbs" / "bls12-381-sha-256"
SUITE = sha256_suite(ArkworksCurve())
XOF_DST = b"QUUX-V01-CS02-with-expander-SHAKE256"


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return loaded


@pytest.mark.parametrize(
    ("msg", "length", "expected"),
    [
        (b"", 0x20, "2ffc05c48ed32b95d72e807f6eab9f7530dd1c2f013914c8fed38c5ccc15ad76"),
        (b"abc", 0x20, "b39e493867e2767216792abce1f2676c197c0692aed061560ead251821808e07"),
        (
            b"abcdef0123456789",
            0x20,
            "245389cf44a13f0e70af8665fe5337ec2dcd138890bb7901c4ad9cfceb054b65",
        ),
        (
            b"abc",
            0x80,
            "a54303e6b172909783353ab05ef08dd435a558c3197db0c132134649708e0b9b4e34fb99b92a9e9e28fc"
            "1f1d8860d85897a8e021e6382f3eea10577f968ff6df6c45fe624ce65ca25932f679a42a404bc3681efe"
            "03fcd45ef73bb3a8f79ba784f80f55ea8a3c367408f30381299617f50c8cf8fbb21d0f1e1d70b0131a7b6fbe",
        ),
    ],
    ids=["empty-32", "abc-32", "abcdef-32", "abc-128"],
)
def test_expand_message_xof_matches_rfc_9380(msg: bytes, length: int, expected: str) -> None:
    assert expand_message_xof(msg, XOF_DST, length).hex() == expected


def test_a_dst_over_255_bytes_is_refused() -> None:
    with pytest.raises(BbsError):
        expand_message_xmd(b"", b"d" * 256, 32)
    with pytest.raises(BbsError):
        SUITE.hash_to_scalar(b"", b"d" * 256)


def test_key_gen_and_sk_to_pk_match_the_keypair_fixture(suite: Ciphersuite) -> None:
    data = fixture("keypair.json")
    sk = key_gen(
        suite,
        bytes.fromhex(data["keyMaterial"]),
        bytes.fromhex(data["keyInfo"]),
        bytes.fromhex(data["keyDst"]),
    )
    assert sk.to_bytes(32, "big").hex() == data["keyPair"]["secretKey"]
    assert sk_to_pk(suite, sk).hex() == data["keyPair"]["publicKey"]


def test_key_gen_refuses_short_key_material() -> None:
    with pytest.raises(BbsError, match="32 bytes"):
        key_gen(SUITE, b"short")


def test_generators_match_the_fixture(suite: Ciphersuite) -> None:
    data = fixture("generators.json")
    curve = suite.curve
    assert curve.g1_to_bytes(suite.p1).hex() == data["P1"]
    made = suite.create_generators(1 + len(data["MsgGenerators"]), suite.api_id)
    assert curve.g1_to_bytes(made[0]).hex() == data["Q1"]
    assert [curve.g1_to_bytes(point).hex() for point in made[1:]] == data["MsgGenerators"]


def test_hash_to_scalar_matches_the_fixture() -> None:
    data = fixture("h2s.json")
    scalar = SUITE.hash_to_scalar(bytes.fromhex(data["message"]), bytes.fromhex(data["dst"]))
    assert scalar.to_bytes(32, "big").hex() == data["scalar"]


def test_messages_to_scalars_match_the_fixture() -> None:
    data = fixture("MapMessageToScalarAsHash.json")
    assert bytes.fromhex(data["dst"]) == SUITE.api_id + b"MAP_MSG_TO_SCALAR_AS_HASH_"
    messages = [bytes.fromhex(case["message"]) for case in data["cases"]]
    scalars = SUITE.messages_to_scalars(messages, SUITE.api_id)
    assert [s.to_bytes(32, "big").hex() for s in scalars] == [c["scalar"] for c in data["cases"]]


def test_points_outside_the_subgroup_are_refused_on_both_backends(suite: Ciphersuite) -> None:
    from py_ecc.bls.hash_to_curve import map_to_curve_G1
    from py_ecc.bls.point_compression import compress_G1
    from py_ecc.fields import optimized_bls12_381_FQ as FQ

    on_curve_only = map_to_curve_G1(FQ(7))  # no cofactor clearing: not in G1's subgroup
    encoded = int(compress_G1(on_curve_only)).to_bytes(48, "big")
    with pytest.raises(BbsError):
        suite.curve.g1_from_bytes(encoded)
    with pytest.raises(BbsError):
        suite.curve.g1_from_bytes(b"\x00" * 47)
