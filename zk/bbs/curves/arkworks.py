"""The default backend: py-arkworks-bls12381 (Rust arkworks): fast multi-exponentiation, pairings.

`Scalar(int)` reduces silently modulo r, so scalars are range-checked as integers by the callers
before they get here; decoding is checked here (curve and subgroup), since the draft requires it.
"""

from __future__ import annotations

from collections.abc import Sequence

import py_arkworks_bls12381 as ark

from zk.bbs.curves import G1, G2
from zk.bbs.errors import BbsError


def _scalar(value: int) -> ark.Scalar:
    return ark.Scalar(value)


class ArkworksCurve:
    name = "arkworks"

    def g1_generator(self) -> G1:
        return ark.G1Point()

    def g2_generator(self) -> G2:
        return ark.G2Point()

    def g1_identity(self) -> G1:
        return ark.G1Point.identity()

    def g1_is_identity(self, point: G1) -> bool:
        return bool(point == ark.G1Point.identity())

    def g2_is_identity(self, point: G2) -> bool:
        return bool(point == ark.G2Point.identity())

    def g1_from_bytes(self, data: bytes) -> G1:
        if len(data) != 48:
            raise BbsError(f"a G1 point is 48 bytes, not {len(data)}")
        try:
            return ark.G1Point.from_compressed_bytes(data)
        except Exception as error:  # the binding raises plain exceptions for bad encodings
            raise BbsError(f"not a point of G1: {error}") from None

    def g2_from_bytes(self, data: bytes) -> G2:
        if len(data) != 96:
            raise BbsError(f"a G2 point is 96 bytes, not {len(data)}")
        try:
            return ark.G2Point.from_compressed_bytes(data)
        except Exception as error:
            raise BbsError(f"not a point of G2: {error}") from None

    def g1_to_bytes(self, point: G1) -> bytes:
        return bytes(point.to_compressed_bytes())

    def g2_to_bytes(self, point: G2) -> bytes:
        return bytes(point.to_compressed_bytes())

    def g1_map_from_field(self, element: int) -> G1:
        return ark.G1Point.map_from_fp_be(element.to_bytes(48, "big"))

    def g1_add(self, a: G1, b: G1) -> G1:
        return a + b

    def g1_neg(self, a: G1) -> G1:
        return -a

    def g1_mul(self, point: G1, scalar: int) -> G1:
        return point * _scalar(scalar)

    def g2_add(self, a: G2, b: G2) -> G2:
        return a + b

    def g2_mul(self, point: G2, scalar: int) -> G2:
        return point * _scalar(scalar)

    def g1_multiexp(self, points: Sequence[G1], scalars: Sequence[int]) -> G1:
        if not points:
            return ark.G1Point.identity()
        return ark.G1Point.multiexp_unchecked(list(points), [_scalar(s) for s in scalars])

    def pairing_product_is_one(self, pairs: Sequence[tuple[G1, G2]]) -> bool:
        return bool(ark.GT.pairing_check([p for p, _ in pairs], [q for _, q in pairs]))
