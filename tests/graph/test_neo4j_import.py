"""The importer's files: headers typed from the ontology, values as `Neo4jStore` loads them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from graph.errors import UnknownLabel
from graph.neo4j_import import ImportFiles


def _datasets(formats: list[list[str]], notes: list[str | None]) -> pa.Table:
    n = len(formats)
    stamp = pa.array(
        [datetime(2026, 11, 20, 3, 4, 5, 600_000, tzinfo=UTC)] * n, pa.timestamp("us", tz="UTC")
    )
    return pa.table(
        {
            "id": [f"ds-{i}" for i in range(n)],
            "title_ko": ['서울시 "인구", 통계'] * n,
            "title_en": ["Seoul population"] * n,
            "description": notes,
            "theme": ["population"] * n,
            "publisher_code": ["bureau-data"] * n,
            "license": ["CC-BY-4.0"] * n,
            "accrual_periodicity": ["daily"] * n,
            "formats": formats,
            "keywords": [["seoul"]] * n,
            "issued": stamp,
            "modified": stamp,
            "landing_page": ["https://data.seoul.go.kr/"] * n,
        }
    )


def test_headers_carry_the_ontology_types_and_the_key_an_id_space(tmp_path: Path) -> None:
    files = ImportFiles(tmp_path / "out")
    files.nodes("Dataset", _datasets([["CSV", "JSON"]], ["a"]))
    files.rels("PUBLISHES", "Department", "Dataset", pa.table({"from": ["d"], "to": ["ds-0"]}))
    nodes, rels = files.finish()
    assert (nodes, rels) == ({"Dataset": 1}, {"PUBLISHES": 1})
    header = (tmp_path / "out" / "nodes" / "Dataset.header.csv").read_text().strip()
    assert header.startswith("id:ID(Dataset),title_ko:string,")
    assert "formats:string[]" in header
    assert "issued:datetime" in header
    rel_header = tmp_path / "out" / "relationships" / "PUBLISHES-Department-Dataset.header.csv"
    assert rel_header.read_text().strip() == ":START_ID(Department),:END_ID(Dataset)"
    args = (tmp_path / "out" / "import.args").read_text().splitlines()
    assert args[:2] == ["--id-type=string", "--array-delimiter=;"]
    # relative to the folder, where the importer runs: its path's spaces or commas stay out
    assert args[2].startswith("--nodes=Dataset=nodes/Dataset.header.csv,nodes/Dataset-")
    assert args[2].endswith("Dataset-00001.csv")
    assert args[3].startswith("--relationships=PUBLISHES=")


def test_values_are_written_as_the_importer_reads_them(tmp_path: Path) -> None:
    """A null is an empty field (no property), an empty string a quoted one (kept), quotes
    doubled, lists joined, timestamps ISO 8601 in UTC."""
    files = ImportFiles(tmp_path / "out")
    files.nodes("Dataset", _datasets([["CSV", "JSON"], []], [None, ""]))
    first, second = (tmp_path / "out" / "nodes" / "Dataset-00001.csv").read_text().splitlines()
    assert first.startswith('"ds-0","서울시 ""인구"", 통계","Seoul population",,"population"')
    assert '"CSV;JSON","seoul","2026-11-20T03:04:05.600000Z"' in first
    assert second.startswith('"ds-1","서울시 ""인구"", 통계","Seoul population","","population"')


def test_refusals(tmp_path: Path) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("")
    with pytest.raises(FileExistsError):
        ImportFiles(tmp_path / "used")
    files = ImportFiles(tmp_path / "out")
    with pytest.raises(ValueError, match="delimiter"):
        files.nodes("Dataset", _datasets([["CSV;JSON"]], ["a"]))
    with pytest.raises(UnknownLabel):
        files.rels("PUBLISHES", "Citizen", "Dataset", pa.table({"from": ["c"], "to": ["d"]}))
    with pytest.raises(UnknownLabel):
        files.nodes("Nope", pa.table({"id": ["x"]}))
