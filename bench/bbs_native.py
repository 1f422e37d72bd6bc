"""BBS proof verification with 10 messages and a ballot's pseudonym proof verification, ours
(arkworks) against zkryptium 0.8.0 (native Rust, `bench/zkryptium`, built here by cargo) on the
same inputs, both ciphersuites.

    python -m bench.bbs --zkryptium [--iterations 30]

Checked first, nothing timed, a failure ends the run: our fixture runner passes every fixture
zkryptium ships (both suites; its SHA-256 files hold our fixtures' values) and ours. Then, on
fixtures and on the inputs timed after: zkryptium's KeyGen (key_dst given), Sign and
BlindSignWithNym give our bytes, VerifyFinalizeWithNym our nym secrets, ProofGenWithNym our
pseudonym; with no key_dst its KeyGen differs from ours by the default DST alone (api_id ||
"KEYGEN_DST_", the fixtures' value, against the draft text's ciphersuite_id || "KEYGEN_DST_").
Proofs are randomised and zkryptium draws its scalars from the OS only (the draft's mocked
scalars exist in its unit tests alone), so proofs are cross-verified: ours under zkryptium,
its under ours, and a changed presentation header fails under both.

Timed in turns of 10 runs a side (a change in the machine's load hits both), each turn after
a warm-up run not recorded: sign, proof generation and verification with 10 messages of 32
bytes, 5 disclosed, 64-byte header and presentation header (bench.bbs's inputs); a ballot as
`zk.polls.ballots` makes and checks one (a resident credential: 4 signer messages, district
and over19 disclosed, the prover blind and 4 nym secrets hidden; header, presentation header
and context as in a poll). Both sides start from octets and keep nothing between runs. Ours
is also timed with what a verifier may prepare once (the generators; for ballots a poll's
`NymVerifier`: generators, domain, OP and z), which zkryptium's API does not offer.

The figure is zkryptium's median time divided by ours. Target: proof verification and ballot
verification ≥ 0.5× zkryptium.
"""

from __future__ import annotations

import os
import secrets
import statistics
import time

from bench.bbs import DISCLOSED, Inputs
from bench.bbs_native_checks import check_ballots, check_bbs, check_fixtures, check_runner
from bench.bbs_native_peer import (
    Ballot,
    Json,
    Zkryptium,
    build,
    cast_ballot,
    hexed,
    hexes,
    make_ballot,
    scalar_hex,
    verify_ballot,
)
from zk.bbs.curves import Backend, curve_for
from zk.bbs.keys import key_gen, sk_to_pk
from zk.bbs.proofs import core_proof_verify, proof_gen, proof_verify
from zk.bbs.pseudonyms import NymVerifier
from zk.bbs.signatures import sign
from zk.bbs.suites import Ciphersuite, sha256_suite, shake256_suite
from zk.credentials.attributes import NYM_COUNT

SUITES = {"BLS12-381-SHA-256": sha256_suite, "BLS12-381-SHAKE-256": shake256_suite}
OPERATIONS = ("sign", "proofGen", "proofVerify", "ballotProofGen", "ballotVerify")
TARGETS = ("proofVerify", "ballotVerify")
PREPARED = ("proofVerify, generators prepared", "ballotVerify, NymVerifier prepared")
"""Ours only, beside TARGETS: zkryptium's API makes the generators inside each call."""
TARGET_RATIO = 0.5
ROUND = 10
"""Runs of one side before the other takes its turn, so that a change in load hits both."""


class Laps:
    """Times consecutive operations of one run; each ends when `end` names it."""

    def __init__(self, ms: dict[str, list[float]], record: bool) -> None:
        self.ms, self.record = ms, record
        self.started = time.perf_counter()

    def end(self, name: str, ok: object = True) -> None:
        ended = time.perf_counter()
        if ok is not True:
            raise SystemExit(f"{name}: ours does not verify its own")
        if self.record:
            self.ms[name].append((ended - self.started) * 1000)
        self.started = time.perf_counter()


def time_ours(
    suite: Ciphersuite, sk: int, pk: bytes, inputs: Inputs, b: Ballot, iterations: int
) -> dict[str, list[float]]:
    """Milliseconds per run of each operation, from scratch; and the two verifications with
    what a verifier may prepare once: the generators; for ballots a poll's NymVerifier
    (generators, domain, OP, z), its cache of disclosed points emptied before each run."""
    api_id = suite.api_id
    shown = [inputs.messages[i] for i in DISCLOSED]
    generators = suite.create_generators(len(inputs.messages) + 1, api_id)
    verifier = NymVerifier(suite, pk, b.header, b.context, NYM_COUNT, len(b.messages))
    ms: dict[str, list[float]] = {name: [] for name in (*OPERATIONS, *PREPARED)}
    for run in range(iterations + 1):
        laps = Laps(ms, record=run > 0)
        signature = sign(suite, sk, pk, inputs.header, inputs.messages)
        laps.end("sign")
        proof = proof_gen(
            suite, pk, signature, inputs.header, inputs.ph, inputs.messages, DISCLOSED
        )
        laps.end("proofGen")
        laps.end(
            "proofVerify",
            proof_verify(suite, pk, proof, inputs.header, inputs.ph, shown, DISCLOSED),
        )
        scalars = suite.messages_to_scalars(shown, api_id)
        ok = core_proof_verify(
            suite, pk, proof, generators, inputs.header, inputs.ph, scalars, DISCLOSED, api_id
        )
        laps.end(PREPARED[0], ok)
        ballot, nym = cast_ballot(suite, pk, b)
        laps.end("ballotProofGen")
        laps.end("ballotVerify", verify_ballot(suite, pk, b, ballot, nym, b.ph))
        verifier._disclosed_points.clear()
        scalars = suite.messages_to_scalars(b.shown, verifier.api_id)
        laps.end(PREPARED[1], verifier.verify(ballot, b.ph, nym, scalars, b.disclosed))
    return ms


def time_zkryptium(
    zkr: Zkryptium, ciphersuite: str, sk: int, pk: bytes, inputs: Inputs, b: Ballot, n: int
) -> dict[str, list[float]]:
    bbs: Json = {
        "secretKey": scalar_hex(sk),
        "publicKey": hexed(pk),
        "header": hexed(inputs.header),
    }
    bbs |= {"presentationHeader": hexed(inputs.ph), "messages": hexes(inputs.messages)}
    bbs |= {"disclosedIndexes": DISCLOSED}
    ballot: Json = {
        "publicKey": hexed(pk),
        "signature": hexed(b.signature),
        "header": hexed(b.header),
    }
    ballot |= {"presentationHeader": hexed(b.ph), "contextId": hexed(b.context)}
    ballot |= {"nymSecrets": [scalar_hex(s) for s in b.nym_secrets], "messages": hexes(b.messages)}
    ballot |= {"disclosedIndexes": b.disclosed, "proverBlind": scalar_hex(b.prover_blind)}
    return zkr.time(ciphersuite, {"iterations": n, "bbs": bbs, "ballot": ballot})


def time_both(
    zkr: Zkryptium,
    ciphersuite: str,
    suite: Ciphersuite,
    sk: int,
    pk: bytes,
    inputs: Inputs,
    b: Ballot,
    iterations: int,
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Ours and zkryptium's timings, taking turns of ROUND runs."""
    ours: dict[str, list[float]] = {}
    theirs: dict[str, list[float]] = {}
    for start in range(0, iterations, ROUND):
        runs = min(ROUND, iterations - start)
        for name, ms in time_ours(suite, sk, pk, inputs, b, runs).items():
            ours.setdefault(name, []).extend(ms)
        for name, ms in time_zkryptium(zkr, ciphersuite, sk, pk, inputs, b, runs).items():
            theirs.setdefault(name, []).extend(ms)
    return ours, theirs


def run(iterations: int) -> None:
    """Build, check, time and print (`python -m bench.bbs --zkryptium`)."""
    zkr = build()
    print(f"zkryptium 0.8.0, {zkr.binary} (release, fat LTO)")
    print(f"our fixture runner: {check_runner(zkr)} fixture files pass (zkryptium's and ours)")
    curve = curve_for(Backend.ARKWORKS)
    met = True
    for ciphersuite, make in SUITES.items():
        suite = make(curve)
        inputs = Inputs()
        ikm, info = secrets.token_bytes(32), b"civicgraph bench key"
        sk = key_gen(suite, ikm, info)
        pk = sk_to_pk(suite, sk)
        b = make_ballot(suite, sk, pk)
        checks = check_fixtures(zkr, ciphersuite, suite)
        checks += check_bbs(zkr, ciphersuite, suite, inputs, ikm, info)
        checks += check_ballots(zkr, ciphersuite, suite, sk, pk, b)
        print(f"\n{ciphersuite}: {len(checks)} checks passed")
        for line in checks:
            print(f"  ok  {line}")
        load = os.getloadavg()[0]
        ours, theirs = time_both(zkr, ciphersuite, suite, sk, pk, inputs, b, iterations)
        print(
            f"median ms per operation ({iterations} runs each, the two alternating every "
            f"{ROUND}; load average {load:.2f} before, {os.getloadavg()[0]:.2f} after)"
        )
        print(f"{'operation':<36}{'ours':>8}{'zkryptium':>11}  zkryptium/ours")
        rows = [*((name, name) for name in OPERATIONS), *zip(PREPARED, TARGETS, strict=True)]
        for label, peer in rows:
            ours_ms, peer_ms = statistics.median(ours[label]), statistics.median(theirs[peer])
            print(f"{label:<36}{ours_ms:>8.2f}{peer_ms:>11.2f}  {peer_ms / ours_ms:.2f}x")
            if label in TARGETS:
                met = met and peer_ms / ours_ms >= TARGET_RATIO
    verdict = "met" if met else "MISSED"
    print(
        f"\ntarget: ours (from scratch) >= {TARGET_RATIO}x zkryptium on proof verification and "
        f"ballot verification: {verdict}"
    )
