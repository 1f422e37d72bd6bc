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
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from rich.progress import Progress

from graph import cypher
from graph.errors import CivicGraphError
from graph.neo4j_import import ImportFiles
from graph.ontology import NODE_TYPES, REL_TYPES
from graph.records import Records
from graph.store import GraphStore
from seeds.generator import Generator, NodeBatch, RelBatch
from seeds.seed import begin, finish, sensor_kinds, write_events, write_history

MANIFEST = "manifest.json"
HISTORY_DAYS = range(1, 32)
"""Days of reading history a manifest may ask for (CIVIC_HISTORY_DAYS' range)."""


class ImportFilesError(CivicGraphError):
    """The import files cannot be written, or are not the files of the graph there."""


class ImportMismatch(ImportFilesError):
    """The graph does not hold what the import files hold (not imported, or another city)."""


@dataclass(frozen=True)
class Manifest:
    """What `export` wrote: the city's scale, history and end, its node and relationship counts
    by label and type, and one node of each label as written (to tell cities of the same size
    apart: their timestamps differ)."""

    scale: float
    history_days: int
    until: datetime
    nodes: dict[str, int]
    relationships: dict[str, int]
    probes: dict[str, dict[str, Any]]

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        """The manifest under `folder`, checked; ImportMismatch when there is none, it is
        unreadable, or a value is out of range (scale in (0, 1], history 1-31 days, an aware
        `until`, counts of known labels and types, not negative)."""
        try:
            raw = json.loads((folder / MANIFEST).read_text())
            manifest = cls(
                float(raw["scale"]),
                int(raw["history_days"]),
                datetime.fromisoformat(raw["until"]),
                {str(k): int(v) for k, v in raw["nodes"].items()},
                {str(k): int(v) for k, v in raw["relationships"].items()},
                {str(k): dict(v) for k, v in raw["probes"].items()},
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise ImportMismatch(f"no readable {MANIFEST} in {folder}: {error}") from None
        problem = manifest._problem()
        if problem:
            raise ImportMismatch(
                f"{folder / MANIFEST} is not one `--export-neo4j` wrote: {problem}"
            )
        return manifest

    def _problem(self) -> str | None:
        if not (math.isfinite(self.scale) and 0 < self.scale <= 1):
            return f"scale {self.scale} is not in (0, 1]"
        if self.history_days not in HISTORY_DAYS:
            return f"history_days {self.history_days} is not 1 to 31"
        if self.until.tzinfo is None:
            return "until has no time zone"
        unknown = (set(self.nodes) | set(self.probes)) - set(NODE_TYPES)
        unknown |= set(self.relationships) - set(REL_TYPES)
        if unknown:
            return f"unknown labels or types {sorted(unknown)}"
        counts = [*self.nodes.values(), *self.relationships.values()]
        if any(n < 0 for n in counts):
            return "a negative count"
        return None


def import_arguments(folder: Path) -> Path:
    """The importer's argument file (`@FILE`) of an export under `folder`: its file names are
    relative to its own folder, so the importer runs there (`cd DIR/graph`)."""
    return (folder / "graph" / "import.args").resolve()


def export(
    folder: Path,
    *,
    scale: float,
    history_days: int,
    until: datetime | None = None,
    progress: Progress | None = None,
) -> Manifest:
    """Write the city at `scale` under `folder` (empty or absent, made readable by its owner
    only): `graph/` for the importer, `records/` for `seed_imported`, and the manifest.
    ImportFilesError when `folder` is not empty or cannot be written."""
    until = (until or datetime.now(UTC)).astimezone(UTC)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if any(folder.iterdir()):  # before the chmod: never change a folder that is in use
            raise ImportFilesError(f"{folder} is not empty: give an empty or new folder")
        folder.chmod(0o700)  # residents' personal data inside
        return _write(folder, Generator(scale, until), scale, history_days, until, progress)
    except OSError as error:
        raise ImportFilesError(
            f"cannot write the import files to {folder}: {error.strerror or error}"
        ) from None


def _write(
    folder: Path,
    generator: Generator,
    scale: float,
    history_days: int,
    until: datetime,
    progress: Progress | None,
) -> Manifest:
    files = ImportFiles(folder / "graph")
    records = folder / "records"
    records.mkdir()
    task = (
        progress.add_task("Writing the import files", total=generator.planned_nodes())
        if progress
        else None
    )
    sensors: list[tuple[str, str]] = []
    probes: dict[str, dict[str, Any]] = {}
    parts = 0
    for batch in generator.batches():
        if isinstance(batch, NodeBatch):
            files.nodes(batch.label, batch.table)
            if batch.table.num_rows:  # the last row, as the graph will give it back
                kind = NODE_TYPES[batch.label]
                row = batch.table.slice(batch.table.num_rows - 1).to_pylist()[0]
                row[kind.key] = cypher.shown(kind, kind.key, row[kind.key])
                probes[batch.label] = _plain(row)
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
    manifest = Manifest(scale, history_days, until, nodes, relationships, probes)
    (folder / MANIFEST).write_text(
        json.dumps(
            {
                "scale": scale,
                "history_days": history_days,
                "until": until.isoformat(),
                "nodes": nodes,
                "relationships": relationships,
                "probes": probes,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    return manifest


async def seed_imported(
    store: GraphStore, records: Records, folder: Path, *, progress: Progress | None = None
) -> dict[str, int]:
    """After the import: check the graph holds the manifest's city (its node and relationship
    counts, and one node of each label as written), create the schema, and write the records
    (case events, reading history). ImportMismatch when the graph differs."""
    manifest = Manifest.read(folder)
    if store.backend != "neo4j":
        raise ImportMismatch(
            f"the graph is {store.backend}, not Neo4j: point CIVIC_GRAPH_URL at the Neo4j the "
            f"files in {folder} were imported into"
        )
    await _check(store, manifest, folder)
    await begin(records, manifest.scale, manifest.history_days)
    await store.create_schema()
    events = 0
    for part in sorted((folder / "records").glob("case_events-*.parquet")):
        events += await write_events(records, pq.read_table(part))
    sensors = sensor_kinds(pq.read_table(folder / "records" / "sensors.parquet"))
    await write_history(records, sensors, manifest.until, manifest.history_days, progress)
    return await finish(store, records, events)


async def _check(store: GraphStore, manifest: Manifest, folder: Path) -> None:
    hint = (
        f"import them into an empty Neo4j first (cd {import_arguments(folder).parent} && "
        "neo4j-admin database import full neo4j --overwrite-destination @import.args)"
    )
    nodes = {k: v for k, v in (await store.count_by_label()).items() if v}
    if nodes != manifest.nodes:
        raise ImportMismatch(
            f"the graph holds {_listed(nodes)}, the files in {folder} {_listed(manifest.nodes)}: "
            + hint
        )
    rels = {k: v for k, v in (await store.count_by_relationship()).items() if v}
    if rels != manifest.relationships:
        raise ImportMismatch(
            f"the graph's relationships ({_listed(rels)}) are not those of the files in "
            f"{folder} ({_listed(manifest.relationships)}): " + hint
        )
    for label, written in manifest.probes.items():
        key = written[NODE_TYPES[label].key]
        [found] = await store.get_nodes(label, [key])
        if found is None or _plain(found) != written:
            raise ImportMismatch(
                f"the graph's {label} {key!r} is not the one in the files in {folder}: another "
                f"city of the same size was imported; " + hint
            )


def _plain(node: dict[str, Any]) -> dict[str, Any]:
    """A node as JSON holds it (timestamps in ISO 8601), to compare what was written with
    what the graph gives back."""
    return {
        name: value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
        for name, value in node.items()
    }


def _listed(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {label}" for label, n in sorted(counts.items()) if n) or "nothing"
