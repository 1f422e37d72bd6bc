"""Files for `neo4j-admin database import full`: the first load of a large graph into Neo4j.

Through Bolt a bulk load is batched `UNWIND`s (`Neo4jStore.load_nodes`), each row checked
against its key's constraint in a transaction: about 17,000 rows/s on this project's 2-core
machine, 25 minutes for Seoul at scale 1.0. Neo4j's offline importer writes the store files
directly from CSV, into an empty database while the server is stopped. `ImportFiles` writes
what it reads, batch by batch as the generator streams them (memory stays bounded): one
header and numbered part files per node label and per relationship (type, source, target),
and `import.args`, the importer's arguments, one per line, the files named relative to DIR:

    cd DIR && neo4j-admin database import full neo4j --overwrite-destination @import.args

Properties get the graph ontology's types (`long`, `double`, `boolean`, `datetime`,
`string[]` split on `;`), so the imported graph is the one `Neo4jStore.load_nodes` makes: a
null is no property, an empty string stays an empty string. Keys are `:ID` columns in one ID
space per label; a key stored as a number (a resident's) is an unnamed `:ID` column beside its
`long` property, since an `:ID` column's property is text. Source: Neo4j Operations Manual 5,
"Import" (neo4j-admin database import).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from graph import cypher
from graph.errors import UnknownLabel
from graph.ontology import NODE_TYPES, REL_TYPES, PropertyType

ARRAY_DELIMITER = ";"
"""Separates the items of a `string[]` field (no seeded list item contains it)."""
IMPORT_TYPE = {
    PropertyType.STRING: "string",
    PropertyType.INT: "long",
    PropertyType.FLOAT: "double",
    PropertyType.BOOL: "boolean",
    PropertyType.TIMESTAMP: "datetime",
    PropertyType.STRING_LIST: "string[]",
}
"""The importer's header type of each ontology property type."""
_NO_HEADER = pa_csv.WriteOptions(include_header=False)


@dataclass
class _Group:
    """One node label's or one relationship's header and parts."""

    header: Path
    parts: list[Path] = field(default_factory=list)
    rows: int = 0


class ImportFiles:
    """Writes batches of nodes and relationships under `folder` (which must be empty or
    absent) as the importer's CSV files; `finish()` writes `import.args` and returns the
    counts. Raises UnknownLabel for a label or relationship the ontology does not have, and
    ValueError for a list item holding the array delimiter."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        if any(folder.iterdir()):
            raise FileExistsError(f"{folder} is not empty")
        (folder / "nodes").mkdir()
        (folder / "relationships").mkdir()
        self._nodes: dict[str, _Group] = {}
        self._rels: dict[tuple[str, str, str], _Group] = {}

    def nodes(self, label: str, rows: pa.Table) -> None:
        kind = cypher.node_type(label)
        group = self._nodes.get(kind.label)
        if group is None:
            columns = [
                f"{p.name}:ID({kind.label})"
                if p.name == kind.key and kind.numbered is None
                else f"{p.name}:{IMPORT_TYPE[p.type]}"
                for p in kind.properties
            ]
            if kind.numbered is not None:  # the ID space's text apart, the key a long property
                columns.insert(0, f":ID({kind.label})")
            group = self._group(self.folder / "nodes" / f"{kind.label}.header.csv", columns)
            self._nodes[kind.label] = group
        table = cypher.stored_nodes(kind, rows)
        for p in kind.properties:
            table = table.set_column(
                table.column_names.index(p.name), p.name, _field(p.type, table[p.name])
            )
        if kind.numbered is not None:
            table = table.add_column(0, "node", table[kind.key])
        self._part(group, self.folder / "nodes" / kind.label, table)

    def rels(self, rel: str, source: str, target: str, rows: pa.Table) -> None:
        relation = REL_TYPES.get(rel)
        if relation is None or (source, target) not in relation.pairs:
            raise UnknownLabel(f"{rel} does not connect {source} to {target}")
        key = (rel, source, target)
        group = self._rels.get(key)
        if group is None:
            name = "-".join(key)
            columns = [f":START_ID({source})", f":END_ID({target})"]
            group = self._group(self.folder / "relationships" / f"{name}.header.csv", columns)
            self._rels[key] = group
        stem = self.folder / "relationships" / "-".join(key)
        self._part(group, stem, cypher.stored_links(NODE_TYPES[source], NODE_TYPES[target], rows))

    def finish(self) -> tuple[dict[str, int], dict[str, int]]:
        """Write `import.args`; the rows written by node label and by relationship type."""
        lines = ["--id-type=string", f"--array-delimiter={ARRAY_DELIMITER}"]
        for label, group in self._nodes.items():
            lines.append(f"--nodes={label}={self._files(group)}")
        for (rel, _, _), group in self._rels.items():
            lines.append(f"--relationships={rel}={self._files(group)}")
        (self.folder / "import.args").write_text("\n".join(lines) + "\n")
        nodes = {label: group.rows for label, group in self._nodes.items()}
        rels: dict[str, int] = {}
        for (rel, _, _), group in self._rels.items():
            rels[rel] = rels.get(rel, 0) + group.rows
        return nodes, rels

    def _files(self, group: _Group) -> str:
        """The group's files relative to `folder`, where the importer runs: our own names, so
        no space or comma of the folder's path (which the importer would split on) is in them."""
        return ",".join(str(p.relative_to(self.folder)) for p in (group.header, *group.parts))

    @staticmethod
    def _group(header: Path, columns: list[str]) -> _Group:
        header.write_text(",".join(columns) + "\n")
        return _Group(header)

    @staticmethod
    def _part(group: _Group, stem: Path, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        path = stem.with_name(f"{stem.name}-{len(group.parts) + 1:05d}.csv")
        pa_csv.write_csv(table, path, _NO_HEADER)
        group.parts.append(path)
        group.rows += table.num_rows


def _field(kind: PropertyType, column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column as the importer reads it: timestamps in ISO 8601 UTC, lists joined."""
    if kind is PropertyType.TIMESTAMP:
        utc = column.cast(pa.timestamp("us", tz="UTC"))
        return pc.strftime(utc, "%Y-%m-%dT%H:%M:%SZ")
    if kind is PropertyType.STRING_LIST:
        items = pc.list_flatten(column)
        if len(items) and pc.any(pc.match_substring(items, ARRAY_DELIMITER)).as_py():
            raise ValueError(f"a list item holds {ARRAY_DELIMITER!r}, the array delimiter")
        return pc.binary_join(column, ARRAY_DELIMITER)
    return column
