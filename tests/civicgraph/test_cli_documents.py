"""`civicgraph documents register|list|remove` with Apollo's and Relay's manifests, and every
manifest refused whole with one line and exit 1 (a missing file: usage, exit 2)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from civicgraph.cli import app
from tests.civicgraph.runner import BoundaryRunner, assert_refused

runner = BoundaryRunner()
DISTRICTS = "query Districts { districts { code } }"
NAMES = "query Names { districts { nameEn } }"
FRAGMENTED = "query Codes { districts { ...D } } fragment D on District { code }"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apollo_manifest(*bodies: str, **changes: object) -> dict[str, object]:
    operations = []
    for body in bodies:
        name = body.split()[1]
        operations.append({"id": sha256(body), "name": name, "type": "query", "body": body})
    return {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": operations,
    } | changes


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path))
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    return tmp_path


def write(folder: Path, manifest: object) -> str:
    path = folder / "manifest.json"
    path.write_text(json.dumps(manifest))
    return str(path)


def test_documents_register_apollo_manifest_list_and_remove(data_dir: Path) -> None:
    # given Apollo's manifest of two operations, one with a fragment
    path = write(data_dir, apollo_manifest(DISTRICTS, FRAGMENTED))
    # when it is registered twice, listed, then one document and the client removed
    first = runner.invoke(app, ["documents", "register", path, "--client", "web-1.0"])
    again = runner.invoke(app, ["documents", "register", path, "--client", "web-1.0"])
    listed = runner.invoke(app, ["documents", "list", "--client", "web-1.0"])
    one = runner.invoke(app, ["documents", "remove", "web-1.0", "--id", sha256(DISTRICTS)])
    rest = runner.invoke(app, ["documents", "remove", "web-1.0"])
    # then
    assert first.exit_code == 0, first.output
    assert "Registered 2 new" in first.output
    assert "Registered 0 new" in again.output
    assert "Codes" in listed.output
    assert "Districts" in listed.output
    assert "Removed 1" in one.output
    assert "Removed 1" in rest.output


@pytest.mark.parametrize(
    "digest",
    [hashlib.md5, hashlib.sha1, hashlib.sha256],
    ids=["md5", "sha1", "sha256"],
)
def test_documents_register_relay_manifest_by_its_hash(data_dir: Path, digest: object) -> None:
    # given Relay's persisted_queries.json, ids in the compiler's algorithm
    manifest = {digest(body.encode()).hexdigest(): body for body in (DISTRICTS, NAMES)}  # type: ignore[operator]
    # when it is registered
    result = runner.invoke(
        app, ["documents", "register", write(data_dir, manifest), "--client", "ios"]
    )
    # then both documents are in
    assert result.exit_code == 0, result.output
    assert "Registered 2 new" in result.output


REFUSED = [
    ("not-json", "{not json"),
    ("a-list", []),
    ("unknown-format", {"format": "something-else", "operations": []}),
    ("apollo-version-2", apollo_manifest(DISTRICTS, version=2)),
    (
        "apollo-id-not-hash",
        {
            **apollo_manifest(),
            "operations": [
                {"id": sha256(NAMES), "name": "Districts", "type": "query", "body": DISTRICTS}
            ],
        },
    ),
    (
        "apollo-wrong-type",
        {
            **apollo_manifest(),
            "operations": [
                {
                    "id": sha256(DISTRICTS),
                    "name": "Districts",
                    "type": "mutation",
                    "body": DISTRICTS,
                }
            ],
        },
    ),
    (
        "apollo-missing-body",
        {
            **apollo_manifest(),
            "operations": [{"id": sha256(DISTRICTS), "name": "Districts", "type": "query"}],
        },
    ),
    ("relay-md5-mismatch", {hashlib.md5(NAMES.encode()).hexdigest(): DISTRICTS}),
    ("relay-id-length", {"abc": DISTRICTS}),
    ("relay-upper-hex", {hashlib.md5(DISTRICTS.encode()).hexdigest().upper(): DISTRICTS}),
    ("relay-not-text", {hashlib.md5(DISTRICTS.encode()).hexdigest(): 3}),
    ("does-not-parse", {sha256("query {"): "query {"}),
    ("does-not-validate", {sha256("query X { noSuchField }"): "query X { noSuchField }"}),
    ("two-operations", {sha256(DISTRICTS + " " + NAMES): DISTRICTS + " " + NAMES}),
    ("nul", {sha256(DISTRICTS + "\x00"): DISTRICTS + "\x00"}),
]


@pytest.mark.parametrize("manifest", [r[1] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_documents_register_refuses_a_bad_manifest_whole(data_dir: Path, manifest: object) -> None:
    path = data_dir / "manifest.json"
    path.write_text(manifest if isinstance(manifest, str) else json.dumps(manifest))
    result = runner.invoke(app, ["documents", "register", str(path), "--client", "web"])
    assert_refused(result)
    listed = runner.invoke(app, ["documents", "list"])
    assert "web" not in listed.output.split("Trusted documents")[-1]


def test_documents_register_missing_file_is_a_usage_error(data_dir: Path) -> None:
    result = runner.invoke(
        app, ["documents", "register", str(data_dir / "none.json"), "--client", "web"]
    )
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("client", "exit_code"),
    [("", 2), ("   ", 2), ("a\x00b", 2), ("x" * 101, 1)],
    ids=["empty", "blank", "nul", "long"],
)
def test_documents_register_refuses_a_bad_client_name(
    data_dir: Path, client: str, exit_code: int
) -> None:
    path = write(data_dir, apollo_manifest(DISTRICTS))
    result = runner.invoke(app, ["documents", "register", path, "--client", client])
    assert result.exit_code == exit_code, result.output
