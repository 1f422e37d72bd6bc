"""LadybugDB CPU per read by key: the statements `LadybugStore` sends, against the same rows read
the way it read them before 2026-12-02 (`WHERE key IN $keys`, whole nodes, `ORDER BY` in Cypher).

    python -m bench.graph_reads [--data-dir DIR] [--rounds 15]

Opens the seeded graph read-only (CIVIC_DATA_DIR, default var/; stop `civicgraph serve` first:
one process opens the file) with one connection and one thread a query, as the server's reads
do. Each case is timed in rounds, the two forms alternately (which goes first alternates too),
as process CPU per call; the figure is each form's median round and their ratio. Rows are
compared first: both forms must read the same nodes. Only the driver's work is timed: the
nodes built from columns and the hop's sort by key in Python are not (a few µs a node).

    python -m bench.graph_reads --threads [--data-dir DIR]

times instead the app query's two reads (Gangnam by code, then its sensors) where they run: on
the calling thread; on one worker thread, the caller blocked on each; on a worker thread awaited
from an event loop; and through `LadybugStore` (LadybugDB's `AsyncConnection`), one pair at a
time and 32 at once, as the server runs them. Each figure is process CPU per pair, the first
way the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ladybug

from graph import cypher
from graph.query import Hop

Statement = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Case:
    name: str
    now: list[Statement]
    before: list[Statement]


def scan_get_nodes(label: str, keys: list[str]) -> Statement:
    kind = cypher.node_type(label)
    stored = [cypher.stored(kind, kind.key, key) for key in keys]
    return f"MATCH (n:`{kind.label}`) WHERE n.{kind.key} IN $keys RETURN n", {"keys": stored}


def scan_neighbors(hop: Hop, keys: list[str]) -> Statement:
    source, target = cypher.node_type(hop.source), cypher.node_type(hop.target)
    arrow = f"-[:`{hop.rel}`]->" if hop.direction == "out" else f"<-[:`{hop.rel}`]-"
    return (
        f"MATCH (a:`{source.label}`){arrow}(b:`{target.label}`) WHERE a.{source.key} IN $keys "
        f"RETURN a.{source.key}, b ORDER BY b.{target.key}",
        {"keys": [cypher.stored(source, source.key, key) for key in keys]},
    )


def cases(connection: ladybug.Connection) -> list[Case]:
    def keys(text: str, label: str) -> list[str]:
        kind = cypher.node_type(label)
        rows = connection.execute(text).get_all()  # type: ignore[union-attr]
        return [str(cypher.shown(kind, kind.key, row[0])) for row in rows]

    citizens = keys("MATCH (n:Citizen) RETURN n.id ORDER BY n.id SKIP 500 LIMIT 3", "Citizen")
    gu = keys("MATCH (n:District) WHERE n.level = 'gu' RETURN n.code ORDER BY n.code", "District")
    pole = keys(
        "MATCH (n:Sensor)-[:MOUNTED_ON]->(a:Asset) RETURN a.id ORDER BY a.id LIMIT 1", "Asset"
    )
    lives_in = Hop("LIVES_IN", "Citizen", "District")
    sensors = Hop("LOCATED_IN", "District", "Sensor", "in")
    mounted = Hop("MOUNTED_ON", "Asset", "Sensor", "in")
    return [
        lookup("3 citizens by id", "Citizen", citizens),
        lookup("Gangnam by code", "District", ["11680"]),
        hop("a citizen's gu", lives_in, citizens[:1]),
        hop("3 citizens' gu", lives_in, citizens),
        hop("Gangnam's sensors", sensors, ["11680"]),
        hop("the 25 gu's sensors", sensors, gu),
        hop("an asset's sensors", mounted, pole),
    ]


def lookup(name: str, label: str, keys: list[str]) -> Case:
    """`get_nodes(label, keys)` now and before."""
    return Case(name, [cypher.get_nodes(label, keys)], [scan_get_nodes(label, keys)])


def hop(name: str, one_hop: Hop, keys: list[str]) -> Case:
    """`neighbors(one_hop, keys)` now and before."""
    return Case(name, [cypher.neighbors(one_hop, keys)], [scan_neighbors(one_hop, keys)])


def rows_of(connection: ladybug.Connection, statements: list[Statement]) -> list[frozenset[Any]]:
    """Each row's values as a set of its scalars, nodes by their properties: comparable across
    both forms (whole nodes against columns)."""
    found = []
    for text, params in statements:
        for row in connection.execute(text, params).get_all():  # type: ignore[union-attr]
            values: list[Any] = []
            for value in row:
                if isinstance(value, dict):
                    values += [v for k, v in value.items() if not k.startswith("_")]
                else:
                    values.append(value)
            found.append(frozenset(repr(v) for v in values))
    return sorted(found, key=sorted)


def cpu_ms(connection: ladybug.Connection, statements: list[Statement], calls: int) -> float:
    """Process CPU per read of `statements`, in ms, over `calls` reads."""
    start = time.process_time()
    for _ in range(calls):
        for text, params in statements:
            connection.execute(text, params).get_all()  # type: ignore[union-attr]
    return (time.process_time() - start) / calls * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("CIVIC_DATA_DIR", "var"))
    )
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--threads", action="store_true", help="where the reads run, instead")
    args = parser.parse_args()
    if args.threads:
        where_reads_run(args.data_dir)
        return
    database = ladybug.Database(str(args.data_dir / "graph.lbug"), read_only=True)
    connection = ladybug.Connection(database)
    connection.set_max_threads_for_exec(1)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"{now}, {platform.machine()} {os.cpu_count()} cores, {args.data_dir}")
    print(f"{'case':28} {'before ms':>10} {'now ms':>8} {'before/now':>11}")
    for case in cases(connection):
        if rows_of(connection, case.now) != rows_of(connection, case.before):
            raise SystemExit(f"{case.name}: the two forms read different rows")
        # about 0.2 s a round for the slower form
        reads = max(1, round(200 / max(cpu_ms(connection, case.before, 1), 0.05)))
        before_ms, now_ms = [], []
        for round_number in range(args.rounds):  # which goes first alternates
            for form in (case.before, case.now)[:: 1 if round_number % 2 else -1]:
                (before_ms if form is case.before else now_ms).append(
                    cpu_ms(connection, form, reads)
                )
        before, current = statistics.median(before_ms), statistics.median(now_ms)
        print(f"{case.name:28} {before:10.3f} {current:8.3f} {before / current:10.1f}×")
    connection.close()
    database.close()


def where_reads_run(data_dir: Path, pairs: int = 2000) -> None:
    """Process CPU per pair of the app query's graph reads, by where they run (see the module)."""
    from concurrent.futures import ThreadPoolExecutor

    from graph.ladybug_store import LadybugStore

    sensors = Hop("LOCATED_IN", "District", "Sensor", "in")
    statements = [cypher.get_nodes("District", ["11680"]), cypher.neighbors(sensors, ["11680"])]
    database = ladybug.Database(str(data_dir / "graph.lbug"), read_only=True)
    connection = ladybug.Connection(database)
    connection.set_max_threads_for_exec(1)
    worker = ThreadPoolExecutor(1)

    def run(statement: Statement) -> list[Any]:
        return connection.execute(*statement).get_all()  # type: ignore[union-attr]

    def here() -> None:
        for statement in statements:
            run(statement)

    def blocked() -> None:
        for statement in statements:
            worker.submit(run, statement).result()

    async def awaited() -> None:
        for statement in statements:
            await asyncio.wrap_future(worker.submit(run, statement))

    def timed(pair: Any) -> float:
        for _ in range(pairs // 10):  # warm
            pair()
        start = time.process_time()
        for _ in range(pairs):
            pair()
        return (time.process_time() - start) / pairs * 1e3

    loop = asyncio.new_event_loop()
    figures = {
        "on the calling thread": timed(here),
        "on a worker thread, caller blocked": timed(blocked),
        "on a worker thread, awaited": timed(lambda: loop.run_until_complete(awaited())),
    }
    worker.shutdown()
    connection.close()
    database.close()

    async def through_store(at_once: int) -> float:
        store = LadybugStore(data_dir / "graph.lbug", read_only=True)
        gate = asyncio.Semaphore(at_once)

        async def pair() -> None:
            async with gate:
                await store.get_nodes("District", ["11680"])
                await store.neighbors(sensors, ["11680"])

        await asyncio.gather(*(pair() for _ in range(pairs // 10)))
        start = time.process_time()
        await asyncio.gather(*(pair() for _ in range(pairs)))
        spent = (time.process_time() - start) / pairs * 1e3
        await store.close()
        return spent

    for at_once in (1, 32):
        figures[f"LadybugStore, {at_once} at once"] = loop.run_until_complete(
            through_store(at_once)
        )
    loop.close()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"{now}, {platform.machine()} {os.cpu_count()} cores, {data_dir}, {pairs} pairs")
    baseline = next(iter(figures.values()))
    for name, ms in figures.items():
        print(f"{name:40} {ms:7.3f} ms CPU a pair  {ms / baseline:5.2f}×")


if __name__ == "__main__":
    main()
