"""A manifest is checked before anything is written: it may not stretch the seed's limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from seeds.neo4j_import import ImportMismatch, Manifest, export

UNTIL = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("export") / "city"
    manifest = export(folder, scale=0.001, history_days=1, until=UNTIL)
    assert Manifest.read(folder) == manifest
    raw: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    return raw


@pytest.mark.parametrize(
    ("change", "says"),
    [
        pytest.param({"scale": 7.5}, "scale 7.5 is not in (0, 1]", id="scale-above-one"),
        pytest.param({"scale": float("nan")}, "scale nan", id="scale-nan"),
        pytest.param({"scale": 0}, "scale 0.0", id="scale-zero"),
        pytest.param({"history_days": 100_000}, "history_days 100000", id="history"),
        pytest.param({"until": "2026-11-20T03:00:00"}, "no time zone", id="naive-until"),
        pytest.param({"nodes": {"Citizen": -1}}, "a negative count", id="negative"),
        pytest.param({"nodes": {"Ghost": 1}}, "unknown labels", id="unknown-label"),
        pytest.param({"relationships": {"HAUNTS": 1}}, "unknown labels", id="unknown-type"),
        pytest.param({"probes": []}, "no readable manifest.json", id="probes-not-a-map"),
    ],
)
def test_a_manifest_out_of_range_is_refused(
    written: dict[str, Any], tmp_path: Path, change: dict[str, Any], says: str
) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({**written, **change}))
    with pytest.raises(ImportMismatch, match=says.replace("(", r"\(").replace(")", r"\)")):
        Manifest.read(tmp_path)
