"""RFC 9162 §2.1.1 hashing: SHA-256 with a one-byte prefix separating leaves from nodes."""

from __future__ import annotations

import hashlib

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}): the root of the empty tree."""


def hash_leaf(leaf_input: bytes) -> bytes:
    """MTH({d(0)}) = HASH(0x00 || d(0))."""
    return hashlib.sha256(LEAF_PREFIX + leaf_input).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    """HASH(0x01 || MTH(left) || MTH(right)): an interior node."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()
