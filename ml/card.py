"""Model cards: what a model is for, what it must not be used for, and how it measured.

After Mitchell et al. 2019, "Model Cards for Model Reporting" (FAT* '19): the data and its
generator, the features, each metric beside the baselines of the same run, the date, the code's
git revision and the library versions, the intended use and the uses it must not have.
"""

from __future__ import annotations

import subprocess
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ml.trained import TrainedModel, figure

REPO = Path(__file__).resolve().parents[1]


def git_revision() -> str:
    """The checkout's commit (with "+changes" when the tree is dirty), or "unknown"."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{commit}+changes" if dirty else commit


def card_of(model: TrainedModel, trained_at: datetime | None = None) -> dict[str, Any]:
    """The model card of `model` as JSON-able data (the registry's card.json)."""
    return {
        "model": model.name,
        "trained_at": (trained_at or datetime.now(UTC)).isoformat(timespec="seconds"),
        "git_revision": git_revision(),
        "libraries": {name: version(name) for name in ("lightgbm", "scikit-learn", "numpy")},
        "intended_use": model.intended_use,
        "not_for": model.not_for,
        "features": list(model.features),
        "data": {**asdict(model.data), "settings": dict(model.data.settings)},
        "metrics": [{**asdict(c), "baselines": dict(c.baselines)} for c in model.comparisons],
        "meets_targets": model.meets_targets,
        "speed": None
        if model.speed is None
        else {
            "unit": model.speed.unit,
            "fit_seconds": {k: round(v, 3) for k, v in model.speed.fit_seconds.items()},
            "rows_per_second": {k: round(v) for k, v in model.speed.rows_per_second.items()},
        },
        "details": dict(model.details),
    }


def card_markdown(card: dict[str, Any]) -> str:
    """The card as Markdown for people (the registry's card.md)."""
    data = card["data"]
    lines = [
        f"# Model card: {card['model']}",
        "",
        f"Trained {card['trained_at']} at revision `{card['git_revision']}`.",
        "",
        "## Intended use",
        card["intended_use"],
        "",
        "## Not for",
        card["not_for"],
        "",
        "## Data",
        f"Generator `{data['generator']}` version {data['generator_version']}; "
        f"{data['train_rows']:,} training rows (seeds {data['train_seeds']}), "
        f"{data['eval_rows']:,} evaluation rows (seeds {data['eval_seeds']}).",
        "",
        "Settings: " + ", ".join(f"{k}={v}" for k, v in data["settings"].items()),
        "",
        "## Features",
        ", ".join(card["features"]),
        "",
        "## Metrics (same run)",
        "| metric | model | baselines | target | met |",
        "|---|---|---|---|---|",
    ]
    for m in card["metrics"]:
        baselines = "; ".join(f"{k} {figure(v)}" for k, v in m["baselines"].items())
        unit = f" {m['unit']}" if m["unit"] else ""
        lines.append(
            f"| {m['metric']}{unit} | {figure(m['model'])} | {baselines} | {m['target']} | "
            f"{'yes' if m['met'] else 'no'} |"
        )
    libraries = ", ".join(f"{k} {v}" for k, v in card["libraries"].items())
    lines += ["", f"Libraries: {libraries}.", ""]
    return "\n".join(lines)
