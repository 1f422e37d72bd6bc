"""Seeding throughput: our graph load paths vs raw LadybugDB COPY of the very same rows.

    python -m bench.seed [--scale 0.01] [--neo4j-url neo4j://127.0.0.1:7688]

Both sides load the same Arrow tables (generated once, untimed) into fresh databases: the
baseline with bare `COPY <table> FROM $rows` statements on a plain connection, ours through
`LadybugStore` (schema from the ontology, column selection, timestamp conversion). The full
seed (generation, graph, records) is timed too, for the < 10 min target at scale 1.0. The Neo4j
column loads the same tables through `Neo4jStore` (batched `UNWIND`) into a server it empties.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import ladybug

from graph.ladybug_store import LadybugStore, _utc_naive
from graph.ontology import NODE_TYPES, REL_TYPES
from seeds.generator import CityRows, Generator

UNTIL = datetime(2026, 11, 25, tzinfo=UTC)


def raw_copy(path: Path, rows: CityRows) -> float:
    db = ladybug.Database(str(path))
    conn = ladybug.Connection(db)
    for kind in NODE_TYPES.values():
        cols = ", ".join(f"{p.name} {p.type.value}" for p in kind.properties)
        conn.execute(f"CREATE NODE TABLE `{kind.label}`({cols}, PRIMARY KEY ({kind.key}))")
    for rel in REL_TYPES.values():
        pairs = ", ".join(f"FROM `{a}` TO `{b}`" for a, b in rel.pairs)
        conn.execute(f"CREATE REL TABLE `{rel.name}`({pairs})")
    tables = {label: _utc_naive(t) for label, t in rows.nodes.items()}  # the shape COPY needs
    started = time.perf_counter()
    for label, table in tables.items():
        conn.execute(f"COPY `{label}` FROM $rows", {"rows": table})
    for name, source, target, table in rows.rels:
        suffix = f' (from="{source}", to="{target}")' if len(REL_TYPES[name].pairs) > 1 else ""
        conn.execute(f"COPY `{name}` FROM $rows{suffix}", {"rows": table})
    elapsed = time.perf_counter() - started
    conn.close()
    db.close()
    return elapsed


async def ours(path: Path, rows: CityRows) -> float:
    store = LadybugStore(path)
    await store.create_schema()
    started = time.perf_counter()
    for label, table in rows.nodes.items():
        await store.load_nodes(label, table)
    for name, source, target, table in rows.rels:
        await store.load_rels(name, source, target, table)
    elapsed = time.perf_counter() - started
    await store.close()
    return elapsed


async def neo4j_load(url: str, rows: CityRows) -> tuple[float, float]:
    """Our Neo4j path on an emptied server: (nodes seconds, relationships seconds)."""
    from graph.neo4j_store import Neo4jStore

    store = await Neo4jStore.connect(url)
    try:
        await store.drop_schema()
        await store.create_schema()
        started = time.perf_counter()
        for label, table in rows.nodes.items():
            await store.load_nodes(label, table)
        nodes = time.perf_counter() - started
        for name, source, target, table in rows.rels:
            await store.load_rels(name, source, target, table)
        return nodes, time.perf_counter() - started - nodes
    finally:
        await store.drop_schema()
        await store.close()


async def full_seed(folder: Path, scale: float) -> tuple[float, dict[str, int]]:
    from civicgraph.settings import Settings
    from civicgraph.stores import open_stores
    from seeds.seed import seed

    stores = await open_stores(Settings(data_dir=folder), migrate=True)
    started = time.perf_counter()
    counts = await seed(stores.graph, stores.records, scale=scale, history_days=7, until=UNTIL)
    elapsed = time.perf_counter() - started
    await stores.close()
    return elapsed, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument(
        "--neo4j-url",
        default="neo4j://127.0.0.1:7688",
        help="a Neo4j the benchmark may empty (the test server of `make services`); '' to skip",
    )
    args = parser.parse_args()
    t0 = time.perf_counter()
    rows = Generator(args.scale, UNTIL).build()
    generated = time.perf_counter() - t0
    total = sum(t.num_rows for t in rows.nodes.values()) + sum(t.num_rows for *_, t in rows.rels)
    with tempfile.TemporaryDirectory() as tmp:
        base = raw_copy(Path(tmp) / "raw.lbug", rows)
        mine = asyncio.run(ours(Path(tmp) / "ours.lbug", rows))
        seed_seconds, counts = asyncio.run(full_seed(Path(tmp) / "full", args.scale))
    neo = asyncio.run(neo4j_load(args.neo4j_url, rows)) if args.neo4j_url else None
    print(f"machine: {platform.machine()}, python {platform.python_version()}")
    print(f"scale {args.scale}: {total:,} graph rows (nodes + relationships)")
    print(f"generated in {generated:.2f} s")
    print(f"raw LadybugDB COPY : {total / base:12,.0f} rows/s ({base:.2f} s)")
    print(f"CivicGraph load    : {total / mine:12,.0f} rows/s ({mine:.2f} s)")
    print(f"ratio ours/raw     : {base / mine:.2f}x (target >= 0.5x)")
    if neo is not None:
        node_rows = sum(t.num_rows for t in rows.nodes.values())
        spent = sum(neo)
        print(
            f"Neo4j (UNWIND)     : {total / spent:12,.0f} rows/s ({spent:.2f} s: "
            f"{node_rows / neo[0]:,.0f} nodes/s, {(total - node_rows) / neo[1]:,.0f} rels/s)"
        )
        print(f"ratio Neo4j/raw    : {base / spent:.2f}x of raw LadybugDB COPY")
    readings = counts["Reading"]
    print(f"full seed (generate + graph + {readings:,} readings + events): {seed_seconds:.1f} s")


if __name__ == "__main__":
    main()
