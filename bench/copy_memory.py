"""Peak memory of LadybugDB's COPY into one growing node table, as a seed loads citizens: what
the bulk load holds per row; whether a bounded buffer pool, a CHECKPOINT after each batch,
reopening the database every few batches or an integer key bounds it; and what the residents'
LIVES_IN adds, loaded beside them or after.

    python -m bench.copy_memory [--rows 2000000] [--batch 100000] [--ways plain,int_key,...]

Each way runs in a process of its own on a fresh database under a temporary directory, loading
the same `Citizen` rows (the ontology's columns, 19-character ids as the generator makes) in
batches through a connection of its own per COPY, as `LadybugStore.load_nodes` does. Printed:
the process's peak resident memory (`VmHWM`) and resident memory at the end (`VmRSS`), in MiB,
and bytes of peak per row beyond the first batch's (for the Parquet way: per row, beyond the
process before its one COPY; for the LIVES_IN ways: per resident and its one relationship).
The baseline is the plain load, in the same command.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WAYS = {
    "plain": "each batch COPied, nothing else",
    "buffer_pool_256": "a 256 MiB buffer pool (LadybugDB's default is 80 % of memory)",
    "checkpoint": "CHECKPOINT after each batch",
    "reopen": "the database closed and opened again every 5 batches",
    "short_ids": "ids of 12 characters (kept inline by LadybugDB) instead of 19",
    "parquet": "every row in one COPY from a Parquet file written first",
    "int_key": "the primary key an INT64 (the resident's number), the id a plain STRING column",
    "lives_in": "each batch's LIVES_IN after its residents, as the seed loads them",
    "lives_in_after": "every resident, the database closed and opened, then every LIVES_IN",
    "one_rel_batch": "every resident, closed and opened, then one COPY of 100,000 LIVES_IN "
    "from residents picked at random (peak past the reopened process, per resident in the table)",
}
DONGS = [f"11680{n:05d}" for n in range(400)]
"""The `District` rows LIVES_IN points at (a gu's dong, 400 of them)."""


def memory_mib() -> tuple[float, float]:
    """(VmHWM, VmRSS) of this process, in MiB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return tuple(int(fields[name].split()[0]) / 1024 for name in ("VmHWM", "VmRSS"))  # type: ignore[return-value]


def report(way: str, start_mib: float, rows: int, seconds: float) -> None:
    """One way's line: peak and final resident MiB, peak bytes per row past `start_mib`."""
    peak, resident = memory_mib()
    per_row = (peak - start_mib) * 2**20 / rows
    print(f"{way:16} {peak:9.0f} {resident:9.0f} {per_row:10.0f} {seconds:7.1f}  {WAYS[way]}")


def load(way: str, path: Path, rows: int, batch: int) -> None:
    """Run one way in this process and print its figures."""
    import ladybug
    import pyarrow as pa

    def ids(number: int) -> list[str]:
        if way == "short_ids":
            return [f"c{number:03x}{n:08x}" for n in range(batch)]
        return [f"cz-{number:04x}{n:012x}" for n in range(batch)]

    def table(number: int) -> pa.Table:
        numbers = {"number": pa.array(range(number * batch, (number + 1) * batch), pa.int64())}
        return pa.table(
            {
                **(numbers if way == "int_key" else {}),
                "id": ids(number),
                "district_code": ["11680"] * batch,
                "dong_code": ["1168010100"] * batch,
                "birth_year": pa.array([1980] * batch, pa.int64()),
                "sex": ["F"] * batch,
                "welfare_eligible": [False] * batch,
            }
        )

    pool = 256 << 20 if way == "buffer_pool_256" else 0
    database = ladybug.Database(str(path), buffer_pool_size=pool)
    connection = ladybug.Connection(database)
    number_column, key = ("number INT64, ", "number") if way == "int_key" else ("", "id")
    connection.execute(
        f"CREATE NODE TABLE Citizen({number_column}id STRING, district_code STRING, "
        "dong_code STRING, birth_year INT64, sex STRING, welfare_eligible BOOL, "
        f"PRIMARY KEY({key}))"
    )
    if way in ("lives_in", "lives_in_after", "one_rel_batch"):
        connection.execute("CREATE NODE TABLE District(code STRING, PRIMARY KEY(code))")
        connection.execute("CREATE REL TABLE LIVES_IN(FROM Citizen TO District)")
        connection.execute("COPY District FROM $rows", {"rows": pa.table({"code": DONGS})})

    def lives_in(number: int) -> pa.Table:
        return pa.table({"from": ids(number), "to": [DONGS[n % 400] for n in range(batch)]})

    if way == "parquet":
        import pyarrow.parquet as pq

        parquet = path.with_suffix(".parquet")
        with pq.ParquetWriter(parquet, table(0).schema) as writer:
            for number in range(rows // batch):
                writer.write_table(table(number))
        before = memory_mib()[0]
        started = time.monotonic()
        connection.execute(f"COPY Citizen FROM '{parquet}'")
        report(way, before, rows, time.monotonic() - started)
        return
    started = time.monotonic()
    first = 0.0

    def copy(text: str, rows: pa.Table) -> None:
        copying = ladybug.Connection(database)
        copying.execute(text, {"rows": rows})
        copying.close()

    for number in range(rows // batch):
        copy("COPY Citizen FROM $rows", table(number))
        if way == "lives_in":
            copy("COPY LIVES_IN FROM $rows", lives_in(number))
        if way == "checkpoint":
            connection.execute("CHECKPOINT")
        if way == "reopen" and number % 5 == 4:
            connection.close()
            database.close()
            database = ladybug.Database(str(path), buffer_pool_size=pool)
            connection = ladybug.Connection(database)
        if number == 0:
            first = memory_mib()[0]
    if way in ("lives_in_after", "one_rel_batch"):
        connection.close()
        database.close()
        database = ladybug.Database(str(path), buffer_pool_size=pool)
        connection = ladybug.Connection(database)
    if way == "lives_in_after":
        for number in range(rows // batch):
            copy("COPY LIVES_IN FROM $rows", lives_in(number))
    if way == "one_rel_batch":
        Path("/proc/self/clear_refs").write_text("5")  # VmHWM from here (proc(5))
        reopened = memory_mib()[1]
        picked = random.Random(1).sample(range(rows), 100_000)
        residents = [f"cz-{n // batch:04x}{n % batch:012x}" for n in picked]
        homes = [DONGS[n % len(DONGS)] for n in range(len(picked))]
        started = time.monotonic()
        copy("COPY LIVES_IN FROM $rows", pa.table({"from": residents, "to": homes}))
        report(way, reopened, rows, time.monotonic() - started)
        return
    report(way, first, rows - batch, time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--ways", default=",".join(WAYS), help="which, in this order")
    parser.add_argument("--way", choices=WAYS, help=argparse.SUPPRESS)  # one way, in a child
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rows % args.batch or args.rows < 2 * args.batch:
        parser.error("--rows must be a multiple of --batch, and at least two batches")
    if args.way:
        load(args.way, args.path, args.rows, args.batch)
        return
    ways = args.ways.split(",")
    unknown = [way for way in ways if way not in WAYS]
    if unknown:
        parser.error(f"--ways: unknown {', '.join(unknown)} (known: {', '.join(WAYS)})")
    print(f"{args.rows:,} Citizen rows in batches of {args.batch:,}")
    print(f"{'way':16} {'peak MiB':>9} {'end MiB':>9} {'B/row':>10} {'s':>7}")
    for way in ways:
        with tempfile.TemporaryDirectory() as scratch:
            command = [sys.executable, "-m", "bench.copy_memory", "--way", way]
            command += ["--path", str(Path(scratch) / "graph.lbug")]
            command += ["--rows", str(args.rows), "--batch", str(args.batch)]
            subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
