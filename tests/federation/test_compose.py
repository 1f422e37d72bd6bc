"""Composition with Apollo's composer (npm): the subgraphs compose, and every refusal is typed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from civicgraph.cli import app
from civicgraph.federation import compose as compose_module
from civicgraph.federation.compose import SubgraphSource, compose, subgraph_sources
from civicgraph.federation.errors import CompositionFailed, NodeUnavailable
from civicgraph.federation.node import COMPOSE_SCRIPT, node_executable
from civicgraph.federation.plan import subgraph_addresses
from resolvers.subgraphs import SUBGRAPHS
from tests.civicgraph.runner import BoundaryRunner, assert_refused

runner = BoundaryRunner()
CLASHING = [
    SubgraphSource("a", "http://127.0.0.1:1/graphql", "type Query { size: Int }"),
    SubgraphSource("b", "http://127.0.0.1:2/graphql", "type Query { size: String }"),
]
"""Two subgraphs giving one shared field two types: Apollo's FIELD_TYPE_MISMATCH."""


def test_compose_subgraphs_gives_a_supergraph_without_errors() -> None:
    # given every subgraph's SDL, as `_service { sdl }` answers it
    sources = subgraph_sources(subgraph_addresses(SUBGRAPHS))

    # when Apollo's composer composes them
    composition = compose(sources)

    # then there is a supergraph joining each subgraph at its URL
    for source in sources:
        joined = f'@join__graph(name: "{source.name}", url: "{source.url}")'
        assert joined in composition.supergraph_sdl
    assert {hint.level for hint in composition.hints} <= {"WARN", "INFO", "DEBUG"}


def test_compose_clashing_subgraphs_raises_every_error() -> None:
    with pytest.raises(CompositionFailed) as refused:
        compose(CLASHING)
    assert [code for code, _ in refused.value.errors] == ["FIELD_TYPE_MISMATCH"]
    assert "Query.size" in str(refused.value)


def test_compose_without_node_raises_node_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("civicgraph.federation.node.shutil.which", lambda name: None)
    with pytest.raises(NodeUnavailable):
        compose(CLASHING)


@pytest.mark.parametrize(
    ("stdin", "exit_code", "code"),
    [
        pytest.param("not json", 2, "INVALID_INPUT", id="not-json"),
        pytest.param("[]", 2, "INVALID_INPUT", id="empty-list"),
        pytest.param('[{"name": "a"}]', 2, "INVALID_INPUT", id="no-url"),
        pytest.param(
            '[{"name": "a", "url": "ftp://x", "sdl": "type Query { a: Int }"}]',
            2,
            "INVALID_INPUT",
            id="not-http",
        ),
        pytest.param(
            json.dumps(
                [{"name": "a", "url": "http://x/graphql", "sdl": "type Query { a: Int }"}] * 2
            ),
            2,
            "INVALID_INPUT",
            id="name-twice",
        ),
        pytest.param(
            '[{"name": "a", "url": "http://x/graphql", "sdl": "   "}]',
            2,
            "INVALID_INPUT",
            id="blank-sdl",
        ),
        pytest.param(
            '[{"name": "a", "url": "http://x/graphql", "sdl": "type Query { a: Int"}]',
            1,
            "INVALID_GRAPHQL",
            id="sdl-syntax",
        ),
    ],
)
def test_compose_script_refuses_unusable_input_as_json(
    stdin: str, exit_code: int, code: str, tmp_path: Path
) -> None:
    out = tmp_path / "supergraph.graphql"
    done = subprocess.run(
        [node_executable(), str(COMPOSE_SCRIPT), "-", "--out", str(out)],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == exit_code, done.stderr
    assert [error["code"] for error in json.loads(done.stdout)["errors"]] == [code]
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_compose_script_writes_the_supergraph_whole_with_out(tmp_path: Path) -> None:
    out = tmp_path / "supergraph.graphql"
    source = {"name": "a", "url": "http://x/graphql", "sdl": "type Query { a: Int }"}
    done = subprocess.run(
        [node_executable(), str(COMPOSE_SCRIPT), "--out", str(out)],
        input=json.dumps([source]),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == {"errors": [], "hints": []}
    assert '@join__graph(name: "a"' in out.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["supergraph.graphql"]


def test_supergraph_cli_writes_each_subgraph_and_the_supergraph(tmp_path: Path) -> None:
    result = runner.invoke(app, ["supergraph", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted([*(f"{name}.graphql" for name in SUBGRAPHS), "supergraph.graphql"])
    assert (tmp_path / "city.graphql").read_text().startswith("schema @link(")


def test_supergraph_cli_composition_errors_exit_1_and_write_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("civicgraph.cli_federation.subgraph_sources", lambda addresses: CLASHING)
    out = tmp_path / "out"
    result = runner.invoke(app, ["supergraph", "--out", str(out)])
    assert_refused(result)
    assert "FIELD_TYPE_MISMATCH" in result.stderr
    assert not out.exists()


def test_compose_report_that_is_not_json_is_a_federation_error() -> None:
    done = subprocess.CompletedProcess(["node"], 1, stdout="", stderr="boom\nlast words\n")
    with pytest.raises(compose_module.FederationError, match="last words"):
        compose_module._report(done)
