"""`civicgraph log`: the vectors, saved heads, proofs and audits, through typer's CliRunner."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from civicgraph.cli import app
from civicgraph.settings import Settings
from civicgraph.stores import open_log
from graph.records import open_records
from ledger.checkpoint import Signer
from ledger.entries import Entry
from tests.civicgraph.runner import BoundaryRunner
from tests.vectors import MERKLE

runner = BoundaryRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    return tmp_path


def append(count: int) -> None:
    async def work() -> None:
        settings = Settings()
        records = await open_records(settings.records_location, migrate=False)
        try:
            log = await open_log(settings, records)
            await log.append([Entry("test.fact", f"fact-{i}", {"n": i}) for i in range(count)])
        finally:
            await records.close()

    asyncio.run(work())


def save_head(path: Path) -> Path:
    result = runner.invoke(app, ["log", "head"])
    assert result.exit_code == 0, result.output
    path.write_text(result.stdout)
    return path


def test_check_vectors_passes_every_upstream_probe() -> None:
    result = runner.invoke(app, ["log", "check-vectors", str(MERKLE)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert sum(line.startswith("PASS ") for line in lines) == 122
    assert lines[-1] == "122 probes: 122 passed, 0 failed"


def test_check_vectors_names_a_probe_it_disagrees_with(tmp_path: Path) -> None:
    copy = tmp_path / "testdata"
    shutil.copytree(MERKLE, copy)
    probe = copy / "inclusion" / "1" / "wrong-leaf.json"
    document = json.loads(probe.read_text())
    probe.write_text(json.dumps({**document, "wantErr": False}))
    (copy / "consistency" / "0" / "broken.json").write_text("{not json")

    result = runner.invoke(app, ["log", "check-vectors", str(copy)])

    assert result.exit_code == 1
    assert "FAIL inclusion/1/wrong-leaf.json: rejected a valid proof" in result.output
    assert "FAIL consistency/0/broken.json: unreadable probe" in result.output
    assert result.output.splitlines()[-1] == "123 probes: 121 passed, 2 failed"


@pytest.mark.parametrize("layout", ["missing", "no-folders", "no-probes"])
def test_check_vectors_refuses_a_directory_without_probes(tmp_path: Path, layout: str) -> None:
    directory = tmp_path / "vectors"
    if layout != "missing":
        directory.mkdir()
    if layout == "no-probes":
        (directory / "inclusion").mkdir()
    result = runner.invoke(app, ["log", "check-vectors", str(directory)])
    assert result.exit_code == 1
    assert "error:" in result.output


def test_audit_accepts_a_grown_log_and_refuses_swaps_tampering_and_strangers(
    data_dir: Path, tmp_path: Path
) -> None:
    append(5)
    old = save_head(tmp_path / "old.txt")
    append(11)
    new = save_head(tmp_path / "new.txt")

    ok = runner.invoke(app, ["log", "audit", str(old), str(new)])
    assert ok.exit_code == 0, ok.output
    assert "consistent: size 5 -> 16" in ok.output

    assert runner.invoke(app, ["log", "audit", str(new), str(old)]).exit_code == 1
    forged = tmp_path / "forged.txt"
    forged.write_text(new.read_text().replace("\n16\n", "\n15\n"))
    refused = runner.invoke(app, ["log", "audit", str(old), str(forged)])
    assert refused.exit_code == 1
    assert "does not verify" in refused.output

    stranger = Signer("civicgraph.seoul.example/log", Ed25519PrivateKey.generate())
    other_key = runner.invoke(
        app, ["log", "audit", str(old), str(new), "--key", stranger.verifier.encode()]
    )
    assert other_key.exit_code == 1
    assert "no signature by" in other_key.output

    key = runner.invoke(app, ["log", "key"]).stdout.strip()
    with_key = runner.invoke(app, ["log", "audit", str(old), str(new), "--key", key])
    assert with_key.exit_code == 0, with_key.output


def test_proofs_printed_by_the_cli_pass_check_vectors(data_dir: Path, tmp_path: Path) -> None:
    append(13)
    inclusion = runner.invoke(app, ["log", "prove-inclusion", "6"])
    consistency = runner.invoke(app, ["log", "prove-consistency", "5"])
    assert inclusion.exit_code == 0, inclusion.output
    assert consistency.exit_code == 0, consistency.output
    probes = tmp_path / "ours"
    for kind, result in (("inclusion", inclusion), ("consistency", consistency)):
        (probes / kind).mkdir(parents=True)
        probe = {**json.loads(result.stdout), "desc": "from the CLI", "wantErr": False}
        (probes / kind / "ours.json").write_text(json.dumps(probe))

    checked = runner.invoke(app, ["log", "check-vectors", str(probes)])

    assert checked.exit_code == 0, checked.output
    assert "2 probes: 2 passed, 0 failed" in checked.output


@pytest.mark.parametrize(
    "arguments",
    [["prove-inclusion", "3"], ["prove-inclusion", "0", "--size", "9"], ["prove-consistency", "4"]],
    ids=["leaf-past-end", "size-past-head", "size1-past-head"],
)
def test_proofs_beyond_the_log_are_a_clear_error(data_dir: Path, arguments: list[str]) -> None:
    append(3)
    result = runner.invoke(app, ["log", *arguments])
    assert result.exit_code == 1
    assert result.output.startswith("error:")


def test_a_lost_key_is_never_silently_replaced(data_dir: Path) -> None:
    append(2)
    key_file = data_dir / "keys" / "log-ed25519.pem"
    key_file.unlink()
    result = runner.invoke(app, ["log", "head"])
    assert result.exit_code == 1
    assert "restore the key" in result.output
    assert not key_file.exists()
