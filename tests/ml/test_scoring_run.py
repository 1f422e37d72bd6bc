"""`score_all`: every scored model in order, a refused one reported and the rest still run, the
progress of each, and no model but the scored ones."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph.errors import StoreUnavailable
from ml.registry import Registry
from ml.scoring import Scoring, ScoringContext
from ml.scoring.run import SCORED, NotScored, score_all

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def context(tmp_path: Path) -> ScoringContext:
    """A context whose stores are never reached: the scorings below read none."""
    return ScoringContext(None, None, Registry(tmp_path), AT)  # type: ignore[arg-type]


async def test_a_refused_model_is_reported_and_the_others_still_score(tmp_path: Path) -> None:
    # given a run whose outbreak scoring finds its records unreachable
    ran: list[str] = []

    async def scored(name: str, context: ScoringContext) -> Scoring:
        ran.append(name)
        if name == "outbreak":
            raise StoreUnavailable("cannot reach the records\n at postgres://db")
        return Scoring(name, "v1", 1_796_000_400, 3, 0, ())

    scorers = {name: (lambda c, n=name: scored(n, c)) for name in SCORED}
    steps: list[tuple[str, float]] = []
    # when every model is scored, asked in another order
    results = await score_all(
        context(tmp_path),
        ["hotspots", "water", "outbreak"],
        lambda step, done: steps.append((step, done)),
        scorers=scorers,
    )
    # then all ran in SCORED's order, the refused one skipped with its reason on one line
    assert ran == list(SCORED) == ["water", "outbreak", "hotspots"]
    assert [(r.model, r.skipped) for r in results] == [
        ("water", None),
        ("outbreak", "cannot reach the records at postgres://db"),
        ("hotspots", None),
    ]
    assert steps[:2] == [("water: scoring", 0.0), ("water: scored", 1 / 3)]
    assert steps[3] == ("outbreak: skipped", 2 / 3)
    assert steps[-1] == ("hotspots: scored", 1.0)


async def test_a_bug_in_a_scoring_is_not_hidden(tmp_path: Path) -> None:
    async def broken(context: ScoringContext) -> Scoring:
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await score_all(context(tmp_path), ["water"], scorers={"water": broken})


@pytest.mark.parametrize("name", ["routing", "crystal-ball"])
async def test_only_the_scored_models_can_be_asked_for(tmp_path: Path, name: str) -> None:
    with pytest.raises(NotScored, match="scored: water, outbreak, hotspots"):
        await score_all(context(tmp_path), [name])


async def test_untrained_models_are_skipped_with_how_to_train_them(tmp_path: Path) -> None:
    results = await score_all(context(tmp_path))
    assert [r.model for r in results] == list(SCORED)
    assert all(f"civicgraph ml train {r.model}" in (r.skipped or "") for r in results)


@pytest.mark.parametrize("damage", ["current", "model-file"])
async def test_a_damaged_entry_is_skipped_with_one_way_to_repair_it(
    tmp_path: Path, damage: str
) -> None:
    # given each scored model's registry entry damaged: `current` naming no version, or a
    # version whose files are gone
    for name in SCORED:
        (tmp_path / name).mkdir()
        version = "20261130T090000Z-0123abcd"
        (tmp_path / name / "current").write_text(
            "not a version\n" if damage == "current" else version
        )
    # when all are scored
    results = await score_all(context(tmp_path))
    # then each says it is damaged and how to repair it, once
    for result in results:
        assert result.skipped is not None
        assert "damaged" in result.skipped, result.skipped
        assert result.skipped.count(f"civicgraph ml promote {result.model}") == 1, result.skipped
