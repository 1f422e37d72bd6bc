"""expand_message (RFC 9380 §5.3): XMD with SHA-256 and XOF with SHAKE-256, from the RFC's text."""

from __future__ import annotations

import hashlib

from zk.bbs.errors import BbsError

SHA256_BLOCK = 64
SHA256_OUT = 32


def i2osp(value: int, length: int) -> bytes:
    """I2OSP (RFC 8017 §4.1): `value` as `length` big-endian bytes."""
    if value < 0 or value >= 1 << (8 * length):
        raise BbsError(f"{value} does not fit in {length} bytes")
    return value.to_bytes(length, "big")


def os2ip(octets: bytes) -> int:
    return int.from_bytes(octets, "big")


def _check_dst(dst: bytes) -> None:
    if len(dst) > 255:
        raise BbsError("a DST longer than 255 bytes must be hashed first (RFC 9380 §5.3.3)")


def expand_message_xmd(msg: bytes, dst: bytes, len_in_bytes: int) -> bytes:
    """RFC 9380 §5.3.1 with H = SHA-256 (b_in_bytes 32, s_in_bytes 64)."""
    _check_dst(dst)
    ell = -(-len_in_bytes // SHA256_OUT)
    if ell > 255 or len_in_bytes > 65535:
        raise BbsError(f"cannot expand to {len_in_bytes} bytes")
    dst_prime = dst + i2osp(len(dst), 1)
    z_pad = bytes(SHA256_BLOCK)
    l_i_b_str = i2osp(len_in_bytes, 2)
    msg_prime = z_pad + msg + l_i_b_str + i2osp(0, 1) + dst_prime
    b_0 = hashlib.sha256(msg_prime).digest()
    b_0_int = int.from_bytes(b_0, "big")
    b = [hashlib.sha256(b_0 + i2osp(1, 1) + dst_prime).digest()]
    for i in range(2, ell + 1):
        mixed = i2osp(b_0_int ^ int.from_bytes(b[-1], "big"), SHA256_OUT)  # strxor(b_0, b_i-1)
        b.append(hashlib.sha256(mixed + i2osp(i, 1) + dst_prime).digest())
    return b"".join(b)[:len_in_bytes]


def expand_message_xof(msg: bytes, dst: bytes, len_in_bytes: int) -> bytes:
    """RFC 9380 §5.3.2 with H = SHAKE-256."""
    _check_dst(dst)
    if len_in_bytes > 65535:
        raise BbsError(f"cannot expand to {len_in_bytes} bytes")
    dst_prime = dst + i2osp(len(dst), 1)
    msg_prime = msg + i2osp(len_in_bytes, 2) + dst_prime
    return hashlib.shake_256(msg_prime).digest(len_in_bytes)
