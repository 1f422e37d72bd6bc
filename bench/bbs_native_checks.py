"""What bench.bbs_native checks before it times anything: our fixture runner on zkryptium's
fixtures and ours, then zkryptium's outputs against ours on fixtures and on the timed inputs
(byte for byte where the operation is deterministic, cross-verified where it is randomised)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from bench.bbs import DISCLOSED, Inputs
from bench.bbs_native_peer import (
    Ballot,
    Json,
    Zkryptium,
    cast_ballot,
    hexed,
    hexes,
    scalar_hex,
    verify_ballot,
)
from zk.bbs.curves import Backend, curve_for
from zk.bbs.fixtures import run_fixtures
from zk.bbs.keys import key_gen, sk_to_pk
from zk.bbs.proofs import proof_gen, proof_verify
from zk.bbs.pseudonyms import (
    blind_sign_with_nym,
    proof_verify_with_nym,
    pseudonym,
    verify_finalize_with_nym,
)
from zk.bbs.signatures import sign
from zk.bbs.suites import Ciphersuite
from zk.credentials.attributes import NYM_COUNT

REPO = Path(__file__).resolve().parents[1]
VECTORS = Path(os.environ.get("CIVIC_VECTORS_DIR", REPO.parent / "shared" / "vectors"))
KINDS = {
    "fixture_data": "bbs",
    "fixture_data_blind": "bbs-blind",
    "fixture_data_nym": "bbs-pseudonym",
}
"""zkryptium's fixture folders and ours."""
FOLDERS = {"BLS12-381-SHA-256": "bls12-381-sha-256", "BLS12-381-SHAKE-256": "bls12-381-shake-256"}


def expect(what: str, ok: bool) -> str:
    if not ok:
        raise SystemExit(f"check failed: {what}")
    return what


def check_runner(zkr: Zkryptium) -> int:
    """Our fixture runner over zkryptium's fixture folders and ours: the fixtures that pass."""
    curve = curve_for(Backend.ARKWORKS)
    folders = [zkr.fixtures / kind for kind in KINDS]
    folders += [VECTORS / ours for ours in KINDS.values() if (VECTORS / ours).is_dir()]
    passed = 0
    for folder in folders:
        for result in run_fixtures(folder, curve):
            expect(f"our code on {result.path}: {result.detail}", result.passed)
            passed += 1
    return passed


def _revealed(data: Json, key: str) -> tuple[list[int], list[str]]:
    revealed = {int(k): v for k, v in (data.get(key) or {}).items()}
    return sorted(revealed), [revealed[i] for i in sorted(revealed)]


def check_fixtures(zkr: Zkryptium, ciphersuite: str, suite: Ciphersuite) -> list[str]:
    """zkryptium on fixture inputs (ours for SHA-256, its own for SHAKE-256)."""
    name = FOLDERS[ciphersuite]

    def load(kind: str, path: str) -> Json:
        folder = VECTORS / KINDS[kind] / name
        folder = folder if folder.is_dir() else zkr.fixtures / kind / name
        data: Json = json.loads((folder / path).read_text())
        return data

    keys = load("fixture_data", "keypair.json")
    signed = load("fixture_data", "signature/signature004.json")
    proved = load("fixture_data", "proof/proof003.json")
    nym_signed = load("fixture_data_nym", "nymSignature/nymSignature006.json")
    nym = load("fixture_data_nym", "nymProof/nymProof103.json")
    shown, shown_messages = _revealed(nym, "revealedMessages")
    committed, committed_messages = _revealed(nym, "revealedCommittedMessages")
    nym_common = {
        "publicKey": nym["signerPublicKey"],
        "header": nym["header"],
        "presentationHeader": nym["presentationHeader"],
        "contextId": nym["context_id"],
        "disclosedIndexes": shown,
        "disclosedCommittedIndexes": committed,
    }
    nym_key = nym_signed["signerKeyPair"]
    ops: list[Json] = [
        {"op": "keyGen", **{k: keys[k] for k in ("keyMaterial", "keyInfo", "keyDst")}},
        {"op": "sign", **signed["signerKeyPair"], "header": signed["header"]}
        | {"messages": signed["messages"]},
        {"op": "proofVerify", "publicKey": proved["signerPublicKey"], "proof": proved["proof"]}
        | {k: proved[k] for k in ("header", "presentationHeader", "disclosedIndexes")}
        | {"disclosedMessages": [proved["messages"][i] for i in proved["disclosedIndexes"]]},
        {"op": "proofGen", "publicKey": proved["signerPublicKey"]}
        | {k: proved[k] for k in ("signature", "header", "presentationHeader", "messages")}
        | {"disclosedIndexes": proved["disclosedIndexes"]},
        {"op": "blindSignWithNym", **nym_key, "nymCount": len(nym_signed["proverNyms"])}
        | {k: nym_signed[k] for k in ("commitmentWithProof", "header", "messages")}
        | {"signerNymEntropy": scalar_hex(nym_signed["signer_nym_entropy"])},
        {"op": "verifyFinalizeWithNym", "publicKey": nym_key["publicKey"]}
        | {k: nym_signed[k] for k in ("signature", "header", "messages", "committedMessages")}
        | {"proverNyms": [scalar_hex(v) for v in nym_signed["proverNyms"]]}
        | {"signerNymEntropy": scalar_hex(nym_signed["signer_nym_entropy"])}
        | {"proverBlind": scalar_hex(nym_signed["proverBlind"])},
        {"op": "proofVerifyWithNym", **nym_common, "proof": nym["proof"]}
        | {
            "pseudonym": nym["pseudonym"],
            "nymCount": len(nym["nym_secrets"]),
            "signerCount": nym["L"],
        }
        | {"disclosedMessages": shown_messages, "disclosedCommittedMessages": committed_messages},
        {"op": "proofGenWithNym", **nym_common, "signature": nym["signature"]}
        | {"nymSecrets": [scalar_hex(v) for v in nym["nym_secrets"]]}
        | {k: nym[k] for k in ("messages", "committedMessages")}
        | {"proverBlind": scalar_hex(nym["proverBlind"])},
    ]
    key, sig, proof_ok, proof, blind_sig, finalized, nym_ok, nym_made = zkr.ops(ciphersuite, ops)
    disclosed = [bytes.fromhex(proved["messages"][i]) for i in proved["disclosedIndexes"]]
    nym_proof = bytes.fromhex(nym_made["proof"])
    return [
        expect("KeyGen = the fixture's key pair", key == {**keys["keyPair"], "op": "keyGen"}),
        expect("Sign (10 messages) = the fixture's bytes", sig["signature"] == signed["signature"]),
        expect("the fixture's proof verifies under zkryptium", proof_ok["valid"]),
        expect(
            "zkryptium's proof over the fixture's signature verifies under ours",
            proof_verify(
                suite,
                bytes.fromhex(proved["signerPublicKey"]),
                bytes.fromhex(proof["proof"]),
                bytes.fromhex(proved["header"]),
                bytes.fromhex(proved["presentationHeader"]),
                disclosed,
                proved["disclosedIndexes"],
            ),
        ),
        expect(
            "BlindSignWithNym (10 nyms) = the fixture's bytes",
            blind_sig["signature"] == nym_signed["signature"],
        ),
        expect(
            "VerifyFinalizeWithNym = the fixture's nym secrets",
            finalized["nymSecrets"] == [scalar_hex(v) for v in nym_signed["nym_secrets"]],
        ),
        expect("the fixture's nym proof verifies under zkryptium", nym_ok["valid"]),
        expect(
            "ProofGenWithNym's pseudonym = the fixture's", nym_made["pseudonym"] == nym["pseudonym"]
        ),
        expect(
            "zkryptium's nym proof verifies under ours",
            proof_verify_with_nym(
                suite,
                bytes.fromhex(nym["signerPublicKey"]),
                nym_proof,
                bytes.fromhex(nym["header"]),
                bytes.fromhex(nym["presentationHeader"]),
                bytes.fromhex(nym["pseudonym"]),
                bytes.fromhex(nym["context_id"]),
                len(nym["nym_secrets"]),
                nym["L"],
                [bytes.fromhex(m) for m in shown_messages],
                [bytes.fromhex(m) for m in committed_messages],
                shown,
                committed,
            ),
        ),
    ]


def check_bbs(
    zkr: Zkryptium, ciphersuite: str, suite: Ciphersuite, inputs: Inputs, ikm: bytes, info: bytes
) -> list[str]:
    """KeyGen, Sign and proofs on the inputs about to be timed."""
    sk = key_gen(suite, ikm, info)
    pk = sk_to_pk(suite, sk)
    signature = sign(suite, sk, pk, inputs.header, inputs.messages)
    ours = proof_gen(suite, pk, signature, inputs.header, inputs.ph, inputs.messages, DISCLOSED)
    shown = [inputs.messages[i] for i in DISCLOSED]
    other_ph = inputs.ph[::-1]
    keyed = {"secretKey": scalar_hex(sk), "publicKey": hexed(pk), "header": hexed(inputs.header)}
    proving = {**keyed, "presentationHeader": hexed(inputs.ph), "disclosedIndexes": DISCLOSED}
    verifying = {**proving, "proof": hexed(ours), "disclosedMessages": hexes(shown)}
    key_args = {"keyMaterial": hexed(ikm), "keyInfo": hexed(info)}
    our_dst = suite.ciphersuite_id + b"KEYGEN_DST_"
    key, default_key, signed, ok, tampered, made = zkr.ops(
        ciphersuite,
        [
            {"op": "keyGen", **key_args, "keyDst": hexed(our_dst)},
            {"op": "keyGen", **key_args, "keyDst": None},
            {"op": "sign", **keyed, "messages": hexes(inputs.messages)},
            {"op": "proofVerify", **verifying},
            {"op": "proofVerify", **verifying, "presentationHeader": hexed(other_ph)},
            {"op": "proofGen", **proving, "signature": hexed(signature)}
            | {"messages": hexes(inputs.messages)},
        ],
    )
    theirs = bytes.fromhex(made["proof"])
    api_dst_sk = key_gen(suite, ikm, info, suite.api_id + b"KEYGEN_DST_")
    return [
        expect("KeyGen, key_dst given: = ours", key["secretKey"] == scalar_hex(sk)),
        expect("KeyGen, key_dst given: SkToPk = ours", key["publicKey"] == hexed(pk)),
        expect(
            "KeyGen, default key_dst: zkryptium's = ours with api_id || KEYGEN_DST_ (not ours)",
            default_key["secretKey"] == scalar_hex(api_dst_sk) != scalar_hex(sk),
        ),
        expect("Sign, 10 messages: = ours", signed["signature"] == hexed(signature)),
        expect("our proof verifies under zkryptium", ok["valid"]),
        expect("our proof fails under zkryptium with another ph", not tampered["valid"]),
        expect(
            "its proof verifies under ours",
            proof_verify(suite, pk, theirs, inputs.header, inputs.ph, shown, DISCLOSED),
        ),
        expect(
            "its proof fails under ours with another ph",
            not proof_verify(suite, pk, theirs, inputs.header, other_ph, shown, DISCLOSED),
        ),
    ]


def check_ballots(
    zkr: Zkryptium, ciphersuite: str, suite: Ciphersuite, sk: int, pk: bytes, b: Ballot
) -> list[str]:
    """Blind issuance with nyms and a ballot, on the inputs about to be timed."""
    proof, nym = cast_ballot(suite, pk, b)
    other_ph = b.ph[::-1]
    nyms = [scalar_hex(n) for n in b.prover_nyms]
    issued: Json = {
        "publicKey": hexed(pk),
        "header": hexed(b.header),
        "messages": hexes(b.messages),
    }
    issued |= {"signerNymEntropy": scalar_hex(b.entropy), "committedMessages": []}
    ballot: Json = {
        "publicKey": hexed(pk),
        "header": hexed(b.header),
        "presentationHeader": hexed(b.ph),
    }
    ballot |= {"contextId": hexed(b.context), "disclosedIndexes": b.disclosed}
    ballot |= {"disclosedCommittedIndexes": []}
    verifying: Json = {
        **ballot,
        "proof": hexed(proof),
        "pseudonym": hexed(nym),
        "nymCount": NYM_COUNT,
    }
    verifying |= {"signerCount": len(b.messages), "disclosedMessages": hexes(b.shown)}
    verifying |= {"disclosedCommittedMessages": []}
    commit, signed, finalized, ok, tampered, made = zkr.ops(
        ciphersuite,
        [
            {"op": "commitWithNym", "committedMessages": [], "proverNyms": nyms},
            {"op": "blindSignWithNym", **issued, "secretKey": scalar_hex(sk)}
            | {"commitmentWithProof": hexed(b.commitment), "nymCount": NYM_COUNT},
            {"op": "verifyFinalizeWithNym", **issued, "signature": hexed(b.signature)}
            | {"proverNyms": nyms, "proverBlind": scalar_hex(b.prover_blind)},
            {"op": "proofVerifyWithNym", **verifying},
            {"op": "proofVerifyWithNym", **verifying, "presentationHeader": hexed(other_ph)},
            {"op": "proofGenWithNym", **ballot, "signature": hexed(b.signature)}
            | {"nymSecrets": [scalar_hex(n) for n in b.nym_secrets], "messages": hexes(b.messages)}
            | {"committedMessages": [], "proverBlind": scalar_hex(b.prover_blind)},
        ],
    )
    their_commitment = bytes.fromhex(commit["commitmentWithProof"])
    their_blind = int(commit["proverBlind"], 16)
    resigned = blind_sign_with_nym(
        suite, sk, pk, their_commitment, NYM_COUNT, b.entropy, b.header, b.messages
    )
    refinalized = verify_finalize_with_nym(
        suite, pk, resigned, b.header, b.messages, [], b.prover_nyms, b.entropy, their_blind
    )
    theirs, their_nym = bytes.fromhex(made["proof"]), bytes.fromhex(made["pseudonym"])
    return [
        expect("its CommitWithNym is signed and finalized by ours", refinalized == b.nym_secrets),
        expect(
            "BlindSignWithNym of our commitment: = ours", signed["signature"] == hexed(b.signature)
        ),
        expect(
            "VerifyFinalizeWithNym: = our nym secrets",
            finalized["nymSecrets"] == [scalar_hex(n) for n in b.nym_secrets],
        ),
        expect("our ballot verifies under zkryptium", ok["valid"]),
        expect("our ballot fails under zkryptium with another ph", not tampered["valid"]),
        expect(
            "its pseudonym: = ours", their_nym == nym == pseudonym(suite, b.nym_secrets, b.context)
        ),
        expect(
            "its ballot verifies under ours", verify_ballot(suite, pk, b, theirs, their_nym, b.ph)
        ),
        expect(
            "its ballot fails under ours with another ph",
            not verify_ballot(suite, pk, b, theirs, their_nym, other_ph),
        ),
    ]
