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


@pytest.mark.parametrize(
    "arguments",
    [
        ["card", "crystal-ball"],
        ["versions", "crystal-ball"],
        ["promote", "crystal-ball", "20260101T000000Z-00000000"],
        ["train", "water", "crystal-ball"],
    ],
    ids=["card", "versions", "promote", "train"],
)
def test_an_unknown_model_is_a_usage_error_naming_the_models(
    data_dir: Path, arguments: list[str]
) -> None:
    result = runner.invoke(app, ["ml", *arguments])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    said = " ".join(result.stderr.replace("│", " ").split())
    assert "no model named 'crystal-ball': the models are routing, water" in said
    assert not (data_dir / "ml").exists()


def test_an_untrained_model_is_a_one_line_refusal(data_dir: Path) -> None:
    result = runner.invoke(app, ["ml", "card", "water"])
    assert_refused(result)
    assert "civicgraph ml train water" in result.stderr


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


def test_one_damaged_model_is_said_in_the_list_and_never_promoted(data_dir: Path) -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    registry = Registry(data_dir / "ml")
    good = registry.add(tiny_model("outbreak"))
    assert runner.invoke(app, ["ml", "promote", "outbreak", good.version]).exit_code == 0
    broken = registry.add(tiny_model("water"))
    (broken.path / "model.txt").write_text("this is not a model")
    size = log_size()

    refused = runner.invoke(app, ["ml", "promote", "water", broken.version])
    assert_refused(refused)
    assert "SHA-256" in refused.stderr
    assert log_size() == size  # nothing logged for a version that cannot serve
    (data_dir / "ml" / "water" / "current").write_text("garbage")

    listed = runner.invoke(app, ["ml", "list"])
    assert listed.exit_code == 0, listed.output
    assert good.version in listed.stdout  # the others are still shown
    [damaged] = [line for line in listed.stdout.splitlines() if line.startswith("damaged:")]
    assert "water" in damaged  # the reason whole, under the table, not squeezed into a cell
    assert "damaged (below)" in listed.stdout
    # the card is readable even when the model file is not (that is when it is wanted), with
    # a warning that this version cannot serve
    card = runner.invoke(app, ["ml", "card", "water", "--version", broken.version])
    assert card.exit_code == 0, card.output
    assert card.stdout.startswith("# Model card: water")
    assert "SHA-256" in card.stderr
    assert "cannot serve" in card.stderr
    fine = runner.invoke(app, ["ml", "card", "outbreak"])
    assert fine.stderr == ""
    versions = runner.invoke(app, ["ml", "versions", "outbreak"])
    assert versions.exit_code == 0
    assert good.version in versions.stdout


def test_seeds_past_the_shared_limit_and_too_small_scales_are_refused(data_dir: Path) -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    seed = runner.invoke(app, ["ml", "train", "--seed", "1000"])
    assert seed.exit_code == 2  # Click's usage error
    assert "999" in seed.stderr
    tiny = runner.invoke(app, ["ml", "train", "routing", "--scale", "0.000001"])
    assert_refused(tiny)
    assert "at least 1,000" in tiny.stderr
    assert Registry(data_dir / "ml").versions("routing") == []


def test_a_registry_file_nested_too_deep_is_damaged_and_promote_repairs_a_bad_current(
    data_dir: Path,
) -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    registry = Registry(data_dir / "ml")
    good = registry.add(tiny_model("water"))
    deep = registry.add(tiny_model("outbreak"))
    (deep.path / "serving.json").write_text("[" * 100_000 + "]" * 100_000)
    (data_dir / "ml" / "outbreak" / "current").write_text(deep.version)  # as if it served
    listed = runner.invoke(app, ["ml", "list"])
    assert listed.exception is None, listed.output
    assert "depth limit exceeded" in listed.stdout
    card = runner.invoke(app, ["ml", "card", "outbreak", "--version", deep.version])
    assert card.exception is None, card.output
    assert "depth limit exceeded" in card.stderr
    versions = runner.invoke(app, ["ml", "versions", "outbreak"])
    assert "no: damaged" in versions.stdout
    # a `current` naming no version: the command its message names repairs it
    (data_dir / "ml" / "water" / "current").write_text("nosuch")
    repaired = runner.invoke(app, ["ml", "promote", "water", good.version])
    assert repaired.exit_code == 0, repaired.output
    assert registry.current_version("water") == good.version
