"""Peak memory of LadybugDB's COPY into one growing node table, as a seed loads citizens: what
the bulk load holds per row, and whether a bounded buffer pool, a CHECKPOINT after each batch
or reopening the database every few batches bounds it.

    python -m bench.copy_memory [--rows 2000000] [--batch 100000]

Each way runs in a process of its own on a fresh database under a temporary directory, loading
the same `Citizen` rows (the ontology's columns, 19-character ids as the generator makes) in
batches through a connection of its own per COPY, as `LadybugStore.load_nodes` does. Printed:
the process's peak resident memory (`VmHWM`) and resident memory at the end (`VmRSS`), in MiB,
and bytes of peak per row beyond the first batch's (for the Parquet way: per row, beyond the
process before its one COPY). The baseline is the plain load, in the same command.
"""

from __future__ import annotations

import argparse
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
}


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

    def table(number: int) -> pa.Table:
        short = way == "short_ids"
        return pa.table(
            {
                "id": [
                    f"c{number:03x}{n:08x}" if short else f"cz-{number:04x}{n:012x}"
                    for n in range(batch)
                ],
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
    connection.execute(
        "CREATE NODE TABLE Citizen(id STRING, district_code STRING, dong_code STRING, "
        "birth_year INT64, sex STRING, welfare_eligible BOOL, PRIMARY KEY(id))"
    )
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
    for number in range(rows // batch):
        copying = ladybug.Connection(database)
        copying.execute("COPY Citizen FROM $rows", {"rows": table(number)})
        copying.close()
        if way == "checkpoint":
            connection.execute("CHECKPOINT")
        if way == "reopen" and number % 5 == 4:
            connection.close()
            database.close()
            database = ladybug.Database(str(path), buffer_pool_size=pool)
            connection = ladybug.Connection(database)
        if number == 0:
            first = memory_mib()[0]
    report(way, first, rows - batch, time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--way", choices=WAYS, help=argparse.SUPPRESS)  # one way, in a child
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rows % args.batch or args.rows < 2 * args.batch:
        parser.error("--rows must be a multiple of --batch, and at least two batches")
    if args.way:
        load(args.way, args.path, args.rows, args.batch)
        return
    print(f"{args.rows:,} Citizen rows in batches of {args.batch:,}")
    print(f"{'way':16} {'peak MiB':>9} {'end MiB':>9} {'B/row':>10} {'s':>7}")
    for way in WAYS:
        with tempfile.TemporaryDirectory() as scratch:
            command = [sys.executable, "-m", "bench.copy_memory", "--way", way]
            command += ["--path", str(Path(scratch) / "graph.lbug")]
            command += ["--rows", str(args.rows), "--batch", str(args.batch)]
            subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
