"""Seoul's first load into Neo4j through its offline importer (tools/services/services.sh
neo4j-import, the real `neo4j-admin database import`) gives the city and the records a load
through Bolt gives."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graph.errors import QueryFailed
from graph.ladybug_store import LadybugStore
from graph.neo4j_store import Neo4jStore
from graph.ontology import NODE_TYPES
from graph.records import open_records, sqlite_url
from seeds.neo4j_import import ImportMismatch, export, seed_imported
from seeds.seed import seed

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "tools" / "services" / "services.sh"
UNTIL = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.skipif(
    shutil.which("java") is None or shutil.which("mvn") is None,
    reason="needs Java and Maven (tools/neo4j); .ci/run installs them",
)
async def test_an_imported_city_is_the_city_a_load_gives(tmp_path: Path) -> None:
    folder = tmp_path / "an export, with spaces=and commas"  # the importer splits on both
    manifest = export(folder, scale=0.001, history_days=1, until=UNTIL)
    name, port = f"import-test-{os.getpid()}", _free_port()
    state = ROOT / "var" / "services"
    importer = await asyncio.create_subprocess_exec(
        str(SERVICES),
        "neo4j-import",
        str(folder),
        name,
        str(port),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, errors = await asyncio.wait_for(importer.communicate(), timeout=600)
    assert importer.returncode == 0, errors.decode()[-2000:]
    assert not (ROOT / "import.report").exists()  # the importer's report goes to var/services
    loaded = LadybugStore(tmp_path / "graph.lbug")
    neo4j = await Neo4jStore.connect(f"bolt://127.0.0.1:{port}")
    records = await open_records(sqlite_url(tmp_path / "imported.sqlite3"), migrate=True)
    loaded_records = await open_records(sqlite_url(tmp_path / "loaded.sqlite3"), migrate=True)
    try:
        counts = await seed_imported(neo4j, records, folder)
        expected = await seed(loaded, loaded_records, scale=0.001, history_days=1, until=UNTIL)
        assert counts == expected
        assert {k: v for k, v in counts.items() if k in NODE_TYPES} == manifest.nodes
        assert await neo4j.count_by_relationship() == await loaded.count_by_relationship()
        assert {k: v for k, v in (await neo4j.count_by_relationship()).items() if v} == (
            manifest.relationships
        )
        for label, kind in NODE_TYPES.items():
            keys = [
                row[0] for row in await loaded._rows(f"MATCH (n:`{label}`) RETURN n.{kind.key}")
            ]
            assert await neo4j.get_nodes(label, keys) == await loaded.get_nodes(label, keys), label
        # the constraints were made: a second node with a taken key is refused
        with pytest.raises(QueryFailed, match="already exists"):
            await neo4j.create_node("Dataset", {"id": "ds-sdot", "title_en": "again"})
        # the files of a city of the same size, a day later, do not match this graph
        other = tmp_path / "other"
        export(other, scale=0.001, history_days=1, until=UNTIL + timedelta(days=1))
        with pytest.raises(ImportMismatch, match="another city of the same size"):
            await seed_imported(neo4j, records, other)
    finally:
        await neo4j.close()
        await loaded.close()
        await records.close()
        await loaded_records.close()
        pid_file = state / f"neo4j-{name}.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text())
            with contextlib.suppress(ProcessLookupError):  # stopped already (`services.sh stop`)
                os.kill(pid, signal.SIGTERM)
            for _ in range(600):  # Neo4j shuts down before its files go
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                await asyncio.sleep(0.1)
            pid_file.unlink()
        shutil.rmtree(state / f"neo4j-{name}", ignore_errors=True)
        for left in state.glob(f"neo4j-{name}*"):  # its logs and the importer's report
            left.unlink()
