"""The two BLS12-381 ciphersuites (draft §7.2) and the hashing they define: hash_to_curve_g1,
hash_to_scalar (§4.2.3), create_generators (§4.1.1), messages_to_scalars (§4.1.2)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from zk.bbs.curves import G1, Curve, P, R
from zk.bbs.errors import BbsError
from zk.bbs.expand import expand_message_xmd, expand_message_xof, i2osp, os2ip

EXPAND_LEN = 48
"""expand_len = ceil((ceil(log2(r)) + k) / 8) with k = 128."""
FIELD_LEN = 64
"""L = ceil((ceil(log2(p)) + k) / 8): bytes per field element in hash_to_field (RFC 9380 §8.8.1)."""
H2G_HM2S = b"H2G_HM2S_"
"""CREATE_GENERATORS_ID || MAP_TO_SCALAR_ID: the BBS signature interface's api_id suffix."""


@dataclass(frozen=True)
class Ciphersuite:
    """One ciphersuite: its id and expand_message; everything else is shared."""

    ciphersuite_id: bytes
    expand_message: Callable[[bytes, bytes, int], bytes]
    curve: Curve = field(compare=False)

    @property
    def api_id(self) -> bytes:
        """The BBS signatures interface id (draft §3.2)."""
        return self.ciphersuite_id + H2G_HM2S

    def hash_to_curve_g1(self, msg: bytes, dst: bytes) -> G1:
        """RFC 9380 §3 hash_to_curve with this suite's expand_message: two field elements,
        each mapped (simplified SWU, 11-isogeny, cofactor clearing), then added."""
        uniform = self.expand_message(msg, dst, 2 * FIELD_LEN)
        u0 = os2ip(uniform[:FIELD_LEN]) % P
        u1 = os2ip(uniform[FIELD_LEN:]) % P
        return self.curve.g1_add(self.curve.g1_map_from_field(u0), self.curve.g1_map_from_field(u1))

    def hash_to_scalar(self, msg: bytes, dst: bytes) -> int:
        """Draft §4.2.3: OS2IP(expand_message(msg, dst, expand_len)) mod r."""
        if len(dst) > 255:
            raise BbsError("hash_to_scalar: the DST is over 255 bytes")
        return os2ip(self.expand_message(msg, dst, EXPAND_LEN)) % R

    def create_generators(
        self,
        count: int,
        api_id: bytes,
        *,
        seed_dst: bytes | None = None,
        generator_dst: bytes | None = None,
        generator_seed: bytes | None = None,
    ) -> list[G1]:
        """Draft §4.1.1; the keyword arguments override the Definitions (as P1's do)."""
        if count < 0 or count > 2**64 - 1:
            raise BbsError("create_generators: count out of range")
        seed_dst = api_id + b"SIG_GENERATOR_SEED_" if seed_dst is None else seed_dst
        generator_dst = api_id + b"SIG_GENERATOR_DST_" if generator_dst is None else generator_dst
        generator_seed = (
            api_id + b"MESSAGE_GENERATOR_SEED" if generator_seed is None else generator_seed
        )
        v = self.expand_message(generator_seed, seed_dst, EXPAND_LEN)
        generators = []
        for i in range(1, count + 1):
            v = self.expand_message(v + i2osp(i, 8), seed_dst, EXPAND_LEN)
            generators.append(self.hash_to_curve_g1(v, generator_dst))
        return generators

    @cached_property
    def p1(self) -> G1:
        """The suite's fixed point P1 (draft §7.2): create_generators(1) with its own DSTs."""
        prefix = self.ciphersuite_id + H2G_HM2S
        return self.create_generators(
            1,
            b"",
            seed_dst=prefix + b"SIG_GENERATOR_SEED_",
            generator_dst=prefix + b"SIG_GENERATOR_DST_",
            generator_seed=prefix + b"BP_MESSAGE_GENERATOR_SEED",
        )[0]

    def messages_to_scalars(self, messages: Sequence[bytes], api_id: bytes) -> list[int]:
        """Draft §4.1.2: each message hashed to a scalar on its own."""
        map_dst = api_id + b"MAP_MSG_TO_SCALAR_AS_HASH_"
        return [self.hash_to_scalar(message, map_dst) for message in messages]


def sha256_suite(curve: Curve) -> Ciphersuite:
    return Ciphersuite(b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_", expand_message_xmd, curve)


def shake256_suite(curve: Curve) -> Ciphersuite:
    return Ciphersuite(b"BBS_BLS12381G1_XOF:SHAKE-256_SSWU_RO_", expand_message_xof, curve)
