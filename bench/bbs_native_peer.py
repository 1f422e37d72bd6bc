"""zkryptium 0.8.0 as bench.bbs_native drives it (`bench/zkryptium`, built by cargo: one JSON
job in, one JSON answer out), and the resident credential and ballot both sides are given."""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zk.bbs.proofs import calculate_random_scalars
from zk.bbs.pseudonyms import (
    blind_sign_with_nym,
    commit_with_nym,
    proof_gen_with_nym,
    proof_verify_with_nym,
    verify_finalize_with_nym,
)
from zk.bbs.suites import Ciphersuite
from zk.credentials.attributes import NYM_COUNT, Attribute, ResidentAttributes, header, indexes
from zk.credentials.attributes import messages as credential_messages
from zk.credentials.epochs import Epoch
from zk.polls.model import ballot_header

CRATE = Path(__file__).resolve().parent / "zkryptium"
Json = dict[str, Any]


@dataclass(frozen=True)
class Zkryptium:
    binary: Path
    fixtures: Path

    def _run(self, job: Json) -> Json:
        done = subprocess.run(
            [str(self.binary)], input=json.dumps(job), capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise SystemExit(f"zkryptium failed: {done.stderr.strip()}")
        answer: Json = json.loads(done.stdout)
        return answer

    def ops(self, ciphersuite: str, ops: list[Json]) -> list[Json]:
        results: list[Json] = self._run({"ciphersuite": ciphersuite, "ops": ops})["results"]
        for op, result in zip(ops, results, strict=True):
            if "error" in result and "valid" not in result:
                raise SystemExit(f"zkryptium's {op['op']} failed: {result['error']}")
        return results

    def time(self, ciphersuite: str, job: Json) -> dict[str, list[float]]:
        ms: dict[str, list[float]] = self._run({"ciphersuite": ciphersuite, "time": job})["ms"]
        return ms


def build() -> Zkryptium:
    """cargo build --release of bench/zkryptium; SystemExit in one line if it cannot be."""
    cargo = shutil.which("cargo")
    if cargo is None:
        raise SystemExit("--zkryptium needs cargo (Rust, https://rustup.rs): not found on PATH")
    manifest = ["--locked", "--manifest-path", str(CRATE / "Cargo.toml")]
    if subprocess.run([cargo, "build", "--release", *manifest], check=False).returncode:
        raise SystemExit("cargo could not build bench/zkryptium (its errors are above)")
    done = subprocess.run(
        [cargo, "metadata", "--format-version", "1", *manifest],
        capture_output=True,
        text=True,
        check=True,
    )
    meta = json.loads(done.stdout)
    package = next(p for p in meta["packages"] if p["name"] == "zkryptium")
    return Zkryptium(
        Path(meta["target_directory"]) / "release" / "zkryptium-bench",
        Path(package["manifest_path"]).parent / "fixture_data",
    )


def hexed(octets: bytes) -> str:
    return octets.hex()


def scalar_hex(value: str | int) -> str:
    """32 bytes of hex (fixtures may drop leading zeros)."""
    number = int(value, 16) if isinstance(value, str) else value
    return number.to_bytes(32, "big").hex()


def hexes(values: list[bytes]) -> list[str]:
    return [value.hex() for value in values]


@dataclass(frozen=True)
class Ballot:
    """A resident credential as issuance makes it, and one ballot's inputs in one poll."""

    header: bytes
    ph: bytes
    context: bytes
    messages: list[bytes]
    disclosed: list[int]
    prover_nyms: list[int]
    entropy: int
    commitment: bytes
    prover_blind: int
    signature: bytes
    nym_secrets: list[int]

    @property
    def shown(self) -> list[bytes]:
        return [self.messages[i] for i in self.disclosed]


def make_ballot(suite: Ciphersuite, sk: int, pk: bytes) -> Ballot:
    hdr = header(Epoch(2026, 12).key_id)
    msgs = credential_messages(ResidentAttributes("11680", True, False, False))
    poll_id = f"poll-{secrets.token_hex(6)}"
    nyms = calculate_random_scalars(NYM_COUNT)
    commitment = commit_with_nym(suite, [], nyms)
    entropy = calculate_random_scalars(1)[0]
    cwp, blind = commitment.commitment_with_proof, commitment.secret_prover_blind
    signature = blind_sign_with_nym(suite, sk, pk, cwp, NYM_COUNT, entropy, hdr, msgs)
    nym_secrets = verify_finalize_with_nym(
        suite, pk, signature, hdr, msgs, [], nyms, entropy, blind
    )
    shown = indexes([Attribute.DISTRICT, Attribute.OVER19])
    ph = ballot_header(poll_id, "playground")
    return Ballot(
        hdr, ph, poll_id.encode(), msgs, shown, nyms, entropy, cwp, blind, signature, nym_secrets
    )


def cast_ballot(suite: Ciphersuite, pk: bytes, b: Ballot) -> tuple[bytes, bytes]:
    """ProofGenWithNym as `make_ballot` of zk.polls.ballots calls it: (proof, pseudonym)."""
    made = proof_gen_with_nym(
        suite, pk, b.signature, b.header, b.ph, b.nym_secrets, b.context, b.messages, [],
        b.disclosed, [], b.prover_blind,
    )  # fmt: skip
    return made.proof, made.pseudonym


def verify_ballot(
    suite: Ciphersuite, pk: bytes, b: Ballot, proof: bytes, nym: bytes, ph: bytes
) -> bool:
    """ProofVerifyWithNym as `check_ballot` of zk.polls.ballots calls it."""
    return proof_verify_with_nym(
        suite, pk, proof, b.header, ph, nym, b.context, NYM_COUNT, len(b.messages), b.shown, [],
        b.disclosed, [],
    )  # fmt: skip
