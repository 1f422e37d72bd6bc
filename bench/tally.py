"""Re-tally of a 95,000-ballot poll (about 18 % of Gangnam-gu) from the log, against verifying
the same proofs one by one.

    python -m bench.tally [--ballots 95000] [--workers 2] [--sample 1000] [--dir var/bench/tally]

The ballots are made once and kept under `--dir` (generation takes long on two cores: it is
resumable, a rerun continues where it stopped, with a progress bar): one issuer key, one poll,
one credential per voter (enrolled blind, with nyms), one ballot each, appended to a log in
an SQLite records file there. Then, timed:
- ours: `zk.polls.audit.audit_poll` (what `civicgraph poll verify` runs): re-hash the whole
  log against its signed head, read and check every ballot, verify every proof on `--workers`
  processes with one randomised batch pairing check;
- baseline: `proof_verify_with_nym` on each proof in turn (the draft's ProofVerifyWithNym, as
  a verifier of single ballots runs it), on `--sample` ballots, scaled to all of them.
Target: the re-tally under 2 minutes on this 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import time
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from graph.records import Records, open_records, sqlite_url
from ledger.entries import Entry
from ledger.keys import load_signer
from ledger.log import Log
from zk.bbs.curves import Backend, R, curve_for
from zk.bbs.pseudonyms import blind_sign_with_nym, nym_secrets_of, proof_verify_with_nym
from zk.bbs.suites import Ciphersuite, sha256_suite
from zk.credentials import holder
from zk.credentials.attributes import (
    NYM_COUNT,
    ORDER,
    ResidentAttributes,
    encode_value,
    header,
    indexes,
    messages,
)
from zk.credentials.epochs import Epoch
from zk.credentials.issuer_keys import IssuerKeyring
from zk.credentials.presentation import HeldCredential
from zk.polls.audit import audit_poll
from zk.polls.ballots import make_ballot
from zk.polls.model import BALLOT, Ballot, Eligibility, Poll, ballot_header
from zk.polls.service import create_poll
from zk.wallet import Wallet

TARGET_S = 120.0
EPOCH = Epoch(2026, 11)
OPTIONS = ("wetland garden", "playground", "sports field")
ORIGIN = "bench.civicgraph.example/log"
BATCH = 1000


def _suite() -> Ciphersuite:
    return sha256_suite(curve_for(Backend.ARKWORKS))


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    )


def make_ballots(poll_json: dict[str, Any], secret: int, public: bytes, count: int) -> list[str]:
    """In a worker: `count` voters of Gangnam-gu each get a credential and cast one ballot.

    The credential is made as `BlindSignWithNym` makes it; the wallet's own check of the
    signature is skipped here (the re-tally checks every ballot anyway)."""
    suite = _suite()
    poll = Poll.from_definition(poll_json["poll_id"], poll_json["definition"])
    attributes = ResidentAttributes(district="11680", over19=True, over65=False, welfare=False)
    lines = []
    for _ in range(count):
        pending = holder.prepare_request(suite, Wallet.new(), EPOCH)
        entropy = secrets.randbelow(R - 1) + 1
        signature = blind_sign_with_nym(
            suite,
            secret,
            public,
            pending.request.commitment,
            NYM_COUNT,
            entropy,
            header(EPOCH.key_id),
            messages(attributes),
        )
        credential = HeldCredential(
            EPOCH.key_id,
            public,
            attributes,
            signature,
            tuple(nym_secrets_of(pending.prover_nyms, entropy)),
            pending.prover_blind,
        )
        ballot = make_ballot(suite, credential, poll, secrets.choice(OPTIONS))
        lines.append(json.dumps(ballot.to_json()))
    return lines


async def _city(folder: Path) -> tuple[Records, Log, IssuerKeyring]:
    records = await open_records(sqlite_url(folder / "records.sqlite3"), migrate=True)
    log = Log(records, load_signer(folder / "log.pem", ORIGIN))
    return records, log, IssuerKeyring(folder / "issuer", _suite())


async def setup(folder: Path, meta: dict[str, Any] | None) -> tuple[dict[str, Any], int, bytes]:
    """The issuer key (made once) and the poll (created once: `meta` when it exists)."""
    records, log, keyring = await _city(folder)
    try:
        key = await keyring.key(log, EPOCH)
        if meta is None:
            start = datetime(2026, 11, 2, tzinfo=UTC)
            poll = await create_poll(
                log,
                "Which design for the Yangjae stream park?",
                list(OPTIONS),
                Eligibility(districts=("11680",), over19=True),
                str(EPOCH),
                start,
                start + timedelta(days=14),
            )
            meta = {"poll_id": poll.poll_id, "definition": poll.definition(), "logged": 0}
        return meta, key.secret, key.published.public_key
    finally:
        await records.close()


def generate(
    ballots: Path, meta: dict[str, Any], secret: int, public: bytes, total: int, workers: int
) -> None:
    """Append ballots to `ballots` (JSON lines) until it holds `total`; resumable."""
    have = sum(1 for _ in ballots.open()) if ballots.exists() else 0
    if have >= total:
        return
    print(f"making {total - have:,} ballots (kept in {ballots}; a rerun continues)")
    chunk = 200
    with _bar() as bar, ProcessPoolExecutor(max_workers=workers) as pool, ballots.open("a") as out:
        task = bar.add_task("credentials and ballots", total=total, completed=have)
        running: list[Future[list[str]]] = []
        left = total - have
        while left > 0 or running:
            while left > 0 and len(running) < workers * 2:
                n = min(chunk, left)
                running.append(pool.submit(make_ballots, meta, secret, public, n))
                left -= n
            lines = running.pop(0).result()
            out.write("".join(line + "\n" for line in lines))
            out.flush()
            bar.advance(task, len(lines))


async def log_ballots(folder: Path, meta: dict[str, Any], lines: list[str]) -> None:
    """Append the made ballots to the poll's log (once; a rerun continues)."""
    records, log, _ = await _city(folder)
    try:
        logged = int(meta.get("logged", 0))
        if logged >= len(lines):
            return
        with _bar() as bar:
            task = bar.add_task("appending ballots to the log", total=len(lines), completed=logged)
            for start in range(logged, len(lines), BATCH):
                batch = [
                    Entry(BALLOT, meta["poll_id"], json.loads(line))
                    for line in lines[start : start + BATCH]
                ]
                await log.append(batch)
                meta["logged"] = start + len(batch)
                await asyncio.to_thread((folder / "poll.json").write_text, json.dumps(meta))
                bar.advance(task, len(batch))
    finally:
        await records.close()


async def measure(
    folder: Path, meta: dict[str, Any], workers: int, lines: list[str], sample: int
) -> None:
    records, log, keyring = await _city(folder)
    suite = _suite()
    try:
        key = await keyring.key(log, EPOCH)
        poll = Poll.from_definition(meta["poll_id"], meta["definition"])
        started = time.perf_counter()
        audit = await audit_poll(records, log.signer.verifier, poll.poll_id, workers=workers)
        ours = time.perf_counter() - started
        if not audit.ok:
            raise SystemExit(f"the re-tally found problems: {audit.findings[:3]}")
        picked = [Ballot.from_json(json.loads(line)) for line in lines[:sample]]
        order = [name for name in ORDER if name in poll.eligibility.disclosed()]
        started = time.perf_counter()
        for ballot in picked:
            # the verification is the timed work: a plain call, never inside an `assert`
            # (which `python -O` removes, timing nothing)
            verified = proof_verify_with_nym(
                suite,
                key.published.public_key,
                ballot.proof,
                header(ballot.key_id),
                ballot_header(poll.poll_id, ballot.option),
                ballot.pseudonym,
                poll.context_id,
                NYM_COUNT,
                len(ORDER),
                [encode_value(name, ballot.disclosed[name]) for name in order],
                [],
                indexes(order),
                [],
            )
            if not verified:
                raise SystemExit(f"a sampled ballot does not verify: {ballot.pseudonym.hex()[:16]}")
        per_proof = (time.perf_counter() - started) / len(picked)
    finally:
        await records.close()
    n = audit.counted
    baseline = per_proof * n
    print(
        f"# bench.tally {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"poll of {n:,} ballots in a log of {audit.tree_size:,} leaves; counts {audit.counts}")
    print(
        f"re-tally (ours, {workers} workers): {ours:8.1f} s  ({ours / n * 1000:.2f} ms per ballot)"
    )
    print(
        f"one by one (baseline, 1 core):  {baseline:8.1f} s  ({per_proof * 1000:.2f} ms per proof, "
        f"{len(picked):,} timed, scaled to {n:,})"
    )
    verdict = "met" if ours < TARGET_S else "MISSED"
    print(f"ratio: {baseline / ours:.2f}x; target < {TARGET_S:.0f} s: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=95_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--dir", type=Path, default=Path("var") / "bench" / "tally")
    args = parser.parse_args()
    folder = args.dir / str(args.ballots)
    folder.mkdir(parents=True, exist_ok=True)
    meta_path = folder / "poll.json"
    known = json.loads(meta_path.read_text()) if meta_path.exists() else None
    meta, secret, public = asyncio.run(setup(folder, known))
    meta_path.write_text(json.dumps(meta))
    generate(folder / "ballots.jsonl", meta, secret, public, args.ballots, args.workers)
    lines = (folder / "ballots.jsonl").read_text().splitlines()[: args.ballots]
    asyncio.run(log_ballots(folder, meta, lines))
    asyncio.run(measure(folder, meta, args.workers, lines, min(args.sample, args.ballots)))


if __name__ == "__main__":
    main()
