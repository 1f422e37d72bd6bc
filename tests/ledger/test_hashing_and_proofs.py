"""Hashes, roots and proof node lists against the reference tree and the RFC's own recursion.

The reference tree (`../shared/vectors/merkle/reference-tree.json`) is transparency-dev/merkle's
8-leaf tree; its values can be recomputed with hashlib as the RFC defines them.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.hashing import EMPTY_ROOT, hash_leaf
from ledger.proof import (
    NodeID,
    assemble,
    consistency_nodes,
    fold,
    inclusion_nodes,
    range_nodes,
    root_nodes,
)
from ledger.verify import verify_consistency, verify_inclusion
from tests.ledger import reference
from tests.vectors import MERKLE

TREE = json.loads((MERKLE / "reference-tree.json").read_text())
LEAVES = [bytes.fromhex(leaf) for leaf in TREE["leaf_inputs"]]


def stored_nodes(leaves: list[bytes]) -> dict[NodeID, bytes]:
    """Every complete subtree's hash, as the log stores them."""
    nodes = {NodeID(0, i): hash_leaf(leaf) for i, leaf in enumerate(leaves)}
    level = 0
    while True:
        pairs = [
            (NodeID(level + 1, i), NodeID(level, 2 * i), NodeID(level, 2 * i + 1))
            for i in range(len(leaves) >> (level + 1))
        ]
        if not pairs:
            return nodes
        for parent, left, right in pairs:
            nodes[parent] = fold([nodes[left], nodes[right]])
        level += 1


def test_leaf_hashes_match_the_reference_tree() -> None:
    assert [hash_leaf(leaf).hex() for leaf in LEAVES] == TREE["leaf_hashes"]


@pytest.mark.parametrize("size", range(9), ids=lambda n: f"size-{n}")
def test_roots_match_the_reference_tree(size: int) -> None:
    expected = next(r["root"] for r in TREE["roots_by_tree_size"] if r["tree_size"] == size)
    if size:
        assert assemble([root_nodes(size)], stored_nodes(LEAVES))[0].hex() == expected
    else:
        assert EMPTY_ROOT.hex() == expected
    assert reference.mth(LEAVES[:size]).hex() == expected


def test_every_complete_subtree_matches_the_reference_tree() -> None:
    nodes = stored_nodes(LEAVES)
    for level, hashes in enumerate(TREE["node_hashes_by_level"]["levels"]):
        assert [nodes[NodeID(level, i)].hex() for i in range(len(hashes))] == hashes


def test_range_nodes_are_largest_first_and_cover_the_range() -> None:
    assert range_nodes(0, 7) == (NodeID(2, 0), NodeID(1, 2), NodeID(0, 6))
    assert range_nodes(8, 13) == (NodeID(2, 2), NodeID(0, 12))
    assert range_nodes(4, 4) == ()


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=1, max_value=70).flatmap(
        lambda n: st.tuples(st.just(n), st.integers(0, n - 1), st.integers(1, n))
    )
)
def test_proofs_from_stored_nodes_equal_the_rfc_recursion(case: tuple[int, int, int]) -> None:
    size, index, size1 = case
    leaves = [f"leaf {i}".encode() for i in range(size)]
    nodes = stored_nodes(leaves)
    root = reference.mth(leaves)
    assert assemble([root_nodes(size)], nodes)[0] == root

    inclusion = assemble(inclusion_nodes(index, size), nodes)
    assert inclusion == reference.path(index, leaves)
    verify_inclusion(index, size, hash_leaf(leaves[index]), inclusion, root)

    consistency = assemble(consistency_nodes(size1, size), nodes)
    assert consistency == reference.proof(size1, leaves)
    verify_consistency(size1, size, consistency, reference.mth(leaves[:size1]), root)


def test_a_proof_needs_logarithmically_many_stored_nodes() -> None:
    size = 10_000_000
    for index in (0, 1, 4_999_999, size - 2, size - 1):
        named = {node for element in inclusion_nodes(index, size) for node in element}
        assert len(named) <= 2 * size.bit_length()
    named = {node for element in consistency_nodes(6_543_210, size) for node in element}
    assert len(named) <= 2 * size.bit_length()


@pytest.mark.parametrize(
    ("index", "size"), [(-1, 4), (4, 4), (0, 0)], ids=["negative", "past-end", "empty"]
)
def test_inclusion_nodes_refuse_leaves_outside_the_tree(index: int, size: int) -> None:
    with pytest.raises(ValueError, match="outside"):
        inclusion_nodes(index, size)


@pytest.mark.parametrize(("size1", "size2"), [(0, 4), (5, 4)], ids=["from-empty", "shrinking"])
def test_consistency_nodes_refuse_impossible_sizes(size1: int, size2: int) -> None:
    with pytest.raises(ValueError, match="no consistency proof"):
        consistency_nodes(size1, size2)
