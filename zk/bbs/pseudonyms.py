"""BBS per-verifier linkability (draft-irtf-cfrg-bbs-per-verifier-linkability, revision -02):
pseudonyms bound to a blind BBS signature.

The prover commits to its `prover_nyms` (N scalars) with Blind BBS; the signer adds its
`signer_nym_entropy` to the last one while signing, so the signed `nym_secrets` are known to
the prover alone. For a context (for us: one poll) the pseudonym is

    OP · Σ nym_secrets[i]·z^i,   OP = hash_to_curve_g1(context_id), z = hash_to_scalar(context_id)

the same for one credential in one context, unlinkable across contexts. A proof shows, under
one challenge, knowledge of the signature and that the pseudonym was made from the signed
nym secrets. The signature's header is the application header followed by I2OSP(N, 8).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from zk.bbs.blind import (
    Commitment,
    b_value,
    blind_generators,
    combined_indexes,
    committed_count,
    committed_in_proof,
    core_commit,
    finalize_blind_sign,
    prepare_parameters,
    validate_commitment,
)
from zk.bbs.curves import G1, R
from zk.bbs.errors import BbsError
from zk.bbs.expand import i2osp
from zk.bbs.keys import sk_to_pk
from zk.bbs.proofs import (
    DeferPairing,
    ExtendProof,
    Extension,
    RandomScalars,
    calculate_random_scalars,
    core_proof_gen,
    core_proof_verify,
    undisclosed_count,
)
from zk.bbs.signatures import POINT_LEN, calculate_domain, core_verify
from zk.bbs.suites import Ciphersuite

NYM_API = b"H2G_HM2S_PSEUDONYM_"
MAX_NYMS = 1024


def nym_api_id(suite: Ciphersuite) -> bytes:
    return suite.ciphersuite_id + NYM_API


def _combined_header(header: bytes, nym_count: int) -> bytes:
    return header + i2osp(nym_count, 8)


def _check_count(nym_count: int) -> None:
    if not 0 < nym_count <= MAX_NYMS:
        raise BbsError(f"a pseudonym needs 1 to {MAX_NYMS} nym secrets")


def commit_with_nym(
    suite: Ciphersuite,
    committed_messages: Sequence[bytes],
    prover_nyms: Sequence[int],
    api_id: bytes | None = None,
    random_scalars: RandomScalars = calculate_random_scalars,
) -> Commitment:
    """CommitWithNym: commit to the messages and then the prover's nym scalars."""
    api_id = nym_api_id(suite) if api_id is None else api_id
    _check_count(len(prover_nyms))
    if any(not 0 <= nym < R for nym in prover_nyms):
        raise BbsError("a prover nym is not a scalar")
    scalars = [*suite.messages_to_scalars(committed_messages, api_id), *prover_nyms]
    generators = blind_generators(suite, len(scalars) + 1, api_id)
    return core_commit(suite, generators, scalars, api_id, random_scalars)


def blind_sign_with_nym(
    suite: Ciphersuite,
    sk: int,
    pk: bytes,
    commitment_with_proof: bytes,
    nym_count: int,
    signer_nym_entropy: int,
    header: bytes,
    messages: Sequence[bytes],
    api_id: bytes | None = None,
) -> bytes:
    """BlindSignWithNym: sign over the commitment, adding the signer's entropy to the last nym.

    `nym_count` (N) is what the prover declared; it goes into the signed header, so a proof
    must use all N secrets. The commitment must cover at least N scalars."""
    api_id = nym_api_id(suite) if api_id is None else api_id
    _check_count(nym_count)
    if not 0 < sk < R or pk != sk_to_pk(suite, sk):
        raise BbsError("the key pair does not match")
    if not 0 <= signer_nym_entropy < R:
        raise BbsError("the signer's nym entropy is not a scalar")
    if not commitment_with_proof or committed_count(commitment_with_proof) < nym_count:
        raise BbsError("the commitment does not hold the declared nym secrets")
    generators = suite.create_generators(len(messages) + 1, api_id)
    blind_gens = blind_generators(suite, committed_count(commitment_with_proof) + 1, api_id)
    commitment = validate_commitment(suite, commitment_with_proof, blind_gens, api_id)
    scalars = suite.messages_to_scalars(messages, api_id)
    curve = suite.curve
    b = b_value(suite, generators, commitment, scalars)
    b = curve.g1_add(b, curve.g1_mul(blind_gens[-1], signer_nym_entropy))
    return finalize_blind_sign(
        suite, sk, pk, b, generators, blind_gens, _combined_header(header, nym_count), api_id
    )


def nym_secrets_of(prover_nyms: Sequence[int], signer_nym_entropy: int) -> list[int]:
    """The signed nym secrets: the prover's, with the signer's entropy added to the last."""
    secrets = list(prover_nyms)
    secrets[-1] = (secrets[-1] + signer_nym_entropy) % R
    return secrets


def verify_finalize_with_nym(
    suite: Ciphersuite,
    pk: bytes,
    signature: bytes,
    header: bytes,
    messages: Sequence[bytes],
    committed_messages: Sequence[bytes],
    prover_nyms: Sequence[int],
    signer_nym_entropy: int,
    secret_prover_blind: int,
    api_id: bytes | None = None,
) -> list[int]:
    """VerifyFinalizeWithNym: the nym secrets, if the signature verifies; else BbsError."""
    api_id = nym_api_id(suite) if api_id is None else api_id
    _check_count(len(prover_nyms))
    secrets = nym_secrets_of(prover_nyms, signer_nym_entropy)
    scalars, generators = prepare_parameters(
        suite,
        messages,
        committed_messages,
        len(messages) + 1,
        len(committed_messages) + len(prover_nyms) + 1,
        secret_prover_blind,
        api_id,
    )
    combined = _combined_header(header, len(prover_nyms))
    if not core_verify(suite, pk, signature, generators, combined, [*scalars, *secrets], api_id):
        raise BbsError("the blind signature does not verify")
    return secrets


def _op_and_z(suite: Ciphersuite, context_id: bytes, api_id: bytes) -> tuple[G1, int]:
    op = suite.hash_to_curve_g1(context_id, api_id)
    z = suite.hash_to_scalar(context_id, api_id + b"VECT_NYM_SECRETS")
    return op, z


def _poly(values: Sequence[int], z: int) -> int:
    """Σ values[i]·z^i mod r (Horner's rule)."""
    total = 0
    for value in reversed(values):
        total = (total * z + value) % R
    return total


def pseudonym(
    suite: Ciphersuite, nym_secrets: Sequence[int], context_id: bytes, api_id: bytes | None = None
) -> bytes:
    """The pseudonym of these nym secrets in `context_id` (48 bytes, compressed G1)."""
    api_id = nym_api_id(suite) if api_id is None else api_id
    op, z = _op_and_z(suite, context_id, api_id)
    point = suite.curve.g1_mul(op, _poly(nym_secrets, z))
    if suite.curve.g1_is_identity(point):
        raise BbsError("the pseudonym is the identity")
    return suite.curve.g1_to_bytes(point)


@dataclass(frozen=True)
class NymProof:
    proof: bytes
    pseudonym: bytes


def proof_gen_with_nym(
    suite: Ciphersuite,
    pk: bytes,
    signature: bytes,
    header: bytes,
    ph: bytes,
    nym_secrets: Sequence[int],
    context_id: bytes,
    messages: Sequence[bytes],
    committed_messages: Sequence[bytes],
    disclosed_indexes: Sequence[int],
    disclosed_committed_indexes: Sequence[int],
    secret_prover_blind: int,
    api_id: bytes | None = None,
    random_scalars: RandomScalars = calculate_random_scalars,
) -> NymProof:
    """ProofGenWithNym: a proof and the pseudonym it proves, for `context_id`."""
    api_id = nym_api_id(suite) if api_id is None else api_id
    count = len(nym_secrets)
    _check_count(count)
    op, z = _op_and_z(suite, context_id, api_id)
    curve = suite.curve
    made: list[bytes] = []

    def extend(hidden: list[int], m_tildes: list[int]) -> Extension:
        nym = curve.g1_mul(op, _poly(hidden[-count:], z))
        ut = curve.g1_mul(op, _poly(m_tildes[-count:], z))
        if curve.g1_is_identity(nym) or curve.g1_is_identity(ut):
            raise BbsError("the pseudonym is the identity")
        made.append(curve.g1_to_bytes(nym))
        return Extension((nym, ut), i2osp(len(context_id), 8) + context_id)

    proof = _nym_core_proof(
        suite,
        pk,
        signature,
        header,
        ph,
        nym_secrets,
        messages,
        committed_messages,
        disclosed_indexes,
        disclosed_committed_indexes,
        secret_prover_blind,
        api_id,
        random_scalars,
        extend,
    )
    return NymProof(proof, made[0])


def _nym_core_proof(
    suite: Ciphersuite,
    pk: bytes,
    signature: bytes,
    header: bytes,
    ph: bytes,
    nym_secrets: Sequence[int],
    messages: Sequence[bytes],
    committed_messages: Sequence[bytes],
    disclosed_indexes: Sequence[int],
    disclosed_committed_indexes: Sequence[int],
    secret_prover_blind: int,
    api_id: bytes,
    random_scalars: RandomScalars,
    extend: ExtendProof | None = None,
) -> bytes:
    """CoreProofGen over the signer's messages, the blind, the committed messages and the nym
    secrets, under the combined header: with `extend`, the pseudonym part too."""
    if any(not 0 <= j < len(committed_messages) for j in disclosed_committed_indexes):
        raise BbsError("a disclosed committed index is out of range")
    count = len(nym_secrets)
    scalars, generators = prepare_parameters(
        suite,
        messages,
        committed_messages,
        len(messages) + 1,
        len(committed_messages) + count + 1,
        secret_prover_blind,
        api_id,
    )
    indexes = combined_indexes(len(messages), disclosed_indexes, disclosed_committed_indexes)
    return core_proof_gen(
        suite,
        pk,
        signature,
        generators,
        _combined_header(header, count),
        ph,
        [*scalars, *nym_secrets],
        indexes,
        api_id,
        random_scalars,
        extend,
    )


class NymVerifier:
    """ProofVerifyWithNym prepared once for many proofs of one shape: one key, header and
    context, `signer_count` signer messages, `committed_count` other committed messages and
    `nym_count` nym secrets. The generators, domain, OP and z are computed here, once (the
    draft lets an implementation precompute generators); each `verify` then does the rest."""

    def __init__(
        self,
        suite: Ciphersuite,
        pk: bytes,
        header: bytes,
        context_id: bytes,
        nym_count: int,
        signer_count: int,
        committed_count: int = 0,
        api_id: bytes | None = None,
    ) -> None:
        _check_count(nym_count)
        if signer_count < 0 or committed_count < 0:
            raise BbsError("message counts are not negative")
        self.suite = suite
        self.pk = pk
        self.api_id = nym_api_id(suite) if api_id is None else api_id
        self.nym_count = nym_count
        self.signer_count = signer_count
        self.committed_count = committed_count
        self.header = _combined_header(header, nym_count)
        self.context_id = context_id
        self.generators = suite.create_generators(signer_count + 1, self.api_id)
        self.generators += blind_generators(suite, committed_count + nym_count + 1, self.api_id)
        q1, h = self.generators[0], self.generators[1:]
        self.domain = calculate_domain(suite, pk, q1, h, self.header, self.api_id)
        self.op, self.z = _op_and_z(suite, context_id, self.api_id)
        self._suffix = i2osp(len(context_id), 8) + context_id
        self._generator_octets = suite.curve.g1_to_bytes(suite.curve.g1_generator())
        self._disclosed_points: dict[tuple[tuple[int, ...], tuple[int, ...]], G1] = {}

    def _disclosed_point(self, indexes: Sequence[int], scalars: Sequence[int]) -> G1:
        """P1 + Q_1·domain + ΣH_i·msg_i for these disclosed values, computed once per set."""
        key = (tuple(indexes), tuple(scalars))
        point = self._disclosed_points.get(key)
        if point is None:
            curve, h = self.suite.curve, self.generators[1:]
            point = curve.g1_add(
                self.suite.p1,
                curve.g1_multiexp(
                    [self.generators[0], *(h[i] for i in indexes)], [self.domain, *scalars]
                ),
            )
            self._disclosed_points[key] = point
        return point

    def verify(
        self,
        proof: bytes,
        ph: bytes,
        pseudonym_octets: bytes,
        disclosed_scalars: Sequence[int],
        indexes: Sequence[int],
        defer_pairing: DeferPairing | None = None,
    ) -> bool:
        """One proof, its disclosed messages already as scalars, at `indexes` (combined:
        signer i as i, committed j as L + 1 + j); False for anything that does not verify."""
        suite, curve = self.suite, self.suite.curve
        total = self.signer_count + 1 + self.committed_count + self.nym_count
        blind = self.signer_count
        committed_end = blind + 1 + self.committed_count
        # only a signer or committed message may be disclosed: never the blind or a nym secret
        # (a disclosed nym secret would shift which responses make the pseudonym)
        if any(not (0 <= i < blind or blind < i < committed_end) for i in indexes):
            return False
        try:
            if len(pseudonym_octets) != POINT_LEN or pseudonym_octets == self._generator_octets:
                return False
            nym = curve.g1_from_bytes(pseudonym_octets)
            if curve.g1_is_identity(nym):
                return False
            if undisclosed_count(proof) + len(indexes) != total:
                return False
        except BbsError:
            return False
        count, op, z, suffix = self.nym_count, self.op, self.z, self._suffix

        def extend(m_hats: list[int], c: int) -> Extension:
            uv = curve.g1_multiexp([op, nym], [_poly(m_hats[-count:], z), (-c) % R])
            if curve.g1_is_identity(uv):
                raise BbsError("Uv is the identity")
            return Extension((nym, uv), suffix)

        return core_proof_verify(
            suite,
            self.pk,
            proof,
            self.generators,
            self.header,
            ph,
            disclosed_scalars,
            indexes,
            self.api_id,
            extend,
            domain=self.domain,
            defer_pairing=defer_pairing,
            disclosed_point=lambda _: self._disclosed_point(indexes, disclosed_scalars),
        )


def proof_verify_with_nym(
    suite: Ciphersuite,
    pk: bytes,
    proof: bytes,
    header: bytes,
    ph: bytes,
    pseudonym_octets: bytes,
    context_id: bytes,
    nym_count: int,
    signer_count: int,
    disclosed_messages: Sequence[bytes],
    disclosed_committed_messages: Sequence[bytes],
    disclosed_indexes: Sequence[int],
    disclosed_committed_indexes: Sequence[int],
    api_id: bytes | None = None,
) -> bool:
    """ProofVerifyWithNym; False for anything that does not verify, malformed input included."""
    api_id = nym_api_id(suite) if api_id is None else api_id
    if len(disclosed_messages) != len(disclosed_indexes):
        return False
    if len(disclosed_committed_messages) != len(disclosed_committed_indexes):
        return False
    try:
        _check_count(nym_count)
        committed = committed_in_proof(
            proof, signer_count, disclosed_indexes, disclosed_committed_indexes, nym_count
        )
        indexes = combined_indexes(signer_count, disclosed_indexes, disclosed_committed_indexes)
        verifier = NymVerifier(
            suite, pk, header, context_id, nym_count, signer_count, committed, api_id
        )
    except BbsError:
        return False
    scalars = suite.messages_to_scalars(disclosed_messages, api_id)
    scalars += suite.messages_to_scalars(disclosed_committed_messages, api_id)
    return verifier.verify(proof, ph, pseudonym_octets, scalars, indexes)


def proof_gen_hiding_nyms(
    suite: Ciphersuite,
    pk: bytes,
    signature: bytes,
    header: bytes,
    ph: bytes,
    nym_secrets: Sequence[int],
    messages: Sequence[bytes],
    disclosed_indexes: Sequence[int],
    secret_prover_blind: int,
    api_id: bytes | None = None,
    random_scalars: RandomScalars = calculate_random_scalars,
) -> bytes:
    """A proof from a pseudonym-capable signature that shows no pseudonym at all.

    It is CoreProofGen over the very messages ProofGenWithNym proves (the signer's, the
    prover's blind, the nym secrets; no other committed messages), under the same combined
    header and api_id, without the pseudonym extension. Every context a pseudonym is shown in
    counts against the draft's limited everlasting unlinkability (N > contexts); a
    presentation that needs no pseudonym should not spend one."""
    api_id = nym_api_id(suite) if api_id is None else api_id
    _check_count(len(nym_secrets))
    return _nym_core_proof(
        suite,
        pk,
        signature,
        header,
        ph,
        nym_secrets,
        messages,
        [],
        disclosed_indexes,
        [],
        secret_prover_blind,
        api_id,
        random_scalars,
    )


def proof_verify_hiding_nyms(
    suite: Ciphersuite,
    pk: bytes,
    proof: bytes,
    header: bytes,
    ph: bytes,
    nym_count: int,
    signer_count: int,
    disclosed_messages: Sequence[bytes],
    disclosed_indexes: Sequence[int],
    api_id: bytes | None = None,
) -> bool:
    """Verify `proof_gen_hiding_nyms`: the signer's `signer_count` messages, a blind and
    `nym_count` nym secrets were signed; False for anything that does not verify."""
    api_id = nym_api_id(suite) if api_id is None else api_id
    try:
        _check_count(nym_count)
        if undisclosed_count(proof) + len(disclosed_indexes) != signer_count + 1 + nym_count:
            return False
        if len(disclosed_messages) != len(disclosed_indexes):
            return False
        scalars, generators = prepare_parameters(
            suite, disclosed_messages, [], signer_count + 1, nym_count + 1, None, api_id
        )
        indexes = combined_indexes(signer_count, disclosed_indexes, [])
    except BbsError:
        return False
    return core_proof_verify(
        suite,
        pk,
        proof,
        generators,
        _combined_header(header, nym_count),
        ph,
        scalars,
        indexes,
        api_id,
    )
