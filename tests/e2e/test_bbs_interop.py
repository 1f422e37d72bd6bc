"""BBS interop with an independent implementation, `@digitalbazaar/bbs-signatures` (npm),
through gateway/scripts/bbs.mjs: signatures and proofs made here verify there, and the other
way round, on both ciphersuites."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from tests.vectors import REPO
from zk.bbs.curves.arkworks import ArkworksCurve
from zk.bbs.keys import key_gen, sk_to_pk
from zk.bbs.proofs import proof_gen, proof_verify
from zk.bbs.signatures import sign, verify
from zk.bbs.suites import Ciphersuite, sha256_suite, shake256_suite

SCRIPT = REPO / "gateway" / "scripts" / "bbs.mjs"
SUITES = {
    "BLS12-381-SHA-256": sha256_suite(ArkworksCurve()),
    "BLS12-381-SHAKE-256": shake256_suite(ArkworksCurve()),
}
MESSAGES = [b"district=11680", b"over19=true", b"over65=false", b"welfare=true", b""]
HEADER = b"civicgraph issuer epoch 2026-11"
PH = b"verifier=gangnam-library nonce=4f1c"
DISCLOSED = [0, 1]


def peer(request: dict[str, Any]) -> dict[str, Any]:
    if shutil.which("node") is None or not (REPO / "gateway" / "node_modules").is_dir():
        pytest.skip("node and `npm ci --prefix gateway` are needed (make test runs it)")
    done = subprocess.run(
        ["node", str(SCRIPT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=REPO / "gateway",
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


def hexes(values: list[bytes]) -> list[str]:
    return [value.hex() for value in values]


@pytest.mark.parametrize("name", list(SUITES))
def test_our_signatures_and_proofs_verify_in_the_js_peer(name: str) -> None:
    suite: Ciphersuite = SUITES[name]
    sk = key_gen(suite, b"civicgraph interop key material!" * 2)
    pk = sk_to_pk(suite, sk)
    signature = sign(suite, sk, pk, HEADER, MESSAGES)
    common = {"ciphersuite": name, "publicKey": pk.hex(), "header": HEADER.hex()}
    assert (
        peer(
            {
                **common,
                "op": "verifySignature",
                "signature": signature.hex(),
                "messages": hexes(MESSAGES),
            }
        )["valid"]
        is True
    )
    proof = proof_gen(suite, pk, signature, HEADER, PH, MESSAGES, DISCLOSED)
    checked = peer(
        {
            **common,
            "op": "verifyProof",
            "proof": proof.hex(),
            "presentationHeader": PH.hex(),
            "messages": hexes([MESSAGES[i] for i in DISCLOSED]),
            "disclosedIndexes": DISCLOSED,
        }
    )
    assert checked["valid"] is True
    tampered = peer(
        {
            **common,
            "op": "verifySignature",
            "signature": signature.hex(),
            "messages": hexes([b"district=11110", *MESSAGES[1:]]),
        }
    )
    assert tampered["valid"] is False


@pytest.mark.parametrize("name", list(SUITES))
def test_the_js_peers_signatures_and_proofs_verify_here(name: str) -> None:
    suite: Ciphersuite = SUITES[name]
    keys = peer({"op": "keyPair", "ciphersuite": name})
    pk = bytes.fromhex(keys["publicKey"])
    assert sk_to_pk(suite, int(keys["secretKey"], 16)) == pk
    common = {"ciphersuite": name, "publicKey": keys["publicKey"], "header": HEADER.hex()}
    signature = bytes.fromhex(
        peer({**common, "op": "sign", "secretKey": keys["secretKey"], "messages": hexes(MESSAGES)})[
            "signature"
        ]
    )
    assert verify(suite, pk, signature, HEADER, MESSAGES)
    assert sign(suite, int(keys["secretKey"], 16), pk, HEADER, MESSAGES) == signature
    proof = bytes.fromhex(
        peer(
            {
                **common,
                "op": "deriveProof",
                "signature": signature.hex(),
                "messages": hexes(MESSAGES),
                "presentationHeader": PH.hex(),
                "disclosedIndexes": DISCLOSED,
            }
        )["proof"]
    )
    disclosed = [MESSAGES[i] for i in DISCLOSED]
    assert proof_verify(suite, pk, proof, HEADER, PH, disclosed, DISCLOSED)
    assert not proof_verify(suite, pk, proof, HEADER, b"another nonce", disclosed, DISCLOSED)
