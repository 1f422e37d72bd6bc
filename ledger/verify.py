"""Checking inclusion and consistency proofs (RFC 9162 §2.1.3.2, §2.1.4.2): pure, no I/O.

A client that trusts nothing of ours needs only this module, `hashing` and `checkpoint`.
Two rules beyond the RFC text, as transparency-dev/merkle's verifier has them: every hash is
exactly 32 bytes, and a consistency proof from size 0 always fails.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.errors import ProofError, ProofErrorCode, RootMismatch
from ledger.hashing import HASH_SIZE, hash_children


def _check_hashes(named: dict[str, bytes], proof: Sequence[bytes]) -> None:
    for name, value in named.items():
        if len(value) != HASH_SIZE:
            raise ProofError(
                ProofErrorCode.HASH_SIZE, f"{name} is {len(value)} bytes, not {HASH_SIZE}"
            )
    for position, value in enumerate(proof):
        if len(value) != HASH_SIZE:
            raise ProofError(
                ProofErrorCode.HASH_SIZE,
                f"proof element {position} is {len(value)} bytes, not {HASH_SIZE}",
            )


def root_from_inclusion_proof(
    leaf_index: int, tree_size: int, leaf_hash: bytes, proof: Sequence[bytes]
) -> bytes:
    """The root that `proof` leads to from `leaf_hash` (RFC 9162 §2.1.3.2 steps 1-5).

    Requires 0 <= leaf_index < tree_size; raises ProofError otherwise or when the proof has
    too many or too few elements for that position.
    """
    if leaf_index < 0 or leaf_index >= tree_size:
        raise ProofError(
            ProofErrorCode.INDEX_OUT_OF_RANGE,
            f"leaf index {leaf_index} is outside a tree of size {tree_size}",
        )
    _check_hashes({"leaf hash": leaf_hash}, proof)
    fn, sn = leaf_index, tree_size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError(ProofErrorCode.PROOF_SIZE, "the proof has too many elements")
        if fn & 1 or fn == sn:
            r = hash_children(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hash_children(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(ProofErrorCode.PROOF_SIZE, "the proof has too few elements")
    return r


def verify_inclusion(
    leaf_index: int, tree_size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise ProofError unless `proof` shows leaf `leaf_index` is in the tree with `root`."""
    _check_hashes({"root": root}, ())
    computed = root_from_inclusion_proof(leaf_index, tree_size, leaf_hash, proof)
    if computed != root:
        raise RootMismatch(root, computed)


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Raise ProofError unless `proof` shows the tree (size2, root2) extends (size1, root1).

    RFC 9162 §2.1.4.2. size1 = 0 always fails. Equal sizes need an empty proof and equal roots,
    compared as given (upstream's probes accept equal roots of any length there): the 32-byte
    rule applies where hashes enter the computation.
    """
    if size1 < 0 or size2 < size1:
        raise ProofError(ProofErrorCode.SIZE_ORDER, f"size1 {size1} must not exceed size2 {size2}")
    if size1 == 0:
        raise ProofError(
            ProofErrorCode.SIZE_ZERO, "a consistency proof from an empty tree proves nothing"
        )
    if size1 == size2:
        if proof:
            raise ProofError(ProofErrorCode.PROOF_SIZE, "equal sizes need an empty proof")
        if root1 != root2:
            raise RootMismatch(root1, root2, "root2")
        return
    _check_hashes({"root1": root1, "root2": root2}, proof)
    if not proof:
        raise ProofError(ProofErrorCode.PROOF_SIZE, "the proof is empty")
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # an exact power of 2: the old root is itself a node
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(ProofErrorCode.PROOF_SIZE, "the proof has too many elements")
        if fn & 1 or fn == sn:
            fr = hash_children(c, fr)
            sr = hash_children(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = hash_children(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(ProofErrorCode.PROOF_SIZE, "the proof has too few elements")
    if fr != root1:
        raise RootMismatch(root1, fr, "root1")
    if sr != root2:
        raise RootMismatch(root2, sr, "root2")
