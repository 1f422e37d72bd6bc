"""`civicgraph keys enrol|issuer`: enrolment codes and issuer keys from the operator's shell."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from civicgraph.cli import app
from civicgraph.settings import Settings
from civicgraph.stores import open_stores
from tests.civicgraph.runner import BoundaryRunner, assert_refused
from tests.helpers import resident_id
from zk.credentials.epochs import Epoch

runner = BoundaryRunner()
CODE = re.compile(r"^[A-Z2-9]{5}(-[A-Z2-9]{5}){3}$", re.MULTILINE)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CIVIC_SERVER_URL", "http://127.0.0.1:9")  # nothing listens: read from disk
    monkeypatch.setenv("COLUMNS", "200")
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    return tmp_path


def add_resident(resident: str) -> None:
    async def work() -> None:
        stores = await open_stores(Settings())
        try:
            props = {
                "id": resident,
                "district_code": "11440",
                "dong_code": None,
                "birth_year": 1970,
                "sex": "M",
                "welfare_eligible": True,
            }
            assert await stores.graph.create_node("Citizen", props)
        finally:
            await stores.close()

    asyncio.run(work())


def test_keys_enrol_shows_a_code_once_for_a_known_resident(data_dir: Path) -> None:
    mapo = resident_id()
    add_resident(mapo)
    made = runner.invoke(app, ["keys", "enrol", mapo, "--days", "7"])
    assert made.exit_code == 0, made.output
    assert CODE.search(made.output)
    assert "wallet request --code" in made.output

    for nobody in ("cz-nobody", resident_id()):  # not an id; an id no resident has
        unknown = runner.invoke(app, ["keys", "enrol", nobody])
        assert unknown.exit_code == 1
        assert f"no resident '{nobody}'" in unknown.output
    assert runner.invoke(app, ["keys", "enrol", mapo, "--days", "0"]).exit_code == 2


def test_keys_issuer_publishes_each_month_once_and_refuses_a_lost_key(data_dir: Path) -> None:
    this_month = Epoch.at(datetime.now(UTC))
    first = runner.invoke(app, ["keys", "issuer"])
    assert first.exit_code == 0, first.output
    assert this_month.key_id in first.output
    ahead = runner.invoke(app, ["keys", "issuer", "--epoch", str(this_month.next())])
    assert ahead.exit_code == 0, ahead.output
    again = runner.invoke(app, ["keys", "issuer"])
    assert again.output.count("resident-") == 2  # no second key for a month

    bad = runner.invoke(app, ["keys", "issuer", "--epoch", "2026-13"])
    assert bad.exit_code == 1
    assert "YYYY-MM" in bad.output

    (data_dir / "keys" / "issuer" / f"{this_month.key_id}.key").unlink()
    lost = runner.invoke(app, ["keys", "issuer"])
    assert_refused(lost, 1)
    assert "restore the issuer keys from their backup" in lost.output


def test_a_graph_an_older_seed_keyed_by_text_is_refused_with_what_to_do(data_dir: Path) -> None:
    """Residents were keyed by their ids as text before 2026-12-02: a command that reads such a
    graph says to reseed, in one line, instead of failing on LadybugDB's cast."""
    import ladybug

    from graph.ontology import CITIZEN

    database = ladybug.Database(str(data_dir / "graph.lbug"))
    connection = ladybug.Connection(database)
    for table in ("LIVES_IN", "FILED", "Citizen"):
        connection.execute(f"DROP TABLE {table}")
    columns = ", ".join(
        f"{p.name} {'STRING' if p.name == 'id' else p.type.value}" for p in CITIZEN.properties
    )
    connection.execute(f"CREATE NODE TABLE Citizen({columns}, PRIMARY KEY (id))")
    connection.execute("CREATE (:Citizen {id: 'cz-00a1b2c3d4e5f607', district_code: '11440'})")
    connection.close()
    database.close()

    for command in (["keys", "enrol", "cz-00a1b2c3d4e5f607"], ["stats"]):
        refused = runner.invoke(app, command)
        assert_refused(refused)
        assert "civicgraph seed --reset" in refused.stderr, refused.stderr
