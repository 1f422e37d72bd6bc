"""Our own negative cases for the verifiers, beyond the upstream probes: truncated, padded,
reordered proofs, size 0, and the typed error that carries both roots."""

from __future__ import annotations

import pytest

from ledger.errors import ProofError, ProofErrorCode, RootMismatch
from ledger.hashing import EMPTY_ROOT, hash_leaf
from ledger.verify import verify_consistency, verify_inclusion
from tests.ledger import reference

LEAVES = [f"entry {i}".encode() for i in range(13)]
ROOT = reference.mth(LEAVES)
INDEX = 5
PROOF = reference.path(INDEX, LEAVES)
OLD = 6
OLD_ROOT = reference.mth(LEAVES[:OLD])
CONSISTENCY = reference.proof(OLD, LEAVES)


def test_verify_inclusion_accepts_the_rfc_proof() -> None:
    verify_inclusion(INDEX, len(LEAVES), hash_leaf(LEAVES[INDEX]), PROOF, ROOT)


@pytest.mark.parametrize(
    ("proof", "code"),
    [
        (PROOF[:-1], ProofErrorCode.PROOF_SIZE),
        ([*PROOF, PROOF[0]], ProofErrorCode.PROOF_SIZE),
        (PROOF[::-1], ProofErrorCode.ROOT_MISMATCH),
        ([PROOF[0][:31], *PROOF[1:]], ProofErrorCode.HASH_SIZE),
        ([], ProofErrorCode.PROOF_SIZE),
    ],
    ids=["truncated", "extra-element", "reordered", "short-hash", "empty"],
)
def test_verify_inclusion_rejects_a_tampered_proof(proof: list[bytes], code: str) -> None:
    with pytest.raises(ProofError) as raised:
        verify_inclusion(INDEX, len(LEAVES), hash_leaf(LEAVES[INDEX]), proof, ROOT)
    assert raised.value.code == code


def test_a_root_mismatch_carries_both_roots() -> None:
    with pytest.raises(RootMismatch) as raised:
        verify_inclusion(INDEX, len(LEAVES), hash_leaf(b"forged"), PROOF, ROOT)
    assert raised.value.expected == ROOT
    assert raised.value.computed != ROOT


@pytest.mark.parametrize(
    ("index", "size"), [(0, 0), (13, 13), (-1, 13)], ids=["size-0", "past-end", "negative"]
)
def test_verify_inclusion_rejects_positions_outside_the_tree(index: int, size: int) -> None:
    with pytest.raises(ProofError) as raised:
        verify_inclusion(index, size, hash_leaf(LEAVES[0]), [], EMPTY_ROOT)
    assert raised.value.code == ProofErrorCode.INDEX_OUT_OF_RANGE


def test_verify_consistency_accepts_the_rfc_proof() -> None:
    verify_consistency(OLD, len(LEAVES), CONSISTENCY, OLD_ROOT, ROOT)


@pytest.mark.parametrize(
    ("proof", "code"),
    [
        (CONSISTENCY[:-1], ProofErrorCode.PROOF_SIZE),
        ([*CONSISTENCY, CONSISTENCY[-1]], ProofErrorCode.PROOF_SIZE),
        (CONSISTENCY[::-1], ProofErrorCode.ROOT_MISMATCH),
        ([], ProofErrorCode.PROOF_SIZE),
    ],
    ids=["truncated", "extra-element", "reordered", "empty"],
)
def test_verify_consistency_rejects_a_tampered_proof(proof: list[bytes], code: str) -> None:
    with pytest.raises(ProofError) as raised:
        verify_consistency(OLD, len(LEAVES), proof, OLD_ROOT, ROOT)
    assert raised.value.code == code


def test_verify_consistency_rejects_a_rewritten_history() -> None:
    forked = reference.mth([b"rewritten", *LEAVES[1:OLD]])
    with pytest.raises(RootMismatch):
        verify_consistency(OLD, len(LEAVES), CONSISTENCY, forked, ROOT)


@pytest.mark.parametrize(
    ("size1", "size2", "code"),
    [
        (0, 0, ProofErrorCode.SIZE_ZERO),
        (0, 13, ProofErrorCode.SIZE_ZERO),
        (14, 13, ProofErrorCode.SIZE_ORDER),
    ],
    ids=["zero-to-zero", "zero-to-n", "shrinking"],
)
def test_verify_consistency_rejects_impossible_sizes(size1: int, size2: int, code: str) -> None:
    with pytest.raises(ProofError) as raised:
        verify_consistency(size1, size2, [], EMPTY_ROOT, EMPTY_ROOT)
    assert raised.value.code == code
