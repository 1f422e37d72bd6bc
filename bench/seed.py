"""Seeding: our graph load paths vs raw LadybugDB COPY of the very same rows, the full seed's
time and peak memory, and Neo4j through Bolt vs through its offline importer.

    python -m bench.seed [--scale 0.01] [--neo4j-url neo4j://127.0.0.1:7688] [--neo4j-import]

The generator's batches are made once (timed) and kept as Arrow IPC files in a scratch folder,
so no side holds the city in memory. Then, into fresh databases:
- raw: bare `COPY <table> FROM $rows` of each batch on one plain connection;
- ours: `LadybugStore.load_nodes/load_rels` of the same batches (schema from the ontology,
  column selection, timestamp conversion, a connection per COPY);
- the full seed (`seeds.seed.seed`: generation overlapped with the load, the records' case
  events and 7 days of readings) in a child process, its wall time and peak resident memory
  (ru_maxrss) reported, for the < 5 min and < 2 GB targets at scale 1.0;
- Neo4j through `Neo4jStore` (batched `UNWIND`) into a server it empties (`--neo4j-url`);
- `--neo4j-import`: `civicgraph seed --export-neo4j` and `neo4j-admin database import` through
  tools/services/services.sh into a scratch Neo4j of its own (needs Java and Maven).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import ladybug
import pyarrow as pa
import pyarrow.ipc as ipc

from graph.errors import QueryFailed
from graph.ladybug_store import LadybugStore, _utc_naive
from graph.ontology import NODE_TYPES, REL_TYPES
from seeds.generator import EventBatch, Generator, NodeBatch, RelBatch

UNTIL = datetime(2026, 11, 25, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]
Kept = tuple[str, str, str, Path]
"""One kept batch: ("node", label, "", file) or ("rel", name, "source>target", file)."""


def keep_batches(scale: float, folder: Path) -> tuple[list[Kept], int, int, float]:
    """Generate the city once into IPC files: (batches, node rows, relationship rows, seconds)."""
    kept: list[Kept] = []
    nodes = rels = 0
    started = time.perf_counter()
    for n, batch in enumerate(Generator(scale, UNTIL).batches()):
        if isinstance(batch, EventBatch):
            continue
        path = folder / f"{n:05d}.arrow"
        with ipc.new_file(path, batch.table.schema) as out:
            out.write_table(batch.table)
        if isinstance(batch, NodeBatch):
            kept.append(("node", batch.label, "", path))
            nodes += batch.table.num_rows
        elif isinstance(batch, RelBatch):
            kept.append(("rel", batch.name, f"{batch.source}>{batch.target}", path))
            rels += batch.table.num_rows
    return kept, nodes, rels, time.perf_counter() - started


def _tables(kept: list[Kept]) -> Iterator[tuple[Kept, pa.Table]]:
    for item in kept:
        with pa.memory_map(str(item[3])) as source:
            yield item, ipc.open_file(source).read_all()


def raw_copy(path: Path, kept: list[Kept]) -> float:
    db = ladybug.Database(str(path))
    conn = ladybug.Connection(db)
    for kind in NODE_TYPES.values():
        cols = ", ".join(f"{p.name} {p.type.value}" for p in kind.properties)
        conn.execute(f"CREATE NODE TABLE `{kind.label}`({cols}, PRIMARY KEY ({kind.key}))")
    for rel in REL_TYPES.values():
        pairs = ", ".join(f"FROM `{a}` TO `{b}`" for a, b in rel.pairs)
        conn.execute(f"CREATE REL TABLE `{rel.name}`({pairs})")
    spent = 0.0
    for (what, name, ends, _), table in _tables(kept):
        if what == "node":
            text, rows = f"COPY `{name}` FROM $rows", _utc_naive(table)  # the shape COPY needs
        else:
            source, target = ends.split(">")
            multi = len(REL_TYPES[name].pairs) > 1
            suffix = f' (from="{source}", to="{target}")' if multi else ""
            text, rows = f"COPY `{name}` FROM $rows{suffix}", table
        started = time.perf_counter()
        conn.execute(text, {"rows": rows})
        spent += time.perf_counter() - started
    conn.close()
    db.close()
    return spent


async def ours(path: Path, kept: list[Kept]) -> float:
    store = LadybugStore(path)
    await store.create_schema()
    spent = 0.0
    for (kind, name, ends, _), table in _tables(kept):
        started = time.perf_counter()
        if kind == "node":
            await store.load_nodes(name, table)
        else:
            source, target = ends.split(">")
            await store.load_rels(name, source, target, table)
        spent += time.perf_counter() - started
    await store.close()
    return spent


async def neo4j_load(url: str, kept: list[Kept]) -> tuple[float, float]:
    """Our Neo4j path on an emptied server: (nodes seconds, relationships seconds)."""
    from graph.neo4j_store import Neo4jStore

    store = await Neo4jStore.connect(url)
    nodes = rels = 0.0
    try:
        await store.drop_schema()
        await store.create_schema()
        for (kind, name, ends, _), table in _tables(kept):
            started = time.perf_counter()
            if kind == "node":
                await store.load_nodes(name, table)
                nodes += time.perf_counter() - started
            else:
                source, target = ends.split(">")
                await store.load_rels(name, source, target, table)
                rels += time.perf_counter() - started
        return nodes, rels
    finally:
        try:
            await store.drop_schema()
        except QueryFailed as error:  # a small heap cannot always delete millions of nodes
            print(f"(could not empty {url} afterwards: {error}; restart it empty)")
        await store.close()


def full_seed(folder: Path, scale: float) -> tuple[float, int, str]:
    """`seeds.seed.seed` in a child process, its stores opened as `civicgraph seed` opens them
    (`loading`): (seconds, peak resident MiB, its counts line)."""
    code = (
        "import asyncio, sys, time\n"
        "from pathlib import Path\n"
        "from civicgraph.settings import Settings\n"
        "from civicgraph.stores import open_stores\n"
        "from seeds.seed import seed\n"
        "from bench.seed import UNTIL\n"
        "async def main():\n"
        "    settings = Settings(data_dir=Path(sys.argv[1]))\n"
        "    stores = await open_stores(settings, migrate=True, loading=True)\n"
        "    counts = await seed(stores.graph, stores.records, scale=float(sys.argv[2]),\n"
        "                        history_days=7, until=UNTIL)\n"
        "    await stores.close()\n"
        "    print(counts)\n"
        "asyncio.run(main())\n"
    )
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(folder), str(scale)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    out = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"the full seed failed (exit {child.returncode})")
    return time.perf_counter() - started, usage.ru_maxrss // 1024, out.strip()


def neo4j_import(scale: float, folder: Path) -> tuple[float, float]:
    """Export, then import into a scratch Neo4j: (export seconds, import seconds)."""
    from seeds.neo4j_import import export

    started = time.perf_counter()
    export(folder, scale=scale, history_days=1, until=UNTIL)
    exported = time.perf_counter() - started
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    name = f"bench-import-{os.getpid()}"
    state = ROOT / "var" / "services"
    started = time.perf_counter()
    try:
        subprocess.run(
            [
                str(ROOT / "tools/services/services.sh"),
                "neo4j-import",
                str(folder),
                name,
                str(port),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        imported = time.perf_counter() - started
    finally:
        pid_file = state / f"neo4j-{name}.pid"
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
            pid_file.unlink()
            time.sleep(5)
        shutil.rmtree(state / f"neo4j-{name}", ignore_errors=True)
        for left in state.glob(f"neo4j-{name}*"):  # its logs and the importer's report
            left.unlink()
    return exported, imported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument(
        "--neo4j-url",
        default="neo4j://127.0.0.1:7688",
        help="a Neo4j the benchmark may empty (the test server of `make services`); '' to skip",
    )
    parser.add_argument(
        "--neo4j-import", action="store_true", help="also time the offline importer's path"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        (scratch / "batches").mkdir()
        kept, node_rows, rel_rows, generated = keep_batches(args.scale, scratch / "batches")
        total = node_rows + rel_rows
        base = raw_copy(scratch / "raw.lbug", kept)
        mine = asyncio.run(ours(scratch / "ours.lbug", kept))
        seed_seconds, peak_mib, counts = full_seed(scratch / "full", args.scale)
        neo = asyncio.run(neo4j_load(args.neo4j_url, kept)) if args.neo4j_url else None
        offline = neo4j_import(args.scale, scratch / "neo4j-import") if args.neo4j_import else None
    print(
        f"# bench.seed {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"scale {args.scale}: {total:,} graph rows ({node_rows:,} nodes, {rel_rows:,} rels)")
    print(f"generated in {generated:.1f} s ({total / generated:,.0f} rows/s, kept as IPC files)")
    print(f"raw LadybugDB COPY : {total / base:12,.0f} rows/s ({base:.1f} s)")
    print(f"CivicGraph load    : {total / mine:12,.0f} rows/s ({mine:.1f} s)")
    print(f"ratio ours/raw     : {base / mine:.2f}x (target >= 0.5x)")
    print(
        f"full seed (generate + graph + events + 7 days of readings): {seed_seconds:.1f} s, "
        f"peak resident {peak_mib:,} MiB (targets at 1.0: < 300 s, < 2,048 MiB)"
    )
    print(f"  {counts}")
    if neo is not None:
        spent = sum(neo)
        print(
            f"Neo4j (UNWIND)     : {total / spent:12,.0f} rows/s ({spent:.1f} s: "
            f"{node_rows / neo[0]:,.0f} nodes/s, {rel_rows / neo[1]:,.0f} rels/s)"
        )
    if offline is not None:
        exported, imported = offline
        print(
            f"Neo4j (import)     : {total / (exported + imported):12,.0f} rows/s "
            f"({exported:.1f} s writing the files, {imported:.1f} s neo4j-admin import and start)"
        )
        if neo is not None:
            print(f"ratio import/UNWIND: {sum(neo) / (exported + imported):.1f}x (target >= 5x)")


if __name__ == "__main__":
    main()
