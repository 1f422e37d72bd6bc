"""`civicgraph zk check-vectors` on each backend, and with the other backend's package blocked."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from civicgraph.cli import app
from tests.civicgraph.runner import BoundaryRunner
from tests.vectors import REPO, VECTORS

runner = BoundaryRunner()
BBS = VECTORS / "bbs"
FIXTURE_SETS = {"bbs": 30, "bbs-blind": 16, "bbs-pseudonym": 22}
"""Each CFRG fixture folder and how many fixture files it holds."""


@pytest.mark.parametrize(("folder", "count"), FIXTURE_SETS.items())
def test_check_vectors_passes_every_fixture(folder: str, count: int) -> None:
    result = runner.invoke(app, ["zk", "check-vectors", str(VECTORS / folder)])
    assert result.exit_code == 0, result.output
    assert sum(line.startswith("PASS ") for line in result.output.splitlines()) == count
    assert result.output.splitlines()[-1] == (
        f"{count} fixtures on arkworks: {count} passed, 0 failed"
    )


BLOCK = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == {blocked!r} or name.startswith({blocked!r} + "."):
            raise ImportError("blocked by the test: " + name)
sys.meta_path.insert(0, Block())
from civicgraph.cli import app
sys.argv = ["civicgraph", "zk", "check-vectors", {directory!r}, "--backend", {backend!r}]
app()
"""


@pytest.mark.parametrize(("folder", "count"), FIXTURE_SETS.items())
@pytest.mark.parametrize(
    ("backend", "blocked"), [("arkworks", "py_ecc"), ("py-ecc", "py_arkworks_bls12381")]
)
def test_each_backend_passes_with_the_other_blocked(
    backend: str, blocked: str, folder: str, count: int, tmp_path: Path
) -> None:
    directory = VECTORS / folder
    if backend == "py-ecc":
        # pure Python pairings take ~1 s a fixture: tests/zk checks every fixture on py-ecc
        # in process; here the CLI runs one fixture of each kind with arkworks blocked
        directory, count = one_fixture_of_each_kind(directory, tmp_path / folder)
    script = BLOCK.format(blocked=blocked, directory=str(directory), backend=backend)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == (
        f"{count} fixtures on {backend}: {count} passed, 0 failed"
    )


def one_fixture_of_each_kind(folder: Path, copy: Path) -> tuple[Path, int]:
    """A copy of the fixture folder `folder` with only the first file of each fixture kind's
    directory (`proof/`, `signature/`, ...); returns it and how many fixtures it holds."""
    shutil.copytree(folder, copy)
    removed = 0
    for kind in (path for path in copy.glob("*/*") if path.is_dir()):
        for extra in sorted(kind.glob("*.json"))[1:]:
            extra.unlink()
            removed += 1
    return copy, FIXTURE_SETS[folder.name] - removed


def test_check_vectors_names_a_fixture_it_disagrees_with(tmp_path: Path) -> None:
    copy = tmp_path / "fixture_data"
    shutil.copytree(BBS, copy)
    fixture = copy / "bls12-381-sha-256" / "signature" / "signature002.json"
    data = json.loads(fixture.read_text())
    fixture.write_text(json.dumps({**data, "result": {"valid": True}}))
    result = runner.invoke(app, ["zk", "check-vectors", str(copy)])
    assert result.exit_code == 1
    assert "FAIL bls12-381-sha-256/signature/signature002.json" in result.output


@pytest.mark.parametrize(
    ("folder", "fixture", "change"),
    [
        ("bbs-blind", "proof/proof004.json", {"presentationHeader": "00"}),
        ("bbs-blind", "commit/commit002.json", {"proverBlind": "01"}),
        ("bbs-pseudonym", "nymProof/nymProof004.json", {"context_id": "00"}),
        ("bbs-pseudonym", "nymSignature/nymSignature002.json", {"signer_nym_entropy": "02"}),
    ],
)
def test_check_vectors_names_a_blind_or_pseudonym_fixture_it_disagrees_with(
    tmp_path: Path, folder: str, fixture: str, change: dict[str, str]
) -> None:
    copy = tmp_path / folder
    shutil.copytree(VECTORS / folder, copy)
    path = copy / "bls12-381-sha-256" / fixture
    path.write_text(json.dumps({**json.loads(path.read_text()), **change}))
    result = runner.invoke(app, ["zk", "check-vectors", str(copy)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # handled, not escaped
    assert f"FAIL bls12-381-sha-256/{fixture}" in result.output


@pytest.mark.parametrize("layout", ["missing", "no-suite-folder", "empty-suite-folder"])
def test_check_vectors_refuses_a_directory_without_fixtures(tmp_path: Path, layout: str) -> None:
    directory = tmp_path / "fixtures"
    if layout != "missing":
        directory.mkdir()
    if layout == "empty-suite-folder":
        (directory / "bls12-381-sha-256").mkdir()
    result = runner.invoke(app, ["zk", "check-vectors", str(directory)])
    assert result.exit_code == 1
    assert result.output.startswith("error:")
