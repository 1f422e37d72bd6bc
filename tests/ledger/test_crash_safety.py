"""SIGKILL a log writer at random points, many times: the head is always whole and signed.

After every kill the stored head must verify, cover exactly the stored leaves, agree with the
root recomputed from the stored subtrees, extend the previous head, and include every size the
writer reported as committed. At the end, every leaf is re-hashed from its bytes.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from graph.records import Records, open_records, sqlite_url
from ledger.checkpoint import open_checkpoint
from ledger.hashing import hash_children, hash_leaf
from ledger.keys import load_signer
from ledger.log import Log
from ledger.proof import fold
from ledger.verify import verify_consistency
from tests.contract.conftest import POSTGRES_URL
from tests.ledger.crash_writer import ORIGIN

KILLS = 20
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", "postgres"])
async def records_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "records.sqlite3")
        return
    name = f"civic_crash_{uuid.uuid4().hex[:8]}"
    admin_url = POSTGRES_URL.replace("postgres://", "postgresql://", 1)
    try:
        admin = await asyncpg.connect(admin_url)
    except (OSError, asyncpg.PostgresError) as error:
        pytest.skip(f"PostgreSQL is not running (tools/services/services.sh): {error}")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        for _ in range(20):  # killed writers' sessions end a moment after their processes
            try:
                await admin.execute(f'DROP DATABASE "{name}"')
                break
            except asyncpg.ObjectInUseError:
                await asyncio.sleep(0.5)
        await admin.close()


def run_writer_until_killed(url: str, key_file: Path, seed: int) -> int:
    """Start a writer, SIGKILL it at a random moment; the largest size it said it committed."""
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.ledger.crash_writer", url, str(key_file), str(seed)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "ready"
    time.sleep(random.Random(seed).uniform(0.0, 0.6))
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    committed = [int(line.split()[1]) for line in writer.stdout.read().splitlines() if line]
    return max(committed, default=0)


async def writer_sessions_ended(records: Records) -> None:
    """Wait until no other PostgreSQL session of the database is in a statement or an open
    transaction. A killed writer's server session can still be committing for a moment
    after the process died: the check sees the log once that is settled. (SQLite: nothing.)"""
    if records.dialect != "postgres":
        return
    for _ in range(200):
        rows = await records.query(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
        )
        if int(rows[0]["n"]) == 0:
            return
        await asyncio.sleep(0.05)
    pytest.fail("a killed writer's session was still busy after 10 s")


async def check_whole(records: Records, log: Log) -> tuple[int, bytes]:
    await writer_sessions_ended(records)
    head = await log.head()
    open_checkpoint(head.note, log.signer.verifier)
    rows = await records.query("SELECT count(*) AS n, max(leaf_index) AS last FROM log_entry")
    assert int(rows[0]["n"]) == head.size
    assert (rows[0]["last"] or 0) == max(head.size - 1, 0)
    assert await log.root(head.size) == head.root
    return head.size, head.root


async def test_a_killed_writer_leaves_the_old_head_or_the_new_one(
    records_url: str, tmp_path: Path
) -> None:
    # given a migrated, empty log and its key
    key_file = tmp_path / "log.pem"
    signer = load_signer(key_file, ORIGIN)
    records = await open_records(records_url, migrate=True)
    log = Log(records, signer)
    previous_size, previous_root = 0, (await log.head()).root
    try:
        for kill in range(KILLS):
            # when a writer dies mid-append
            acknowledged = run_writer_until_killed(records_url, key_file, kill)
            # then the stored head is whole, durable and extends the one before
            size, root = await check_whole(records, log)
            assert size >= acknowledged
            assert size >= previous_size
            if previous_size and size > previous_size:
                proof = await log.consistency_proof(previous_size, size)
                verify_consistency(previous_size, size, proof, previous_root, root)
            previous_size, previous_root = size, root
        assert previous_size > 0, "no writer ever committed a batch"
        # and every leaf, re-hashed from its bytes, gives the head's root
        stack: list[tuple[int, bytes]] = []
        for start in range(0, previous_size, 50_000):
            for entry in await log.entries(start, min(start + 50_000, previous_size)):
                level, value = 0, hash_leaf(entry.leaf_input)
                assert value == entry.leaf_hash
                while stack and stack[-1][0] == level:
                    value = hash_children(stack.pop()[1], value)
                    level += 1
                stack.append((level, value))
        assert fold([value for _, value in stack]) == previous_root
    finally:
        await records.close()
