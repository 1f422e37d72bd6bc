"""Readings ingest: the records layer vs a raw driver writing the same rows (PostgreSQL, SQLite).

    python -m bench.ingest [--ticks 120] [--postgres-url postgres://...]

The rows are what the whole S-DoT network sends: 1,100 sensors, one wide row per sensor per
2-minute tick with the 17 data types, generated once (untimed). Each tick is one batch, as an
ingest worker would write it. The baseline writes the same batches with the bare driver
(asyncpg's COPY on PostgreSQL; sqlite3's executemany in a transaction on SQLite); ours goes
through `graph.records.readings.insert_readings` (Tortoise's pool, COPY on PostgreSQL). The
`reading` table is emptied before each side. A "reading" in the target is one value (one data
type of one sensor at one time), as S-DoT counts them: 17 per row.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from graph.ontology import SDOT_DATA_TYPES
from graph.records import Records, open_records
from graph.records.readings import COLUMNS, clear_readings, epoch, insert_readings

SENSORS = 1_100
START = epoch(datetime(2026, 1, 1, tzinfo=UTC))
TARGET_READINGS_PER_S = 15_600


def batches(ticks: int) -> list[list[list[Any]]]:
    rng = random.Random(7)
    sdot = set(SDOT_DATA_TYPES)
    result = []
    for tick in range(ticks):
        at = START + 120 * tick
        batch = []
        for sensor in range(SENSORS):
            values = {c: round(rng.uniform(0, 100), 2) for c in COLUMNS if c in sdot}
            values |= {"sensor_id": f"bench-sdot-{sensor:04d}", "measured_at": at}
            batch.append([values.get(c) for c in COLUMNS])
        result.append(batch)
    return result


async def ours(records: Records, work: list[list[list[Any]]]) -> float:
    await clear_readings(records)
    started = time.perf_counter()
    for batch in work:
        await insert_readings(records, batch)
    return time.perf_counter() - started


async def raw_postgres(url: str, work: list[list[list[Any]]]) -> float:
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute("DELETE FROM reading_latest; DELETE FROM reading")
        started = time.perf_counter()
        for batch in work:
            await connection.copy_records_to_table("reading", records=batch, columns=COLUMNS)
        elapsed = time.perf_counter() - started
        await connection.execute("DELETE FROM reading_latest; DELETE FROM reading")
        return elapsed
    finally:
        await connection.close()


def raw_sqlite(path: Path, work: list[list[list[Any]]]) -> float:
    connection = sqlite3.connect(path)
    try:
        connection.execute("DELETE FROM reading")
        connection.commit()
        marks = ", ".join("?" * len(COLUMNS))
        sql = f"INSERT INTO reading ({', '.join(COLUMNS)}) VALUES ({marks})"
        started = time.perf_counter()
        for batch in work:
            with connection:
                connection.executemany(sql, batch)
        return time.perf_counter() - started
    finally:
        connection.close()


def report(name: str, rows: int, base: float, mine: float) -> None:
    values = rows * len(SDOT_DATA_TYPES)
    print(f"{name}")
    print(f"  raw driver  : {rows / base:10,.0f} rows/s = {values / base:12,.0f} readings/s")
    print(f"  CivicGraph  : {rows / mine:10,.0f} rows/s = {values / mine:12,.0f} readings/s")
    target = values / mine / TARGET_READINGS_PER_S
    print(f"  ratio ours/raw: {base / mine:.2f}x (target >= 0.5x)")
    print(f"  vs target     : {target:.1f}x the {TARGET_READINGS_PER_S:,} readings/s target")


async def run(args: argparse.Namespace) -> None:
    work = batches(args.ticks)
    rows = sum(len(b) for b in work)
    print(f"machine: {platform.machine()}, python {platform.python_version()}")
    print(f"{rows:,} rows ({args.ticks} ticks x {SENSORS:,} sensors), batch = one tick")

    records = await open_records(args.postgres_url, migrate=True)
    try:
        base = await raw_postgres(args.postgres_url, work)
        mine = await ours(records, work)
        await records.query("DELETE FROM reading")
    finally:
        await records.close()
    report("PostgreSQL", rows, base, mine)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "records.sqlite3"
        records = await open_records(f"sqlite://{path}", migrate=True)
        try:
            base = raw_sqlite(path, work)
            mine = await ours(records, work)
        finally:
            await records.close()
    report("SQLite", rows, base, mine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=120, help="2-minute ticks (120 = 4 hours)")
    parser.add_argument(
        "--postgres-url", default="postgres://civic:civic@127.0.0.1:5432/civic_test"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
