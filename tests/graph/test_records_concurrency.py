"""Processes writing one SQLite records file at once all commit (no "database is locked")."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from graph.records import open_records, sqlite_url
from tests.vectors import REPO

WRITERS = 4
EACH = 150


async def test_transactions_from_several_processes_on_one_sqlite_file_all_commit(
    tmp_path: Path,
) -> None:
    # given a migrated records file
    url = sqlite_url(tmp_path / "records.sqlite3")
    records = await open_records(url)
    await records.close()

    # when several processes run read-then-write transactions on it at once
    writers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.graph.records_writer",
            url,
            str(EACH),
            cwd=REPO,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(WRITERS)
    ]
    errors = await asyncio.wait_for(
        asyncio.gather(*(writer.communicate() for writer in writers)), timeout=300
    )

    # then every transaction committed, each having seen the ones before it
    assert [w.returncode for w in writers] == [0] * WRITERS, [e.decode()[-300:] for _, e in errors]
    records = await open_records(url, migrate=False)
    try:
        rows = await records.query("SELECT subject FROM write_intent")
    finally:
        await records.close()
    assert sorted(r["subject"] for r in rows) == sorted(f"seen-{n}" for n in range(WRITERS * EACH))
