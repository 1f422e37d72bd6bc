"""Which stored nodes a root or a proof needs (RFC 9162 §2.1.3.1, §2.1.4.1), and how to fold them.

The log keeps the hash of every complete (perfect) subtree. Any range the RFC's recursion asks
for is a run of such subtrees, largest first, and its hash folds them right to left; at most
one element of a proof is such a run, so a proof needs O(log n) stored hashes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from ledger.hashing import EMPTY_ROOT, hash_children


class NodeID(NamedTuple):
    """The complete subtree of 2**level leaves starting at leaf position * 2**level.

    A named tuple: equal to, and hashed as, the plain (level, index) the store returns.
    """

    level: int
    position: int

    @property
    def begin(self) -> int:
        return self.position << self.level

    @property
    def end(self) -> int:
        return (self.position + 1) << self.level


Element = tuple[NodeID, ...]
"""One proof element: the complete subtrees whose folded hash it is."""


def largest_power_of_two_below(n: int) -> int:
    """k, the largest power of two smaller than n (RFC 9162 §2.1.1). Requires n > 1."""
    return 1 << ((n - 1).bit_length() - 1)


def range_nodes(begin: int, end: int) -> Element:
    """The complete subtrees covering leaves [begin, end), largest first.

    Requires begin to be a multiple of the largest power of two not above end - begin, as every
    range of the RFC's recursion is.
    """
    nodes = []
    while begin < end:
        level = (end - begin).bit_length() - 1
        while begin & ((1 << level) - 1):
            level -= 1
        nodes.append(NodeID(level, begin >> level))
        begin += 1 << level
    return tuple(nodes)


def fold(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its complete subtrees' hashes, largest first: folded right to left."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = hash_children(left, result)
    return result


def root_nodes(size: int) -> Element:
    """The complete subtrees of a tree of `size` leaves: MTH(D[size]) is their fold."""
    return range_nodes(0, size)


def inclusion_nodes(index: int, size: int) -> list[Element]:
    """PATH(index, D[size]), leaf first, as runs of complete subtrees.

    Requires 0 <= index < size.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is outside a tree of size {size}")
    path: list[Element] = []
    begin, end = 0, size
    while end - begin > 1:
        k = largest_power_of_two_below(end - begin)
        if index < begin + k:
            path.append(range_nodes(begin + k, end))
            end = begin + k
        else:
            path.append(range_nodes(begin, begin + k))
            begin += k
    return path[::-1]


def consistency_nodes(size1: int, size2: int) -> list[Element]:
    """PROOF(size1, D[size2]) = SUBPROOF(size1, D[size2], true). Requires 0 < size1 <= size2."""
    if not 0 < size1 <= size2:
        raise ValueError(f"no consistency proof from size {size1} to size {size2}")
    proof: list[Element] = []
    begin, end, m, whole = 0, size2, size1, True
    while m != end - begin:
        k = largest_power_of_two_below(end - begin)
        if m <= k:
            proof.append(range_nodes(begin + k, end))
            end = begin + k
        else:
            proof.append(range_nodes(begin, begin + k))
            begin += k
            m -= k
            whole = False
    if not whole:
        proof.append(range_nodes(begin, end))
    return proof[::-1]


def assemble(
    elements: Sequence[Element], hashes: Mapping[NodeID, bytes] | Mapping[tuple[int, int], bytes]
) -> list[bytes]:
    """The proof's hashes from the stored hashes of the nodes its elements name."""
    return [fold([hashes[node] for node in element]) for element in elements]


def needed(elements: Sequence[Element]) -> set[NodeID]:
    """Every stored node the elements name: what the store fetches in one read."""
    return {node for element in elements for node in element}
