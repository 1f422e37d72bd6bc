"""Key generation (draft §3.4): KeyGen from key material, SkToPk."""

from __future__ import annotations

from zk.bbs.curves import R
from zk.bbs.errors import BbsError
from zk.bbs.expand import i2osp
from zk.bbs.suites import Ciphersuite

SCALAR_LEN = 32


def key_gen(
    suite: Ciphersuite, key_material: bytes, key_info: bytes = b"", key_dst: bytes | None = None
) -> int:
    """Draft §3.4.1: SK = hash_to_scalar(key_material || I2OSP(len(key_info), 2) || key_info)."""
    if len(key_material) < 32:
        raise BbsError("KeyGen: key_material must be at least 32 bytes")
    if len(key_info) > 65535:
        raise BbsError("KeyGen: key_info is over 65535 bytes")
    dst = suite.ciphersuite_id + b"KEYGEN_DST_" if key_dst is None else key_dst
    sk = suite.hash_to_scalar(key_material + i2osp(len(key_info), 2) + key_info, dst)
    if sk == 0:
        raise BbsError("KeyGen: the secret key is 0")
    return sk


def sk_to_pk(suite: Ciphersuite, sk: int) -> bytes:
    """Draft §3.4.2: W = SK * BP2, compressed."""
    if not 0 < sk < R:
        raise BbsError("SkToPk: the secret key is not in 1..r-1")
    curve = suite.curve
    return curve.g2_to_bytes(curve.g2_mul(curve.g2_generator(), sk))


def octets_to_secret_key(octets: bytes) -> int:
    if len(octets) != SCALAR_LEN:
        raise BbsError(f"a secret key is {SCALAR_LEN} bytes")
    sk = int.from_bytes(octets, "big")
    if not 0 < sk < R:
        raise BbsError("the secret key is not in 1..r-1")
    return sk
