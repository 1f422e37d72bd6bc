"""The Blind BBS and BBS pseudonym fixtures (`bbs-blind/`, `bbs-pseudonym/` fixture_data):
each reproduced, byte for byte where the fixture fixes the randomness.

These fixtures name their mocked randomness in `mockRngParameters` (the ASCII seed and a DST
per operation) and leave the shared messages in the folder's `messages.json` (proofs of the
blind draft list only the revealed ones). Hex scalars may lack leading zeros: they are
compared as integers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from zk.bbs.blind import (
    blind_api_id,
    blind_proof_gen,
    blind_proof_verify,
    blind_sign,
    blind_verify,
    commit,
)
from zk.bbs.proofs import RandomScalars, seeded_random_scalars
from zk.bbs.pseudonyms import (
    blind_sign_with_nym,
    commit_with_nym,
    nym_api_id,
    proof_gen_with_nym,
    proof_verify_with_nym,
    pseudonym,
    verify_finalize_with_nym,
)
from zk.bbs.suites import Ciphersuite

Shared = Mapping[str, Any]
"""The folder's messages.json: `messages` and `committedMessages`, hex."""


def _hex(value: str | None) -> bytes:
    return bytes.fromhex(value or "")


def _int(value: str | None) -> int:
    return int(value, 16) if value else 0


def _all(values: Sequence[str] | None) -> list[bytes]:
    return [_hex(v) for v in values or []]


def _mocked(suite: Ciphersuite, data: Mapping[str, Any], step: str) -> RandomScalars:
    rng = data["mockRngParameters"]
    return seeded_random_scalars(suite, rng["SEED"].encode(), rng[step]["DST"].encode())


def _revealed(data: Mapping[str, Any], key: str) -> tuple[list[int], list[bytes]]:
    revealed = {int(k): _hex(v) for k, v in (data.get(key) or {}).items()}
    indexes = sorted(revealed)
    return indexes, [revealed[i] for i in indexes]


def is_blind_or_nym(data: Mapping[str, Any]) -> bool:
    return "blindGenerators" in data or "commitmentWithProof" in data


def check(data: Mapping[str, Any], suite: Ciphersuite, shared: Shared) -> str:
    """What the fixture shows, reproduced; ValueError names the first mismatch."""
    if "blindGenerators" in data:
        return _generators(data, suite)
    nym = "proverNyms" in data or "pseudonym" in data
    if "proof" in data:
        return _nym_proof(data, suite) if nym else _blind_proof(data, suite, shared)
    if "signature" in data:
        return _nym_signature(data, suite) if nym else _blind_signature(data, suite)
    return _nym_commit(data, suite) if nym else _blind_commit(data, suite)


def _generators(data: Mapping[str, Any], suite: Ciphersuite) -> str:
    api_id = data["generators"]["api_id"].encode()
    if api_id not in (blind_api_id(suite), nym_api_id(suite)):
        raise ValueError(f"unknown interface {api_id.decode()}")
    curve = suite.curve
    for key, generator_api in (("generators", api_id), ("blindGenerators", b"BLIND_" + api_id)):
        expected = [data[key]["Q1"], *data[key]["MsgGenerators"]]
        made = suite.create_generators(len(expected), generator_api)
        if [curve.g1_to_bytes(p).hex() for p in made] != expected:
            raise ValueError(f"{key} differ")
        if data[key]["P1"] != curve.g1_to_bytes(suite.p1).hex():
            raise ValueError("P1 differs")
    return f"generators and blind generators of {api_id.decode()} reproduced"


def _blind_commit(data: Mapping[str, Any], suite: Ciphersuite) -> str:
    made = commit(suite, _all(data["committedMessages"]), None, _mocked(suite, data, "commit"))
    if made.commitment_with_proof.hex() != data["commitmentWithProof"]:
        raise ValueError("Commit made another commitment")
    if made.secret_prover_blind != _int(data["proverBlind"]):
        raise ValueError("Commit made another prover blind")
    return "commitment with proof reproduced"


def _nym_commit(data: Mapping[str, Any], suite: Ciphersuite) -> str:
    nyms = [_int(n) for n in data["proverNyms"]]
    made = commit_with_nym(
        suite, _all(data["committedMessages"]), nyms, None, _mocked(suite, data, "commit")
    )
    if made.commitment_with_proof.hex() != data["commitmentWithProof"]:
        raise ValueError("CommitWithNym made another commitment")
    if made.secret_prover_blind != _int(data["proverBlind"]):
        raise ValueError("CommitWithNym made another prover blind")
    return f"commitment with {len(nyms)} prover nyms reproduced"


def _blind_signature(data: Mapping[str, Any], suite: Ciphersuite) -> str:
    keys = data["signerKeyPair"]
    pk, header, messages = _hex(keys["publicKey"]), _hex(data["header"]), _all(data["messages"])
    signature = _hex(data["signature"])
    made = blind_sign(
        suite, _int(keys["secretKey"]), pk, _hex(data["commitmentWithProof"]), header, messages
    )
    if made != signature:
        raise ValueError("BlindSign made other bytes")
    committed = _all(data["committedMessages"])
    if not blind_verify(
        suite, pk, signature, header, messages, committed, _int(data["proverBlind"])
    ):
        raise ValueError("the blind signature does not verify")
    return f"blind signature over {len(messages)}+{len(committed)} messages reproduced"


def _nym_signature(data: Mapping[str, Any], suite: Ciphersuite) -> str:
    keys = data["signerKeyPair"]
    pk, header, messages = _hex(keys["publicKey"]), _hex(data["header"]), _all(data["messages"])
    nyms, entropy = [_int(n) for n in data["proverNyms"]], _int(data["signer_nym_entropy"])
    made = blind_sign_with_nym(
        suite,
        _int(keys["secretKey"]),
        pk,
        _hex(data["commitmentWithProof"]),
        len(nyms),
        entropy,
        header,
        messages,
    )
    if made.hex() != data["signature"]:
        raise ValueError("BlindSignWithNym made other bytes")
    secrets = verify_finalize_with_nym(
        suite,
        pk,
        made,
        header,
        messages,
        _all(data["committedMessages"]),
        nyms,
        entropy,
        _int(data["proverBlind"]),
    )
    if secrets != [_int(s) for s in data["nym_secrets"]]:
        raise ValueError("VerifyFinalizeWithNym gave other nym secrets")
    return f"signature with {len(nyms)} nym secrets reproduced and finalized"


def _blind_proof(data: Mapping[str, Any], suite: Ciphersuite, shared: Shared) -> str:
    pk, proof = _hex(data["signerPublicKey"]), _hex(data["proof"])
    header, ph = _hex(data["header"]), _hex(data["presentationHeader"])
    indexes, revealed = _revealed(data, "revealedMessages")
    committed_indexes, committed_revealed = _revealed(data, "revealedCommittedMessages")
    signer_count = int(data["L"])
    if not blind_proof_verify(
        suite,
        pk,
        proof,
        header,
        ph,
        signer_count,
        revealed,
        committed_revealed,
        indexes,
        committed_indexes,
    ):
        raise ValueError("BlindProofVerify rejected a valid proof")
    messages = _all(shared["messages"])[:signer_count]
    committed = _all(shared["committedMessages"]) if data.get("commitmentWithProof") else []
    made = blind_proof_gen(
        suite,
        pk,
        _hex(data["signature"]),
        header,
        ph,
        messages,
        committed,
        indexes,
        committed_indexes,
        _int(data.get("proverBlind")),
        None,
        _mocked(suite, data, "proof"),
    )
    if made != proof:
        raise ValueError("BlindProofGen made other bytes")
    return f"proof disclosing {len(indexes)}+{len(committed_indexes)} reproduced and verified"


def _nym_proof(data: Mapping[str, Any], suite: Ciphersuite) -> str:
    pk, proof = _hex(data["signerPublicKey"]), _hex(data["proof"])
    header, ph = _hex(data["header"]), _hex(data["presentationHeader"])
    context, nym = _hex(data["context_id"]), _hex(data["pseudonym"])
    secrets = [_int(s) for s in data["nym_secrets"]]
    indexes, revealed = _revealed(data, "revealedMessages")
    committed_indexes, committed_revealed = _revealed(data, "revealedCommittedMessages")
    signer_count = int(data["L"])
    if pseudonym(suite, secrets, context) != nym:
        raise ValueError("the pseudonym of the nym secrets differs")
    if not proof_verify_with_nym(
        suite,
        pk,
        proof,
        header,
        ph,
        nym,
        context,
        len(secrets),
        signer_count,
        revealed,
        committed_revealed,
        indexes,
        committed_indexes,
    ):
        raise ValueError("ProofVerifyWithNym rejected a valid proof")
    made = proof_gen_with_nym(
        suite,
        pk,
        _hex(data["signature"]),
        header,
        ph,
        secrets,
        context,
        _all(data["messages"]),
        _all(data["committedMessages"]),
        indexes,
        committed_indexes,
        _int(data["proverBlind"]),
        None,
        _mocked(suite, data, "proof"),
    )
    if made.proof != proof or made.pseudonym != nym:
        raise ValueError("ProofGenWithNym made other bytes")
    return f"pseudonym proof (N={len(secrets)}) reproduced and verified"
