"""`civicgraph ml`: list, card, promote and train's refusals, through the CLI's boundary."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from civicgraph.cli import app
from civicgraph.settings import Settings
from graph.records import open_records
from graph.records.log_tree import current_head
from ml.registry import Registry
from tests.civicgraph.runner import BoundaryRunner, assert_refused
from tests.ml.test_registry import tiny_model

runner = BoundaryRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CIVIC_ML_DIR", raising=False)
    return tmp_path


def log_size() -> int:
    async def work() -> int:
        records = await open_records(Settings().records_location, migrate=False)
        try:
            head = await current_head(records)
            return 0 if head is None else head.tree_size
        finally:
            await records.close()

    return asyncio.run(work())


def test_list_says_which_models_are_not_trained(data_dir: Path) -> None:
    result = runner.invoke(app, ["ml", "list"])
    assert result.exit_code == 0
    assert result.stdout.count("not trained") == 4


def test_unknown_names_and_untrained_models_are_one_line_refusals(data_dir: Path) -> None:
    assert_refused(runner.invoke(app, ["ml", "card", "crystal-ball"]))
    result = runner.invoke(app, ["ml", "card", "water"])
    assert_refused(result)
    assert "civicgraph ml train water" in result.stderr
    assert_refused(runner.invoke(app, ["ml", "train", "crystal-ball"]))


def test_training_refuses_before_work_when_the_records_are_not_there(data_dir: Path) -> None:
    result = runner.invoke(app, ["ml", "train", "water"])
    assert_refused(result)
    assert "civicgraph seed" in result.stderr
    assert not (data_dir / "ml").exists()


def test_promote_is_a_log_entry_and_switches_the_serving_version(data_dir: Path) -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    registry = Registry(data_dir / "ml")
    first = registry.add(tiny_model(rounds=3))
    assert_refused(runner.invoke(app, ["ml", "promote", "water", "20991231T000000Z-00000000"]))
    assert log_size() == 0
    result = runner.invoke(app, ["ml", "promote", "water", first.version])
    assert result.exit_code == 0, result.output
    assert registry.current_version("water") == first.version
    assert log_size() == 1
    listed = runner.invoke(app, ["ml", "list"])
    assert first.version in listed.stdout
    card = runner.invoke(app, ["ml", "card", "water"])
    assert card.stdout.startswith("# Model card: water")
