"""The model registry: versions written whole, the serving pointer, cards, the log entry."""

from __future__ import annotations

import json
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lightgbm
import numpy as np
import pytest

from ledger.entries import Entry
from ml.errors import ModelNotTrained, RegistryDamaged, UnknownModel
from ml.registry import Registry, deployment_entry
from ml.trained import NEVER, Comparison, DataDescription, TrainedModel, figure


def tiny_model(name: str = "water", rounds: int = 5) -> TrainedModel:
    """A real (small) LightGBM model on a separable problem, with the fields a card needs."""
    rng = np.random.default_rng(7)
    x = rng.random((300, 3))
    y = (x[:, 0] > 0.5).astype(int)
    booster = lightgbm.train(
        {"objective": "binary", "verbose": -1, "num_threads": 1, "deterministic": True},
        lightgbm.Dataset(x, y),
        rounds,
    )
    return TrainedModel(
        name=name,
        booster=booster,
        serving={"threshold": 0.5, "이름": "한강"},
        comparisons=(Comparison("precision", 0.91, {"cusum": 0.72}, "≥ cusum", True),),
        data=DataDescription(
            "ml.generators.water", "1", {"stations": 8}, (0, 1), (10_000,), 300, 100
        ),
        features=("a", "b", "c"),
        intended_use="Send a sampling team.",
        not_for="Blaming a plant without a sample.",
    )


AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_a_version_round_trips_and_serves_only_once_promoted(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    model = tiny_model()
    stored = registry.add(model, trained_at=AT)
    assert stored.version.startswith("20261130T090000Z-")
    assert registry.versions("water") == [stored.version]
    with pytest.raises(ModelNotTrained, match="civicgraph ml train water"):
        registry.load("water")
    registry.promote("water", stored.version)
    loaded = registry.load("water")
    x = np.random.default_rng(1).random((20, 3))
    assert np.array_equal(loaded.booster().predict(x), model.booster.predict(x))
    assert loaded.serving == {"threshold": 0.5, "이름": "한강"}
    assert loaded.card["metrics"][0]["baselines"] == {"cusum": 0.72}
    assert loaded.card["data"]["eval_seeds"] == [10_000]
    assert (
        "| precision | 0.91 | cusum 0.72 | ≥ cusum | yes |" in (stored.path / "card.md").read_text()
    )


def test_a_rollback_points_at_the_earlier_version(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    first = registry.add(tiny_model(rounds=3), trained_at=AT)
    second = registry.add(tiny_model(rounds=6), trained_at=AT.replace(hour=10))
    registry.promote("water", second.version)
    registry.promote("water", first.version)
    assert registry.current_version("water") == first.version
    assert registry.versions("water") == [first.version, second.version]


def test_nothing_half_written_is_left_when_writing_fails(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    broken = tiny_model()
    object.__setattr__(broken, "serving", {"not json": object()})
    with pytest.raises(TypeError):
        registry.add(broken)
    assert list((tmp_path / "water").iterdir()) == []


def test_names_versions_and_damaged_files_are_typed_errors(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    with pytest.raises(UnknownModel, match="routing, water, outbreak, hotspots"):
        registry.load("../keys")
    with pytest.raises(ModelNotTrained):
        registry.load("outbreak")
    with pytest.raises(UnknownModel):
        registry.load("water", "../../etc")
    stored = registry.add(tiny_model(), trained_at=AT)
    (stored.path / "card.json").write_text("{half")
    with pytest.raises(RegistryDamaged):
        registry.load("water", stored.version)
    (tmp_path / "water" / "current").write_text("nonsense")
    with pytest.raises(RegistryDamaged):
        registry.current_version("water")


def test_the_deployment_entry_names_the_files_by_hash_and_holds_no_floats(tmp_path: Path) -> None:
    stored = Registry(tmp_path).add(tiny_model(), trained_at=AT)
    entry = deployment_entry(stored, by="civicgraph ml train")
    assert (entry.kind, entry.subject) == ("model.deployed", "model:water")
    body = json.loads(entry.encode())["body"]
    assert body["model_sha256"] == stored.sha256
    assert body["version"] == stored.version
    assert body["metrics"]["precision"] == {
        "model": "0.91",
        "baselines": {"cusum": "0.72"},
        "met": True,
    }
    assert Entry.decode(entry.encode()) == entry


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        pytest.param(lambda card: "just a string", "not an object", id="not-an-object"),
        pytest.param(lambda card: {}, "no model", id="empty"),
        pytest.param(lambda card: {**card, "model": "routing"}, "the card of", id="other-model"),
        pytest.param(lambda card: {**card, "trained_at": "soon"}, "ISO 8601", id="bad-time"),
        pytest.param(
            lambda card: {**card, "metrics": [{"metric": "x", "model": "abc"}]},
            "metric of the wrong shape",
            id="bad-metric",
        ),
        pytest.param(
            lambda card: {**card, "data": {**card["data"], "train_rows": "many"}},
            "train_rows",
            id="bad-data",
        ),
    ],
)
def test_a_card_edited_by_hand_is_registry_damaged(tmp_path: Path, edit: Any, reason: str) -> None:
    registry = Registry(tmp_path)
    stored = registry.add(tiny_model(), trained_at=AT)
    card_file = stored.path / "card.json"
    card_file.write_text(json.dumps(edit(json.loads(card_file.read_text()))))
    with pytest.raises(RegistryDamaged, match=reason):
        registry.load("water", stored.version)
    with pytest.raises(RegistryDamaged, match=reason):
        registry.card("water", stored.version)
    with pytest.raises(RegistryDamaged):
        registry.promote("water", stored.version)
    assert registry.current_version("water") is None


def test_a_version_whose_model_file_is_not_its_own_never_serves(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    stored = registry.add(tiny_model(), trained_at=AT)
    # a folder copied under another version's name: the hash in the name does not match
    copy = tmp_path / "water" / "20991231T000000Z-ffffffff"
    shutil.copytree(stored.path, copy)
    with pytest.raises(RegistryDamaged, match="SHA-256"):
        registry.promote("water", copy.name)
    # a model file replaced: its hash no longer matches its version either
    (stored.path / "model.txt").write_text("this is not a model")
    with pytest.raises(RegistryDamaged):
        registry.promote("water", stored.version)
    assert registry.current_version("water") is None


def test_loads_are_cached_until_a_file_changes(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    stored = registry.add(tiny_model(), trained_at=AT)
    assert registry.load("water", stored.version) is registry.load("water", stored.version)
    (stored.path / "serving.json").write_text("[1, 2]")
    with pytest.raises(RegistryDamaged, match=r"serving\.json"):
        registry.load("water", stored.version)


def test_empty_folders_are_no_versions_and_files_are_readable_by_other_users(
    tmp_path: Path,
) -> None:
    registry = Registry(tmp_path)
    stored = registry.add(tiny_model(), trained_at=AT)
    registry.promote("water", stored.version)
    (tmp_path / "water" / "20991231T000000Z-00000000").mkdir()
    assert registry.versions("water") == [stored.version]
    assert stat.S_IMODE(stored.path.stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "water" / "current").stat().st_mode) == 0o644


def test_an_unwritable_registry_is_said_before_any_training(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    with pytest.raises(RegistryDamaged, match="cannot be written"):
        Registry(not_a_folder).check_writable()


def test_a_figure_that_never_happened_reads_never() -> None:
    assert figure(NEVER) == "never"
    assert figure(3.0) == "3"
    assert figure(0.94712) == "0.947"
    assert figure(12_345.6) == "12,346"
