"""The reference backend: py-ecc's optimized BLS12-381 in pure Python (slow, easy to read).

py-ecc's decoders check the curve but not the subgroup, and accept the identity: the subgroup
check is ours (multiplication by r), and the identity checks are the callers', as the draft asks.
"""

from __future__ import annotations

from collections.abc import Sequence

from py_ecc import optimized_bls12_381 as bls
from py_ecc.bls.hash_to_curve import clear_cofactor_G1, map_to_curve_G1
from py_ecc.bls.point_compression import compress_G1, compress_G2, decompress_G1, decompress_G2
from py_ecc.fields import optimized_bls12_381_FQ as FQ
from py_ecc.fields import optimized_bls12_381_FQ12 as FQ12

from zk.bbs.curves import G1, G2, R
from zk.bbs.errors import BbsError


class PyEccCurve:
    name = "py-ecc"

    def g1_generator(self) -> G1:
        return bls.G1

    def g2_generator(self) -> G2:
        return bls.G2

    def g1_identity(self) -> G1:
        return bls.Z1

    def g1_is_identity(self, point: G1) -> bool:
        return bool(bls.is_inf(point))

    def g2_is_identity(self, point: G2) -> bool:
        return bool(bls.is_inf(point))

    def g1_from_bytes(self, data: bytes) -> G1:
        if len(data) != 48:
            raise BbsError(f"a G1 point is 48 bytes, not {len(data)}")
        try:
            point = decompress_G1(int.from_bytes(data, "big"))  # type: ignore[arg-type]
        except (ValueError, TypeError) as error:
            raise BbsError(f"not a point of G1: {error}") from None
        if not bls.is_inf(bls.multiply(point, R)):
            raise BbsError("not a point of G1: outside the prime-order subgroup")
        return point

    def g2_from_bytes(self, data: bytes) -> G2:
        if len(data) != 96:
            raise BbsError(f"a G2 point is 96 bytes, not {len(data)}")
        halves = (int.from_bytes(data[:48], "big"), int.from_bytes(data[48:], "big"))
        try:
            point = decompress_G2(halves)  # type: ignore[arg-type]
        except (ValueError, TypeError) as error:
            raise BbsError(f"not a point of G2: {error}") from None
        if not bls.is_inf(bls.multiply(point, R)):
            raise BbsError("not a point of G2: outside the prime-order subgroup")
        return point

    def g1_to_bytes(self, point: G1) -> bytes:
        return int(compress_G1(point)).to_bytes(48, "big")

    def g2_to_bytes(self, point: G2) -> bytes:
        z1, z2 = compress_G2(point)
        return int(z1).to_bytes(48, "big") + int(z2).to_bytes(48, "big")

    def g1_map_from_field(self, element: int) -> G1:
        return clear_cofactor_G1(map_to_curve_G1(FQ(element)))

    def g1_add(self, a: G1, b: G1) -> G1:
        return bls.add(a, b)

    def g1_neg(self, a: G1) -> G1:
        return bls.neg(a)

    def g1_mul(self, point: G1, scalar: int) -> G1:
        return bls.multiply(point, scalar % R)

    def g2_add(self, a: G2, b: G2) -> G2:
        return bls.add(a, b)

    def g2_mul(self, point: G2, scalar: int) -> G2:
        return bls.multiply(point, scalar % R)

    def g1_multiexp(self, points: Sequence[G1], scalars: Sequence[int]) -> G1:
        total = bls.Z1
        for point, scalar in zip(points, scalars, strict=True):
            total = bls.add(total, bls.multiply(point, scalar % R))
        return total

    def pairing_product_is_one(self, pairs: Sequence[tuple[G1, G2]]) -> bool:
        product = FQ12.one()
        for p, q in pairs:
            if bls.is_inf(p) or bls.is_inf(q):
                continue  # e(O, Q) = e(P, O) = 1
            product = product * bls.pairing(q, p, final_exponentiate=False)
        return bool(bls.final_exponentiate(product) == FQ12.one())
