"""A verifier asks only the trusted log a code names, at its configured server, never a code's URL.

`check` picks the log by the code's origin (its signed head's first line, or a link-only
code's `origin` field) and calls `connect` only for a trusted log; these tests count the calls.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from graph.records import open_records, sqlite_url
from ledger import certificates
from ledger.cert_check import LogSource, Status, check, check_online
from ledger.checkpoint import Signer
from ledger.documents import CertificateKind
from ledger.entries import Entry
from ledger.log import Log
from ledger.qr import QrPayload
from ledger.trusted_logs import TrustedLog, claimed_origin, trusted_log_for
from tests.ledger.test_certificates import BAKERY, ORIGIN, SIGNER, RecordsSource, issued_payload

SERVER = "https://log.civicgraph.test"
OTHER = Signer("other.test/log", Ed25519PrivateKey.generate())
TRUSTED = {ORIGIN: TrustedLog(ORIGIN, SERVER, SIGNER.verifier)}
ELSEWHERE = "http://attacker.test/certificates/x/proof"


@pytest.fixture
async def log(tmp_path: Path) -> AsyncIterator[Log]:
    records = await open_records(sqlite_url(tmp_path / "records.sqlite3"))
    opened = Log(records, SIGNER)
    await opened.append([Entry("test.fact", f"before-{i}", {"n": i}) for i in range(5)])
    yield opened
    await records.close()


class Connections:
    """A `connect` for `check` that records every trusted log it is asked to open."""

    def __init__(self, source: LogSource) -> None:
        self.source = source
        self.opened: list[TrustedLog] = []

    @asynccontextmanager
    async def __call__(self, trusted_log: TrustedLog) -> AsyncIterator[LogSource]:
        self.opened.append(trusted_log)
        yield self.source


async def link_code(log: Log, url: str, origin: str | None) -> QrPayload:
    issued = await certificates.issue(log, CertificateKind.BUSINESS_REGISTRATION, BAKERY)
    full = await certificates.qr_payload(log, issued.certificate, max_bytes=200, proof_url=url)
    return dataclasses.replace(full, origin=origin)


async def test_a_code_names_its_log_by_the_origin_of_its_head(log: Log) -> None:
    payload = await issued_payload(log)
    assert claimed_origin(payload) == ORIGIN
    assert trusted_log_for(payload, TRUSTED) == TRUSTED[ORIGIN]
    assert trusted_log_for(payload, {}) is None


@pytest.mark.parametrize("offline", [False, True], ids=["online", "offline"])
async def test_a_code_of_an_untrusted_log_is_unknown_and_nothing_is_asked(
    log: Log, offline: bool
) -> None:
    # given a code whose signed head is another log's, proof and all
    foreign = Log(log.records, OTHER)
    payload = await issued_payload(foreign)
    connections = Connections(RecordsSource(foreign))

    # when it is checked by a verifier that trusts only ORIGIN
    verdict = await check(payload, TRUSTED, connect=None if offline else connections)

    # then it is unknown, and no server was contacted
    assert verdict.status == Status.UNKNOWN
    assert "other.test/log" in verdict.reason
    assert connections.opened == []


@pytest.mark.parametrize(
    "origin",
    ["other.test/log", None],
    ids=["untrusted-origin", "no-origin-and-a-link-to-elsewhere"],
)
async def test_a_link_only_code_naming_no_trusted_log_is_unknown_and_nothing_is_asked(
    log: Log, origin: str | None
) -> None:
    payload = await link_code(log, ELSEWHERE, origin)
    connections = Connections(RecordsSource(log))

    verdict = await check(payload, TRUSTED, connect=connections)

    assert verdict.status == Status.UNKNOWN
    assert connections.opened == []


async def test_a_link_only_code_of_a_trusted_log_is_fetched_from_its_server_by_id(
    log: Log,
) -> None:
    # given a code of the trusted log whose link points somewhere else
    payload = await link_code(log, ELSEWHERE, ORIGIN)
    source = RecordsSource(log)
    connections = Connections(source)

    verdict = await check(payload, TRUSTED, BAKERY, connect=connections)

    # then the configured server was opened and asked by id; the link was never used
    assert (verdict.status, verdict.online) == (Status.VALID, True)
    assert connections.opened == [TRUSTED[ORIGIN]]
    assert source.proofs_asked == [payload.claim.cert_id]


async def test_an_old_link_only_code_is_matched_by_its_trusted_servers_link(log: Log) -> None:
    issued = await certificates.issue(log, CertificateKind.BUSINESS_REGISTRATION, BAKERY)
    url = TRUSTED[ORIGIN].proof_url(issued.certificate.cert_id)
    payload = dataclasses.replace(
        await certificates.qr_payload(log, issued.certificate, max_bytes=200, proof_url=url),
        origin=None,
    )
    connections = Connections(RecordsSource(log))

    verdict = await check(payload, TRUSTED, connect=connections)

    assert verdict.status == Status.VALID
    assert connections.opened == [TRUSTED[ORIGIN]]


async def test_a_link_only_code_of_another_origin_is_not_fetched_from_our_source(
    log: Log,
) -> None:
    payload = await link_code(log, ELSEWHERE, "other.test/log")
    source = RecordsSource(log)

    verdict = await check_online(payload, SIGNER.verifier, source)

    assert verdict.status == Status.UNKNOWN
    assert source.proofs_asked == []


async def test_a_head_of_a_trusted_origin_signed_by_another_key_is_unknown(log: Log) -> None:
    # given a code whose head claims the trusted origin but is signed by a stranger's key
    stranger = Log(log.records, Signer(ORIGIN, Ed25519PrivateKey.generate()))
    payload = await issued_payload(stranger)
    connections = Connections(RecordsSource(stranger))

    # then offline and online it is unknown: the trusted key did not sign it
    assert (await check(payload, TRUSTED)).status == Status.UNKNOWN
    verdict = await check(payload, TRUSTED, connect=connections)
    assert verdict.status == Status.UNKNOWN
    assert "not signed by the log we trust" in verdict.reason
