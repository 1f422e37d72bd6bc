"""The CLI through typer's CliRunner, on a data dir of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import civicgraph.stores
from civicgraph.cli import app
from graph.records.db import Records
from tests.civicgraph.runner import BoundaryRunner, assert_refused

runner = BoundaryRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CIVIC_SERVER_URL", "http://127.0.0.1:9")  # nothing listens: read from disk
    return tmp_path


def test_help_explains_each_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("seed", "migrate", "serve", "stats", "keys"):
        assert command in result.output


def test_seed_once_then_reuse_then_stats(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loading = records_opened(monkeypatch)
    first = runner.invoke(app, ["seed", "--scale", "0.001", "--history-days", "1"])
    assert first.exit_code == 0, first.output
    assert "Seeded Seoul" in first.output
    second = runner.invoke(app, ["seed", "--scale", "0.001", "--history-days", "1"])
    assert second.exit_code == 0
    assert "already seeded" in second.output
    assert set(loading) == {True}  # a seed's SQLite maps no pages
    stats = runner.invoke(app, ["stats"])
    assert stats.exit_code == 0, stats.output
    assert "District" in stats.output
    assert "492" in stats.output
    assert loading[-1] is False  # other commands keep the memory map


def records_opened(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """`loading` of each opening of the records through `open_stores` from now on."""
    opened: list[bool] = []
    real = civicgraph.stores.open_records

    async def open_records(url: str, **options: Any) -> Records:
        opened.append(options.get("loading", False))
        return await real(url, **options)

    monkeypatch.setattr(civicgraph.stores, "open_records", open_records)
    return opened


def test_export_for_neo4j_writes_the_files_and_says_what_comes_next(
    data_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    done = runner.invoke(
        app, ["seed", "--scale", "0.001", "--history-days", "1", "--export-neo4j", str(folder)]
    )
    assert done.exit_code == 0, done.output
    assert "neo4j-admin database import full neo4j" in done.output
    assert f"civicgraph seed --imported {folder}" in done.output
    assert (folder / "graph" / "import.args").is_file()
    assert folder.stat().st_mode & 0o777 == 0o700  # residents' personal data inside
    assert not (data_dir / "graph.lbug").exists()  # no store was touched
    again = runner.invoke(app, ["seed", "--scale", "0.001", "--export-neo4j", str(folder)])
    assert_refused(again)
    assert "is not empty: give an empty or new folder" in again.stderr
    unwritable = runner.invoke(app, ["seed", "--export-neo4j", "/proc/civicgraph/export"])
    assert_refused(unwritable)
    assert "cannot write the import files to /proc/civicgraph/export" in unwritable.stderr


def test_imported_refuses_a_folder_without_a_manifest_and_a_graph_that_differs(
    data_dir: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = runner.invoke(app, ["seed", "--imported", str(empty)])
    assert_refused(refused)
    assert "no readable manifest.json" in refused.stderr
    folder = tmp_path / "export"
    assert (
        runner.invoke(app, ["seed", "--scale", "0.001", "--export-neo4j", str(folder)]).exit_code
        == 0
    )
    # the files are for Neo4j, not the embedded graph, which is left alone
    mismatch = runner.invoke(app, ["seed", "--imported", str(folder)])
    assert_refused(mismatch)
    assert "not Neo4j: point CIVIC_GRAPH_URL" in mismatch.stderr
    assert not (data_dir / "graph.lbug").exists()
    assert not (data_dir / "records.sqlite3").exists()
    both = runner.invoke(app, ["seed", "--imported", str(folder), "--export-neo4j", str(empty)])
    assert both.exit_code == 2


def test_migrate_is_needed_once_and_then_reports_nothing_pending(data_dir: Path) -> None:
    refused = runner.invoke(app, ["keys", "list"])
    assert refused.exit_code == 1
    assert "civicgraph migrate" in refused.output
    first = runner.invoke(app, ["migrate"])
    assert first.exit_code == 0, first.output
    assert "0001_initial, 0002_reading_hourly, 0003_alerts" in first.output
    again = runner.invoke(app, ["migrate"])
    assert "none pending" in again.output
    assert runner.invoke(app, ["keys", "list"]).exit_code == 0


@pytest.mark.parametrize(
    ("variable", "url", "says"),
    [
        ("CIVIC_GRAPH_URL", "neo4j://127.0.0.1:9", "cannot reach the graph"),
        ("CIVIC_GRAPH_URL", "mongodb://127.0.0.1/x", "no graph adapter"),
        ("CIVIC_DB_URL", "postgres://civic:secret@127.0.0.1:9/civic", "cannot open records"),
        ("CIVIC_DB_URL", "mysql://127.0.0.1/x", "no records backend"),
        ("CIVIC_BUS_URL", "redis://127.0.0.1:9/0?max_connections=1", "at least 2 connections"),
        ("CIVIC_BUS_URL", "redis://127.0.0.1:9/0?max_connections=many", "max_connections"),
    ],
)
def test_a_wrong_or_unreachable_url_is_one_error_line_and_exit_1(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, variable: str, url: str, says: str
) -> None:
    monkeypatch.setenv(variable, url)
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 1
    assert says in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "secret" not in result.output
    assert isinstance(result.exception, SystemExit)  # handled, not escaped


def test_keys_create_list_revoke(data_dir: Path) -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    created = runner.invoke(app, ["keys", "create", "Mapo app", "--tier", "analyst"])
    assert created.exit_code == 0, created.output
    secret = next(line for line in created.output.splitlines() if line.startswith("cg_"))
    prefix = secret.split("_")[1]
    listed = runner.invoke(app, ["keys", "list"])
    assert prefix in listed.output
    assert "analyst" in listed.output
    assert secret not in listed.output
    revoked = runner.invoke(app, ["keys", "revoke", prefix])
    assert revoked.exit_code == 0
    assert "revoked" in runner.invoke(app, ["keys", "list"]).output


def test_handled_errors_exit_1_and_usage_errors_exit_2(data_dir: Path) -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    unknown = runner.invoke(app, ["keys", "revoke", "ffffffff"])
    assert unknown.exit_code == 1
    assert "no key" in unknown.output
    public = runner.invoke(app, ["keys", "create", "x", "--tier", "public"])
    assert public.exit_code == 1
    bad_scale = runner.invoke(app, ["seed", "--scale", "2"])
    assert bad_scale.exit_code == 2


def test_serve_refuses_an_unseeded_store_with_exit_3(data_dir: Path) -> None:
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 3
    assert isinstance(result.exception, SystemExit)
    assert "civicgraph seed" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_readings_roll_up_keeps_recent_readings(data_dir: Path) -> None:
    # (without the models' feeds: the water feed writes 30 days of hourly readings)
    seeded = runner.invoke(app, ["seed", "--scale", "0.001", "--history-days", "1", "--no-feeds"])
    assert seeded.exit_code == 0
    result = runner.invoke(app, ["readings", "roll-up", "--keep-days", "3"])
    assert result.exit_code == 0, result.output
    assert "Rolled 0 raw readings" in result.output  # the seed's day is recent
    refused = runner.invoke(app, ["readings", "roll-up", "--keep-days", "0"])
    assert refused.exit_code == 2
