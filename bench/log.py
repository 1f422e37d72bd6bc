"""Log append and proofs: leaves/s appended durably vs raw SHA-256 of the same leaves.

    python -m bench.log [--leaves 200000] [--batch 1000] [--proof-sizes 1000000,10000000]
                        [--postgres-url postgres://...] [--tree var/bench/log10m.sqlite3]

The leaves are certificate-like entries (about 190 bytes of canonical JSON), built once,
untimed. The baseline hashes the same leaf inputs with hashlib (SHA-256 of 0x00 || input),
nothing else. Ours is `ledger.log.Log.append` in batches: canonical encoding, leaf and subtree
hashes, one transaction per batch with the leaves and a new Ed25519-signed head, committed
(SQLite WAL with synchronous=FULL; PostgreSQL with synchronous_commit on). Each backend starts
from an empty database.

Proofs: the log is grown to each size in `--proof-sizes` (on SQLite), then inclusion proofs
for random leaves are read from the store (O(log n) rows in one query, plus the head) and timed.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import platform
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from graph.records import Records, open_records, sqlite_url
from ledger.checkpoint import Signer
from ledger.entries import Entry
from ledger.keys import load_signer
from ledger.log import Log

TARGET_LEAVES_PER_S = 50_000
TARGET_PROOF_MS = 1.0
GROWTH_BATCH = 20_000
BENCH_DIR = Path("var") / "bench"
"""Large trees live here while measured (10 M leaves take about 3 GB), then are deleted."""
ORIGIN = "bench.civicgraph.example/log"
SIGNER = Signer(ORIGIN, Ed25519PrivateKey.generate())


def entries(count: int, start: int = 0) -> list[Entry]:
    return [
        Entry(
            "certificate.issued",
            f"cert-{i:010d}",
            {
                "kind": "business_registration",
                "document_sha256": hashlib.sha256(i.to_bytes(8, "big")).hexdigest(),
                "issued_at": "2026-11-25T09:00:00Z",
            },
        )
        for i in range(start, start + count)
    ]


def raw_hashing(leaf_inputs: list[bytes]) -> float:
    started = time.perf_counter()
    for leaf in leaf_inputs:
        hashlib.sha256(b"\x00" + leaf).digest()
    return time.perf_counter() - started


async def append_all(log: Log, work: list[Entry], batch: int) -> float:
    started = time.perf_counter()
    for offset in range(0, len(work), batch):
        await log.append(work[offset : offset + batch])
    return time.perf_counter() - started


async def fresh_postgres(url: str) -> tuple[str, str]:
    name = f"civic_bench_log_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    return url.rsplit("/", 1)[0] + "/" + name, name


async def drop_postgres(url: str, name: str) -> None:
    """Drop the benchmark's database (autovacuum may hold it a moment: retry)."""
    admin = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        for _ in range(20):
            try:
                await admin.execute(f'DROP DATABASE "{name}"')
                return
            except asyncpg.ObjectInUseError:
                await asyncio.sleep(0.5)
    finally:
        await admin.close()


async def durability(records: Records) -> str:
    if records.dialect == "sqlite":
        mode = (await records.query("PRAGMA journal_mode"))[0]
        sync = (await records.query("PRAGMA synchronous"))[0]
        return f"journal_mode={next(iter(mode.values()))}, synchronous={next(iter(sync.values()))}"
    row = (await records.query("SHOW synchronous_commit"))[0]
    return f"synchronous_commit={next(iter(row.values()))}"


async def append_figure(name: str, url: str, work: list[Entry], batch: int, raw: float) -> None:
    records = await open_records(url, migrate=True)
    try:
        log = Log(records, SIGNER)
        seconds = await append_all(log, work, batch)
        rate = len(work) / seconds
        print(
            f"| {name} ({await durability(records)}) | {len(work) / raw:,.0f} leaves/s | "
            f"{rate:,.0f} leaves/s | {raw / seconds:.3f}x | "
            f"{'met' if rate >= TARGET_LEAVES_PER_S else 'MISSED'} |"
        )
    finally:
        await records.close()


async def proof_figures(sizes: list[int], samples: int, under: Path, tree: Path | None) -> None:
    with tempfile.TemporaryDirectory(dir=under) as directory:
        path = tree or Path(directory) / "log.sqlite3"
        records = await open_records(sqlite_url(path), migrate=True)
        log = Log(
            records, SIGNER if tree is None else load_signer(path.with_suffix(".pem"), ORIGIN)
        )
        grown = (await log.head()).size
        try:
            for size in sizes:
                started, before = time.perf_counter(), grown
                while grown < size:
                    count = min(GROWTH_BATCH, size - grown)
                    await log.append(entries(count, grown))
                    grown += count
                growth = (grown - before) / (time.perf_counter() - started)
                rng = random.Random(size)
                timings = []
                for index in (rng.randrange(size) for _ in range(samples)):
                    began = time.perf_counter()
                    await log.inclusion_proof(index, size)
                    timings.append((time.perf_counter() - began) * 1000)
                timings.sort()
                p50, p99 = statistics.median(timings), timings[int(len(timings) * 0.99) - 1]
                verdict = "met" if p99 < TARGET_PROOF_MS else "MISSED"
                print(
                    f"| {size:,} | {p50:.3f} ms | {p99:.3f} ms | {verdict} | "
                    f"{growth:,.0f} leaves/s in batches of {GROWTH_BATCH:,} |"
                )
        finally:
            await records.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--proof-sizes", default="1000000,10000000")
    parser.add_argument("--samples", type=int, default=2_000)
    parser.add_argument(
        "--tree", type=Path, help="Keep the grown log in this SQLite file (and reuse it)."
    )
    parser.add_argument(
        "--postgres-url", default="postgres://civic:civic@127.0.0.1:5432/civic_test"
    )
    args = parser.parse_args()
    print(f"# {platform.machine()} {platform.python_version()} {time.strftime('%Y-%m-%d')}")
    work = entries(args.leaves)
    leaf_inputs = [entry.encode() for entry in work]
    print(
        f"{len(work):,} leaves of {statistics.mean(map(len, leaf_inputs)):.0f} bytes, "
        f"batches of {args.batch:,}"
    )
    raw = min(raw_hashing(leaf_inputs) for _ in range(3))
    print("| backend | raw SHA-256 | CivicGraph append (durable) | ratio | target 50,000/s |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        await append_figure("SQLite", sqlite_url(Path(d) / "log.sqlite3"), work, args.batch, raw)
    try:
        url, name = await fresh_postgres(args.postgres_url)
    except (OSError, asyncpg.PostgresError) as error:
        print(f"| PostgreSQL | skipped: {error} | | | |")
    else:
        try:
            await append_figure("PostgreSQL", url, work, args.batch, raw)
        finally:
            await drop_postgres(args.postgres_url, name)
    sizes = [int(s) for s in args.proof_sizes.split(",") if s]
    if sizes:
        print("\n| leaves | proof p50 | proof p99 | target < 1 ms | growing the log |")
        print("|---|---|---|---|---|")
        under = BENCH_DIR.resolve()
        under.mkdir(parents=True, exist_ok=True)
        await proof_figures(sizes, args.samples, under, args.tree)


if __name__ == "__main__":
    asyncio.run(main())
