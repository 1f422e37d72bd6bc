"""One credential, 20 fresh ballots sent at once from 20 OS processes: exactly one counts, on
SQLite and on PostgreSQL (the (poll, pseudonym) pair is unique in the records, and each
ballot's row commits with its log leaf)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

from graph.records import sqlite_url
from tests.vectors import REPO
from tests.zk.city import City, own_city
from tests.zk.residents import SUITE, mid
from zk.credentials.epochs import Epoch
from zk.polls.ballots import make_ballot
from zk.polls.model import BALLOT, Eligibility
from zk.polls.service import create_poll, tally

VOTERS = 20
MONTH = mid(2035, 6)
POSTGRES = os.environ.get(
    "CIVIC_TEST_POSTGRES_URL", "postgres://civic:civic@127.0.0.1:5432/civic_test"
)
RACE_DB = "civic_ballot_race"


async def fresh_postgres() -> str:
    """An empty database of its own next to the test database (the role may create one)."""
    admin = POSTGRES.replace("postgres://", "postgresql://", 1)
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {RACE_DB} WITH (FORCE)")
        await connection.execute(f"CREATE DATABASE {RACE_DB}")
    finally:
        await connection.close()
    return POSTGRES.rsplit("/", 1)[0] + f"/{RACE_DB}"


@pytest.fixture(params=["sqlite", "postgres"])
async def city(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[City, str]]:
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "records.sqlite3")
    else:
        try:
            url = await fresh_postgres()
        except (OSError, asyncpg.PostgresError) as error:
            pytest.skip(f"PostgreSQL is not running (tools/services/services.sh): {error}")
    async with own_city(url, tmp_path) as made:
        yield made, url


async def test_twenty_ballots_of_one_credential_at_once_count_once(
    city: tuple[City, str], tmp_path: Path
) -> None:
    town, url = city
    poll = await create_poll(
        town.log,
        "Bike lanes on Teheran-ro?",
        ["yes", "no"],
        Eligibility(),
        "2035-06",
        MONTH - timedelta(hours=1),
        MONTH + timedelta(hours=1),
    )
    voter = await town.credential(Epoch.at(MONTH))
    files = []
    for n in range(VOTERS):
        ballot = make_ballot(SUITE, voter, poll, "yes" if n % 2 else "no")
        path = tmp_path / f"ballot-{n}.json"
        path.write_text(json.dumps(ballot.to_json()))
        files.append(path)
    start_at = time.time() + 4  # every process is up and connected before then
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.zk.cast_worker",
            url,
            str(town.log_key),
            str(path),
            str(start_at),
            MONTH.isoformat(),
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for path in files
    ]
    outcomes = []
    for process in processes:
        out, err = await process.communicate()
        assert process.returncode == 0, err.decode()
        outcomes.append(out.decode().strip())
    assert Counter(outcomes) == {"accepted": 1, "already_voted": VOTERS - 1}, outcomes
    counted = await tally(town.records, poll.poll_id)
    assert counted.total == 1
    leaves = [e for e in await town.log.entries_about(poll.poll_id) if e.kind == BALLOT]
    assert len(leaves) == 1
