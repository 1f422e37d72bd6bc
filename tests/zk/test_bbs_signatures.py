"""BBS Sign and Verify: every signature fixture, and our own malformed-encoding cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.vectors import VECTORS
from zk.bbs.curves import R
from zk.bbs.curves.arkworks import ArkworksCurve
from zk.bbs.errors import BbsError
from zk.bbs.signatures import sign, verify
from zk.bbs.suites import Ciphersuite, sha256_suite

SIGNATURES = sorted((VECTORS / "bbs" / "bls12-381-sha-256" / "signature").glob("*.json"))
SUITE = sha256_suite(ArkworksCurve())


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def parts(case: dict[str, Any]) -> tuple[int, bytes, bytes, list[bytes], bytes]:
    keys = case["signerKeyPair"]
    return (
        int(keys["secretKey"], 16),
        bytes.fromhex(keys["publicKey"]),
        bytes.fromhex(case["header"]),
        [bytes.fromhex(m) for m in case["messages"]],
        bytes.fromhex(case["signature"]),
    )


def test_every_fixture_is_here() -> None:
    assert len(SIGNATURES) == 10


@pytest.mark.parametrize("path", SIGNATURES, ids=lambda p: p.stem)
def test_verify_agrees_with_the_fixture_and_sign_reproduces_valid_ones(
    path: Path, suite: Ciphersuite
) -> None:
    case = load(path)
    sk, pk, header, messages, signature = parts(case)
    assert verify(suite, pk, signature, header, messages) is case["result"]["valid"]
    if case["result"]["valid"]:
        assert sign(suite, sk, pk, header, messages) == signature


VALID = load(SIGNATURES[3])  # signature004: ten messages


def with_bytes(signature: bytes, at: int, value: bytes) -> bytes:
    return signature[:at] + value + signature[at + len(value) :]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s[:-1],
        lambda s: s + b"\x00",
        lambda s: with_bytes(s, 0, bytes([s[0] ^ 0x01])),
        lambda s: with_bytes(s, 0, b"\xc0" + bytes(47)),  # A = the identity
        lambda s: with_bytes(s, 48, bytes(32)),  # e = 0
        lambda s: with_bytes(s, 48, R.to_bytes(32, "big")),  # e = r
        lambda s: with_bytes(s, 79, bytes([s[79] ^ 0x01])),
        lambda s: b"",
    ],
    ids=["short", "long", "A-bit", "A-identity", "e-zero", "e-order", "e-bit", "empty"],
)
def test_a_malformed_or_tampered_signature_is_invalid(tamper: Any) -> None:
    _, pk, header, messages, signature = parts(VALID)
    assert verify(SUITE, pk, tamper(signature), header, messages) is False


@pytest.mark.parametrize(
    "pk",
    [b"", bytes(96), b"\xc0" + bytes(95), bytes.fromhex(VALID["signerKeyPair"]["publicKey"])[:-1]],
    ids=["empty", "zeros", "identity", "short"],
)
def test_a_malformed_public_key_is_invalid(pk: bytes) -> None:
    _, _, header, messages, signature = parts(VALID)
    assert verify(SUITE, pk, signature, header, messages) is False


def test_sign_refuses_a_key_pair_that_does_not_match() -> None:
    sk, pk, header, messages, _ = parts(VALID)
    with pytest.raises(BbsError, match="not the secret key's"):
        sign(SUITE, sk + 1, pk, header, messages)
    with pytest.raises(BbsError, match=r"1\.\.r-1"):
        sign(SUITE, 0, pk, header, messages)
