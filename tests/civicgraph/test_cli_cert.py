"""`civicgraph cert verify` contacts only trusted logs' configured servers, never a code's URL.

Two recording servers stand in for the trusted log's server and for the address a code names;
their hit lists show who was contacted.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from civicgraph.cli import app
from graph.records import open_records, sqlite_url
from ledger import certificates
from ledger.checkpoint import Signer
from ledger.documents import CertificateKind
from ledger.log import Log
from ledger.qr import QrPayload
from tests.civicgraph.runner import BoundaryRunner, assert_refused
from tests.ledger.test_certificates import BAKERY
from tests.recorder import Answer, Recorder, recording

runner = BoundaryRunner()
TRUSTED = Signer("trusted.test/log", Ed25519PrivateKey.generate())
STRANGER = Signer("stranger.test/log", Ed25519PrivateKey.generate())


@pytest.fixture(autouse=True)
def no_local_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A verifier's machine: no log of its own, no server configured."""
    monkeypatch.setenv("CIVIC_DATA_DIR", str(tmp_path / "verifier"))
    for name in ("CIVIC_SERVER_URL", "CIVIC_TRUSTED_LOGS", "CIVIC_LOG_ORIGIN", "CIVIC_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)


def trust(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    entry = {"url": url, "key": TRUSTED.verifier.encode()}
    monkeypatch.setenv("CIVIC_TRUSTED_LOGS", json.dumps({TRUSTED.name: entry}))


def full_code(tmp_path: Path, signer: Signer) -> QrPayload:
    """A certificate issued by a log signing with `signer`, with its whole proof."""

    async def work() -> QrPayload:
        records = await open_records(sqlite_url(tmp_path / f"{signer.name.replace('/', '_')}.db"))
        try:
            log = Log(records, signer)
            issued = await certificates.issue(log, CertificateKind.BUSINESS_REGISTRATION, BAKERY)
            return await certificates.full_payload(log, issued.certificate)
        finally:
            await records.close()

    return asyncio.run(work())


def link_code(tmp_path: Path, url: str, origin: str | None) -> QrPayload:
    claim = full_code(tmp_path, TRUSTED).claim
    return QrPayload(claim=claim, url=f"{url}/certificates/{claim.cert_id}/proof", origin=origin)


@pytest.fixture
def servers() -> Iterator[tuple[Recorder, Recorder]]:
    """The trusted log's server, and the address codes name."""
    with recording() as trusted, recording() as named:
        yield trusted, named


@pytest.mark.parametrize(
    "origin", ["stranger.test/log", None], ids=["untrusted-origin", "no-origin"]
)
def test_cert_verify_never_asks_the_url_of_a_code_of_an_untrusted_log(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    servers: tuple[Recorder, Recorder],
    origin: str | None,
) -> None:
    # given a trusted log, and a link-only code naming another log and the recorder as its URL
    trusted, named = servers
    trust(monkeypatch, trusted.url)
    payload = link_code(tmp_path, named.url, origin)

    # when it is verified online
    result = runner.invoke(app, ["cert", "verify", payload.encode()])

    # then it is unknown, and nobody was contacted
    assert result.exit_code == 5, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stdout.startswith("UNKNOWN: the code names the")
    assert (trusted.hits, named.hits) == ([], [])


def test_cert_verify_fetches_a_trusted_codes_proof_from_the_configured_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, servers: tuple[Recorder, Recorder]
) -> None:
    # given a code of the trusted log whose link points at the recorder
    trusted, named = servers
    trust(monkeypatch, trusted.url)
    payload = link_code(tmp_path, named.url, TRUSTED.name)

    result = runner.invoke(app, ["cert", "verify", payload.encode()])

    # then only the configured server was asked (it knows nothing: could not check, exit 1)
    assert_refused(result, 1)
    assert trusted.hits == [("GET", f"/certificates/{payload.claim.cert_id}/proof")]
    assert named.hits == []


def test_cert_verify_does_not_follow_a_redirect_of_the_trusted_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with recording() as named:
        moved = Answer(302, headers={"Location": f"{named.url}/certificates/x/proof"})
        with recording(lambda method, path: moved) as trusted:
            trust(monkeypatch, trusted.url)
            payload = link_code(tmp_path, named.url, TRUSTED.name)

            result = runner.invoke(app, ["cert", "verify", payload.encode()])

    assert_refused(result, 1)
    assert "not followed" in result.stderr
    assert len(trusted.hits) == 1
    assert named.hits == []


def test_cert_verify_asks_nothing_for_a_full_code_of_another_log_than_the_servers(
    tmp_path: Path, servers: tuple[Recorder, Recorder]
) -> None:
    # given --server and --key for one log, and a code signed by another
    trusted, _ = servers
    payload = full_code(tmp_path, STRANGER)

    result = runner.invoke(
        app,
        [
            "cert",
            "verify",
            payload.encode(),
            "--server",
            trusted.url,
            "--key",
            TRUSTED.verifier.encode(),
        ],
    )

    assert result.exit_code == 5, result.output
    assert isinstance(result.exception, SystemExit)
    assert "stranger.test/log" in result.stdout
    assert trusted.hits == []


def test_cert_verify_offline_uses_the_trusted_key_of_the_codes_origin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trust(monkeypatch, "https://trusted.test")

    valid = runner.invoke(
        app, ["cert", "verify", full_code(tmp_path, TRUSTED).encode(), "--offline"]
    )
    stranger = runner.invoke(
        app, ["cert", "verify", full_code(tmp_path, STRANGER).encode(), "--offline"]
    )

    assert (valid.exit_code, valid.exception) == (0, None), valid.output
    assert valid.stdout.startswith("VALID:")
    assert stranger.exit_code == 5, stranger.output


def test_cert_verify_without_any_trusted_log_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["cert", "verify", full_code(tmp_path, TRUSTED).encode()])
    assert_refused(result, 1)
    assert "no trusted log" in result.stderr


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        '{"other.test/log": {"url": "https://other.test"}}',
        '{"other.test/log": {"url": "file:///etc/passwd", "key": "KEY"}}',
        '{"other.test/log": {"url": "https://other.test", "key": "not-a-key"}}',
        '{"other.test/log": {"url": "https://other.test", "kee": "typo"}}',
    ],
    ids=["json", "no-key", "scheme", "bad-key", "unknown-field"],
)
def test_a_bad_trusted_logs_setting_is_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CIVIC_TRUSTED_LOGS", value.replace("KEY", TRUSTED.verifier.encode()))
    result = runner.invoke(app, ["cert", "verify", full_code(tmp_path, TRUSTED).encode()])
    assert_refused(result, 1)
    assert "CIVIC_TRUSTED_LOGS" in result.stderr
