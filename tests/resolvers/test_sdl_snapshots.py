"""SDL snapshots: each subgraph's SDL (what `_service { sdl }` answers) and the merged server's
schema, compared with the files committed under tests/resolvers/snapshots/, so a change of the
API is a change someone saw and committed.

After an intended change: `CIVIC_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/resolvers/
test_sdl_snapshots.py`, then review and commit the `.graphql` files.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from graphql import lexicographic_sort_schema, print_schema

from resolvers.schema import build_schema
from resolvers.subgraphs import SUBGRAPHS, subgraph_schema

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = "CIVIC_UPDATE_SNAPSHOTS"


def merged_sdl() -> str:
    """The merged schema printed with its types and fields in lexicographic order."""
    return print_schema(lexicographic_sort_schema(build_schema()._schema)) + "\n"


def subgraph_sdl(name: str) -> str:
    return subgraph_schema(name).as_str() + "\n"


def differences(name: str, expected: str, found: str) -> str:
    """A unified diff from the committed snapshot to the schema as built now."""
    lines = difflib.unified_diff(
        expected.splitlines(keepends=True),
        found.splitlines(keepends=True),
        fromfile=f"tests/resolvers/snapshots/{name} (committed)",
        tofile=f"{name} (built now)",
    )
    return "".join(lines)


def check_snapshot(name: str, found: str) -> None:
    """Fails with a unified diff when `found` differs from snapshot `name`; under
    CIVIC_UPDATE_SNAPSHOTS=1 writes it instead."""
    path = SNAPSHOTS / name
    if os.environ.get(UPDATE) == "1":
        path.write_text(found, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8") if path.exists() else ""
    if found != expected:
        pytest.fail(
            f"the schema {name} differs from its snapshot; if the change is intended, run "
            f"`{UPDATE}=1 .venv/bin/pytest tests/resolvers/test_sdl_snapshots.py` and commit "
            f"the snapshot\n{differences(name, expected, found)}",
            pytrace=False,
        )


@pytest.mark.parametrize("name", list(SUBGRAPHS))
def test_subgraph_sdl_matches_its_snapshot(name: str) -> None:
    check_snapshot(f"{name}.graphql", subgraph_sdl(name))


def test_merged_schema_matches_its_snapshot() -> None:
    check_snapshot("merged.graphql", merged_sdl())


def test_every_snapshot_is_a_schema_we_build() -> None:
    # a subgraph removed or renamed leaves no stale snapshot behind
    built = {f"{name}.graphql" for name in SUBGRAPHS} | {"merged.graphql"}
    assert {path.name for path in SNAPSHOTS.glob("*.graphql")} == built


def test_a_changed_schema_fails_with_a_diff_and_how_to_update(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # given a committed snapshot and a schema with one field more
    monkeypatch.delenv(UPDATE, raising=False)
    monkeypatch.setattr(f"{__name__}.SNAPSHOTS", tmp_path)
    (tmp_path / "x.graphql").write_text("type Query {\n  a: Int\n}\n", encoding="utf-8")
    # when it is checked, then it fails naming the added line and the update command
    with pytest.raises(pytest.fail.Exception) as failed:
        check_snapshot("x.graphql", "type Query {\n  a: Int\n  b: Int\n}\n")
    assert "+  b: Int" in str(failed.value)
    assert f"{UPDATE}=1" in str(failed.value)
    # and under the variable it is written instead
    monkeypatch.setenv(UPDATE, "1")
    check_snapshot("x.graphql", "type Query {\n  b: Int\n}\n")
    assert (tmp_path / "x.graphql").read_text(encoding="utf-8") == "type Query {\n  b: Int\n}\n"
