"""The one small interface BBS needs from a BLS12-381 library, and the backends behind it."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Protocol

R = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
"""The order r of G1 and G2."""
P = int(
    "1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB",
    16,
)
"""The base field's characteristic p."""

G1 = Any
G2 = Any


class Curve(Protocol):
    """BLS12-381 as BBS uses it. Points are the backend's own objects; bytes are the
    compressed encodings of draft-irtf-cfrg-pairing-friendly-curves Appendix C."""

    name: str

    def g1_generator(self) -> G1: ...

    def g2_generator(self) -> G2: ...

    def g1_identity(self) -> G1: ...

    def g1_is_identity(self, point: G1) -> bool: ...

    def g2_is_identity(self, point: G2) -> bool: ...

    def g1_from_bytes(self, data: bytes) -> G1:
        """Decode and check: on the curve and in the prime-order subgroup, or BbsError."""
        ...

    def g2_from_bytes(self, data: bytes) -> G2: ...

    def g1_to_bytes(self, point: G1) -> bytes: ...

    def g2_to_bytes(self, point: G2) -> bytes: ...

    def g1_map_from_field(self, element: int) -> G1:
        """map_to_curve then clear_cofactor (RFC 9380 §6.6.3, §7) of one field element."""
        ...

    def g1_add(self, a: G1, b: G1) -> G1: ...

    def g1_neg(self, a: G1) -> G1: ...

    def g1_mul(self, point: G1, scalar: int) -> G1: ...

    def g2_add(self, a: G2, b: G2) -> G2: ...

    def g2_mul(self, point: G2, scalar: int) -> G2: ...

    def g1_multiexp(self, points: Sequence[G1], scalars: Sequence[int]) -> G1: ...

    def pairing_product_is_one(self, pairs: Sequence[tuple[G1, G2]]) -> bool:
        """Whether the product of e(P_i, Q_i) is the identity of GT."""
        ...


class Backend(StrEnum):
    ARKWORKS = "arkworks"
    PY_ECC = "py-ecc"


def curve_for(backend: Backend = Backend.ARKWORKS) -> Curve:
    """The backend's curve, imported only when chosen (each runs without the other installed)."""
    if backend is Backend.ARKWORKS:
        from zk.bbs.curves.arkworks import ArkworksCurve

        return ArkworksCurve()
    from zk.bbs.curves.pyecc import PyEccCurve

    return PyEccCurve()
