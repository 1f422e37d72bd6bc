"""Seoul's first load into Neo4j at scale: files for Neo4j's offline importer, then the records.

Loading through Bolt (`seeds.seed.seed`) checks every row in a transaction: about 17,000 rows/s
here, 25 minutes for scale 1.0. For a first load into an empty Neo4j, `export` writes the
generator's city as `neo4j-admin database import` files instead (graph.neo4j_import), with what
the records need from the same city (case events, the sensors whose history to write) and a
manifest. The operator imports them while Neo4j is stopped and starts it; `seed_imported`
then checks the graph holds exactly the manifest's nodes and relationships, creates the
constraints and indexes, and writes the records. docs/operations.md, "First load into Neo4j".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from rich.progress import Progress

from graph.errors import CivicGraphError
from graph.neo4j_import import ImportFiles
from graph.records import Records
from graph.store import GraphStore
from seeds.generator import Generator, NodeBatch, RelBatch
from seeds.seed import begin, finish, sensor_kinds, write_events, write_history

MANIFEST = "manifest.json"


class ImportMismatch(CivicGraphError):
    """The graph does not hold what the import files hold (not imported, or another city)."""


@dataclass(frozen=True)
class Manifest:
    """What `export` wrote: the city's scale, history and end, and its node and relationship
    counts by label and type."""

    scale: float
    history_days: int
    until: datetime
    nodes: dict[str, int]
    relationships: dict[str, int]

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """The manifest under `folder`; ImportMismatch when there is none or it is unreadable."""
        try:
            raw = json.loads((folder / MANIFEST).read_text())
            return cls(
                float(raw["scale"]),
                int(raw["history_days"]),
                datetime.fromisoformat(raw["until"]),
                {str(k): int(v) for k, v in raw["nodes"].items()},
                {str(k): int(v) for k, v in raw["relationships"].items()},
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise ImportMismatch(f"no readable {MANIFEST} in {folder}: {error}") from None


def import_arguments(folder: Path) -> Path:
    """The importer's argument file (`@FILE`) of an export under `folder`."""
    return (folder / "graph" / "import.args").resolve()


def export(
    folder: Path,
    *,
    scale: float,
    history_days: int,
    until: datetime | None = None,
    progress: Progress | None = None,
) -> Manifest:
    """Write the city at `scale` under `folder` (empty or absent): `graph/` for the importer,
    `records/` for `seed_imported`, and the manifest. FileExistsError when `folder` is not
    empty."""
    until = (until or datetime.now(UTC)).astimezone(UTC)
    generator = Generator(scale, until)
    folder.mkdir(parents=True, exist_ok=True)
    if any(folder.iterdir()):  # before the chmod: never change a folder that is in use
        raise FileExistsError(f"{folder} is not empty")
    folder.chmod(0o700)  # residents' personal data inside
    files = ImportFiles(folder / "graph")
    records = folder / "records"
    records.mkdir()
    task = (
        progress.add_task("Writing the import files", total=generator.planned_nodes())
        if progress
        else None
    )
    sensors: list[tuple[str, str]] = []
    parts = 0
    for batch in generator.batches():
        if isinstance(batch, NodeBatch):
            files.nodes(batch.label, batch.table)
            if batch.label == "Sensor":
                sensors += sensor_kinds(batch.table)
            if progress and task is not None:
                progress.advance(task, batch.table.num_rows)
        elif isinstance(batch, RelBatch):
            files.rels(batch.name, batch.source, batch.target, batch.table)
        else:
            parts += 1
            pq.write_table(batch.table, records / f"case_events-{parts:05d}.parquet")
    ids, kinds = zip(*sensors, strict=True) if sensors else ((), ())
    pq.write_table(pa.table({"id": list(ids), "kind": list(kinds)}), records / "sensors.parquet")
    nodes, relationships = files.finish()
    manifest = Manifest(scale, history_days, until, nodes, relationships)
    (folder / MANIFEST).write_text(
        json.dumps(
            {
                "scale": scale,
                "history_days": history_days,
                "until": until.isoformat(),
                "nodes": manifest.nodes,
                "relationships": manifest.relationships,
            },
            indent=2,
        )
    )
    return manifest


async def seed_imported(
    store: GraphStore, records: Records, folder: Path, *, progress: Progress | None = None
) -> dict[str, int]:
    """After the import: check the graph holds the manifest's city, create the schema, and
    write the records (case events, reading history). ImportMismatch when the graph differs."""
    manifest = Manifest.read(folder)
    if store.backend != "neo4j":
        raise ImportMismatch(
            f"the graph is {store.backend}, not Neo4j: point CIVIC_GRAPH_URL at the Neo4j the "
            f"files in {folder} were imported into"
        )
    have = await store.count_by_label()
    if {k: v for k, v in have.items() if v} != manifest.nodes:
        raise ImportMismatch(
            f"the graph holds {_listed(have)}, the files in {folder} {_listed(manifest.nodes)}: "
            f"import them into an empty Neo4j first (neo4j-admin database import full … "
            f"@{import_arguments(folder)})"
        )
    await begin(records, manifest.scale, manifest.history_days)
    await store.create_schema()
    events = 0
    for part in sorted((folder / "records").glob("case_events-*.parquet")):
        events += await write_events(records, pq.read_table(part))
    sensors = sensor_kinds(pq.read_table(folder / "records" / "sensors.parquet"))
    await write_history(records, sensors, manifest.until, manifest.history_days, progress)
    return await finish(store, records, events)


def _listed(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {label}" for label, n in sorted(counts.items()) if n) or "nothing"
