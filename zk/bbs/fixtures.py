"""Running the CFRG BBS fixtures (`fixture_data/<ciphersuite>/…`), one verdict per file.

The suite comes from the folder name (`bls12-381-sha-256`, `bls12-381-shake-256`); the kind of
fixture from its fields. Valid signatures and proofs are also re-made and compared byte for
byte (proofs with the draft's mocked scalars from the folder's `mockedRng.json`). The Blind BBS
and pseudonym drafts' fixtures (`fixtures_blind.py`) are recognised the same way, with the
shared `messages.json` next to the suite folders.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zk.bbs import fixtures_blind
from zk.bbs.curves import Curve
from zk.bbs.errors import BbsError
from zk.bbs.keys import key_gen, sk_to_pk
from zk.bbs.proofs import RandomScalars, proof_gen, proof_verify, seeded_random_scalars
from zk.bbs.signatures import sign, verify
from zk.bbs.suites import Ciphersuite, sha256_suite, shake256_suite

SUITES: dict[str, Callable[[Curve], Ciphersuite]] = {
    "bls12-381-sha-256": sha256_suite,
    "bls12-381-shake-256": shake256_suite,
}


class FixtureDirectoryError(BbsError):
    """A directory with no ciphersuite folder of fixtures."""


@dataclass(frozen=True)
class FixtureResult:
    path: Path
    passed: bool
    detail: str


def _hex(value: str) -> bytes:
    return bytes.fromhex(value)


def _mocked(folder: Path, suite: Ciphersuite) -> RandomScalars | None:
    rng = folder / "mockedRng.json"
    if not rng.is_file():
        return None
    data = json.loads(rng.read_text())
    return seeded_random_scalars(suite, _hex(data["seed"]), _hex(data["dst"]))


def _check(
    data: dict[str, Any],
    suite: Ciphersuite,
    mocked: RandomScalars | None,
    shared: fixtures_blind.Shared,
) -> str:
    """What the fixture shows, reproduced; ValueError names the first mismatch."""
    if fixtures_blind.is_blind_or_nym(data):
        return fixtures_blind.check(data, suite, shared)
    curve = suite.curve
    if "keyMaterial" in data:
        sk = key_gen(suite, _hex(data["keyMaterial"]), _hex(data["keyInfo"]), _hex(data["keyDst"]))
        pair = data["keyPair"]
        if (
            sk.to_bytes(32, "big").hex() != pair["secretKey"]
            or sk_to_pk(suite, sk).hex() != pair["publicKey"]
        ):
            raise ValueError("KeyGen/SkToPk differ")
        return "key pair reproduced"
    if "P1" in data:
        made = suite.create_generators(1 + len(data["MsgGenerators"]), suite.api_id)
        expected = [data["Q1"], *data["MsgGenerators"]]
        if (
            curve.g1_to_bytes(suite.p1).hex() != data["P1"]
            or [curve.g1_to_bytes(point).hex() for point in made] != expected
        ):
            raise ValueError("generators differ")
        return f"P1 and {len(made)} generators reproduced"
    if "mockedScalars" in data:
        scalars = seeded_random_scalars(suite, _hex(data["seed"]), _hex(data["dst"]))(data["count"])
        if [s.to_bytes(32, "big").hex() for s in scalars] != data["mockedScalars"]:
            raise ValueError("mocked scalars differ")
        return f"{len(scalars)} mocked scalars reproduced"
    if "cases" in data:
        for case in data["cases"]:
            scalar = suite.hash_to_scalar(_hex(case["message"]), _hex(data["dst"]))
            if scalar.to_bytes(32, "big").hex() != case["scalar"]:
                raise ValueError(f"message {case['message'][:16]}… maps to another scalar")
        return f"{len(data['cases'])} messages mapped"
    if "scalar" in data:
        scalar = suite.hash_to_scalar(_hex(data["message"]), _hex(data["dst"]))
        if scalar.to_bytes(32, "big").hex() != data["scalar"]:
            raise ValueError("hash_to_scalar differs")
        return "hash_to_scalar reproduced"
    want = bool(data["result"]["valid"])
    reason = data["result"].get("reason", "valid")
    if "signerKeyPair" in data:
        keys = data["signerKeyPair"]
        pk, header = _hex(keys["publicKey"]), _hex(data["header"])
        messages = [_hex(m) for m in data["messages"]]
        signature = _hex(data["signature"])
        if verify(suite, pk, signature, header, messages) is not want:
            raise ValueError(f"Verify said {not want} for a fixture that is {reason}")
        if want and sign(suite, int(keys["secretKey"], 16), pk, header, messages) != signature:
            raise ValueError("Sign made other bytes")
        return f"signature {reason}: {'accepted' if want else 'rejected'}"
    if "proof" in data:
        pk, header, ph = (
            _hex(data["signerPublicKey"]),
            _hex(data["header"]),
            _hex(data["presentationHeader"]),
        )
        messages = [_hex(m) for m in data["messages"]]
        indexes = list(data["disclosedIndexes"])
        proof = _hex(data["proof"])
        disclosed = [messages[i] for i in indexes if 0 <= i < len(messages)]
        if proof_verify(suite, pk, proof, header, ph, disclosed, indexes) is not want:
            raise ValueError(f"ProofVerify said {not want} for a fixture that is {reason}")
        if want and mocked is not None:
            remade = proof_gen(
                suite, pk, _hex(data["signature"]), header, ph, messages, indexes, mocked
            )
            if remade != proof:
                raise ValueError("ProofGen made other bytes")
        return f"proof {reason}: {'accepted' if want else 'rejected'}"
    raise ValueError("not a fixture this runner knows")


def _shared_messages(directory: Path) -> fixtures_blind.Shared:
    """The messages the blind and pseudonym fixtures share (`messages.json`), if any."""
    path = directory / "messages.json"
    if not path.is_file():
        return {"messages": [], "committedMessages": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FixtureDirectoryError(f"cannot read {path}: {error}") from None
    if not isinstance(data, dict):  # the core draft's messages.json is a plain list
        return {"messages": [], "committedMessages": []}
    return data


def run_fixtures(directory: Path, curve: Curve) -> Iterator[FixtureResult]:
    """Every fixture under each ciphersuite folder of `directory`, in path order."""
    if not directory.is_dir():
        raise FixtureDirectoryError(f"{directory} is not a directory")
    folders = [directory / name for name in SUITES if (directory / name).is_dir()]
    if not folders:
        raise FixtureDirectoryError(f"{directory} has no ciphersuite folder ({', '.join(SUITES)})")
    shared = _shared_messages(directory)
    found = False
    for folder in folders:
        suite = SUITES[folder.name](curve)
        mocked = _mocked(folder, suite)
        for path in sorted(folder.rglob("*.json")):
            found = True
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(data, dict):
                    raise ValueError("not a JSON object")
                yield FixtureResult(path, True, _check(data, suite, mocked, shared))
            except (OSError, ValueError, KeyError, TypeError, BbsError) as error:
                reason = f"missing field {error}" if isinstance(error, KeyError) else str(error)
                yield FixtureResult(path, False, reason)
    if not found:
        raise FixtureDirectoryError(f"no *.json fixtures under {directory}")
