"""Certificates: issue, revoke, and every way a code can be valid, revoked, tampered or unknown.

Offline checks need only the verifier key; online checks here ask the records directly through
a small in-process source, as the API does (the e2e test asks a real server).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from tortoise.exceptions import IntegrityError

from graph.records import open_records, sqlite_url
from graph.records.certificates import find_certificate
from ledger import certificates
from ledger.cert_check import Registered, Revocation, Status, check_offline, check_online
from ledger.certificates import CertificateError, CertificateErrorCode
from ledger.checkpoint import Checkpoint, Signer
from ledger.documents import CertificateKind, DocumentError
from ledger.entries import Entry
from ledger.log import Log
from ledger.qr import PayloadError, QrPayload, read_image
from ledger.remote import RemoteError

BAKERY: dict[str, Any] = {
    "business_name": "Gangnam Bakery",
    "registration_number": "123-45-67890",
    "business_type": "bakery",
    "address": "1 Teheran-ro",
    "district_code": "11680",
    "valid_from": "2026-11-01",
}
ORIGIN = "civicgraph.test/log"
SIGNER = Signer(ORIGIN, Ed25519PrivateKey.generate())


@pytest.fixture
async def log(tmp_path: Path) -> AsyncIterator[Log]:
    records = await open_records(sqlite_url(tmp_path / "records.sqlite3"))
    opened = Log(records, SIGNER)
    await opened.append([Entry("test.fact", f"before-{i}", {"n": i}) for i in range(5)])
    yield opened
    await records.close()


class RecordsSource:
    """An online source over the same records (what the GraphQL API serves)."""

    def __init__(self, log: Log) -> None:
        self.log = log
        self.proofs_asked: list[str] = []

    async def head(self) -> str:
        return (await self.log.head()).note

    async def consistency(self, size1: int, size2: int) -> list[bytes]:
        return await self.log.consistency_proof(size1, size2)

    async def registered(self, cert_id: str, tree_size: int) -> Registered | None:
        row = await find_certificate(self.log.records, cert_id)
        if row is None:
            return None
        revocation = None
        if row.revocation_leaf is not None:
            entry = await self.log.entry(row.revocation_leaf)
            proof = await self.log.inclusion_proof(row.revocation_leaf, tree_size)
            revocation = Revocation(row.revocation_leaf, entry.leaf_input, proof)
        return Registered(row.document_sha256, revocation)

    async def full_payload(self, cert_id: str) -> str:
        self.proofs_asked.append(cert_id)
        row = await certificates.certificate(self.log, cert_id)
        return (await certificates.full_payload(self.log, row)).encode()


async def issued_payload(log: Log, document: dict[str, Any] = BAKERY) -> QrPayload:
    issued = await certificates.issue(log, CertificateKind.BUSINESS_REGISTRATION, document)
    return await certificates.full_payload(log, issued.certificate)


async def test_an_issued_certificate_checks_out_offline_and_online(log: Log) -> None:
    payload = await issued_payload(log)
    offline = check_offline(payload, SIGNER.verifier, BAKERY)
    assert offline.status == Status.VALID
    await log.append([Entry("test.fact", "later", {})])  # the log moves on
    online = await check_online(payload, SIGNER.verifier, RecordsSource(log), BAKERY)
    assert (online.status, online.online) == (Status.VALID, True)
    assert online.tree_size == payload.tree_size + 1  # type: ignore[operator]


async def test_a_revoked_certificate_is_valid_offline_and_revoked_online(log: Log) -> None:
    payload = await issued_payload(log)
    await certificates.revoke(log, payload.claim.cert_id, "business closed")
    assert check_offline(payload, SIGNER.verifier).status == Status.VALID
    online = await check_online(payload, SIGNER.verifier, RecordsSource(log))
    assert online.status == Status.REVOKED
    assert "business closed" in online.reason


def flip(value: bytes) -> bytes:
    return bytes([value[0] ^ 1, *value[1:]])


@pytest.mark.parametrize(
    "tamper",
    [
        lambda p: dataclasses.replace(
            p, claim=dataclasses.replace(p.claim, document_sha256="0" * 64)
        ),
        lambda p: dataclasses.replace(
            p, claim=dataclasses.replace(p.claim, kind="building_permit")
        ),
        lambda p: dataclasses.replace(p, claim=dataclasses.replace(p.claim, cert_id="BR-2026-X")),
        lambda p: dataclasses.replace(p, leaf_index=p.leaf_index - 1),
        lambda p: dataclasses.replace(p, tree_size=p.tree_size - 1),
        lambda p: dataclasses.replace(p, proof=(flip(p.proof[0]), *p.proof[1:])),
        lambda p: dataclasses.replace(p, proof=p.proof[:-1]),
        lambda p: dataclasses.replace(p, checkpoint=p.checkpoint.replace("\n6\n", "\n7\n")),
    ],
    ids=[
        "document-hash",
        "kind",
        "id",
        "leaf-index",
        "tree-size",
        "proof-bit",
        "truncated-proof",
        "head-size",
    ],
)
async def test_a_tampered_code_is_caught_offline(log: Log, tamper: Any) -> None:
    payload = tamper(await issued_payload(log))
    assert check_offline(payload, SIGNER.verifier).status == Status.TAMPERED


async def test_another_document_than_the_certified_one_is_tampered(log: Log) -> None:
    payload = await issued_payload(log)
    forged = {**BAKERY, "business_type": "casino"}
    verdict = check_offline(payload, SIGNER.verifier, forged)
    assert verdict.status == Status.TAMPERED
    assert "not the one certified" in verdict.reason


async def test_a_code_signed_by_another_log_is_unknown(log: Log) -> None:
    payload = await issued_payload(log)
    stranger = Signer(ORIGIN, Ed25519PrivateKey.generate())
    head = Checkpoint(ORIGIN, payload.tree_size, b"\x00" * 32)  # type: ignore[arg-type]
    foreign = dataclasses.replace(payload, checkpoint=stranger.sign(head))
    assert check_offline(foreign, SIGNER.verifier).status == Status.UNKNOWN
    assert check_offline(payload, stranger.verifier).status == Status.UNKNOWN


async def test_a_claim_in_the_log_that_the_server_does_not_know_is_unknown_online(
    log: Log,
) -> None:
    payload = await issued_payload(log)
    claim = dataclasses.replace(payload.claim, cert_id="BR-2026-0000000000")
    appended = await log.append([claim.entry()])  # logged, but no certificate row
    orphan = QrPayload(
        claim=claim,
        leaf_index=appended.first_index,
        tree_size=appended.head.size,
        proof=tuple(await log.inclusion_proof(appended.first_index, appended.head.size)),
        checkpoint=appended.head.note,
    )
    assert check_offline(orphan, SIGNER.verifier).status == Status.VALID
    verdict = await check_online(orphan, SIGNER.verifier, RecordsSource(log))
    assert verdict.status == Status.UNKNOWN


async def test_the_qr_code_round_trips_through_an_image(log: Log, tmp_path: Path) -> None:
    payload = await issued_payload(log)
    image = tmp_path / "code.png"
    payload.save_png(image)
    assert QrPayload.decode(read_image(image)) == payload
    assert payload.svg().startswith("<svg")


async def test_a_big_payload_becomes_a_link_that_an_online_check_follows(log: Log) -> None:
    issued = await certificates.issue(log, CertificateKind.BUSINESS_REGISTRATION, BAKERY)
    url = f"http://civicgraph.test/certificates/{issued.certificate.cert_id}/proof"
    payload = await certificates.qr_payload(log, issued.certificate, max_bytes=200, proof_url=url)
    assert payload.by_reference
    assert payload.origin == ORIGIN
    assert QrPayload.decode(payload.encode()) == payload
    assert len(payload.encode()) < 400
    assert check_offline(payload, SIGNER.verifier).status == Status.UNKNOWN
    source = RecordsSource(log)
    online = await check_online(payload, SIGNER.verifier, source)
    assert online.status == Status.VALID
    assert source.proofs_asked == [issued.certificate.cert_id]  # by id, from the source's log


@pytest.mark.parametrize(
    "text",
    ["", "{}", '{"t":"civicgraph-certificate","v":2}', '{"t":"civicgraph-certificate","v":1}'],
    ids=["empty", "no-mark", "future-version", "missing-fields"],
)
def test_text_that_is_no_payload_is_refused(text: str) -> None:
    with pytest.raises(PayloadError):
        QrPayload.decode(text)


def test_an_image_without_a_code_is_refused(tmp_path: Path) -> None:
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("L", (64, 64), 255).save(blank)
    with pytest.raises(PayloadError, match="no QR code"):
        read_image(blank)
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image")
    with pytest.raises(PayloadError, match="cannot read"):
        read_image(junk)


async def test_revoking_twice_or_an_unknown_id_is_a_typed_error(log: Log) -> None:
    payload = await issued_payload(log)
    await certificates.revoke(log, payload.claim.cert_id, "closed")
    size = (await log.head()).size
    with pytest.raises(CertificateError) as twice:
        await certificates.revoke(log, payload.claim.cert_id, "closed again")
    assert twice.value.code == CertificateErrorCode.ALREADY_REVOKED
    with pytest.raises(CertificateError) as unknown:
        await certificates.revoke(log, "BR-2026-NOPE", "closed")
    assert unknown.value.code == CertificateErrorCode.NOT_FOUND
    with pytest.raises(CertificateError) as no_reason:
        await certificates.revoke(log, payload.claim.cert_id, "  ")
    assert no_reason.value.code == CertificateErrorCode.INVALID
    assert (await log.head()).size == size


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"registration_number": "12345"}, "registration_number"),
        ({"district_code": "26110"}, "district_code"),
        ({"valid_from": "yesterday"}, "valid_from"),
        ({"owner_phone": "010-0000-0000"}, "owner_phone"),
    ],
    ids=["bad-number", "not-seoul", "bad-date", "unexpected-field"],
)
async def test_an_invalid_document_is_refused_and_nothing_is_logged(
    log: Log, change: dict[str, str], field: str
) -> None:
    size = (await log.head()).size
    with pytest.raises(DocumentError) as refused:
        await certificates.issue(log, CertificateKind.BUSINESS_REGISTRATION, BAKERY | change)
    assert refused.value.field == field
    assert (await log.head()).size == size


async def test_a_failed_row_write_logs_nothing(log: Log) -> None:
    payload = await issued_payload(log)
    size = (await log.head()).size

    async def clash(client: Any, leaf_index: int) -> None:
        await client.execute_query(
            "INSERT INTO certificate (cert_id, kind, document, document_sha256, issued_at, "
            "leaf_index, revocation_reason) VALUES (?, 'x', '{}', 'x', '2026-01-01', 0, '')",
            [payload.claim.cert_id],
        )

    with pytest.raises(IntegrityError):
        await log.append([Entry("test.fact", "doomed", {})], then=clash)
    assert (await log.head()).size == size


class SplitView(RecordsSource):
    """A log server showing a second head of the same size with another root."""

    async def head(self) -> str:
        real = await self.log.head()
        return SIGNER.sign(Checkpoint(ORIGIN, real.size, bytes(32)))


class Unsure(RecordsSource):
    async def registered(self, cert_id: str, tree_size: int) -> Registered | None:
        raise RemoteError("the server could not say")


async def test_a_split_view_of_the_same_size_is_tampered(log: Log) -> None:
    payload = await issued_payload(log)
    verdict = await check_online(payload, SIGNER.verifier, SplitView(log))
    assert verdict.status == Status.TAMPERED
    assert "inconsistent" in verdict.reason


async def test_a_server_that_cannot_say_is_an_error_not_valid(log: Log) -> None:
    payload = await issued_payload(log)
    with pytest.raises(RemoteError):
        await check_online(payload, SIGNER.verifier, Unsure(log))


def test_a_payload_whose_id_no_leaf_could_hold_is_refused() -> None:
    text = (
        '{"t":"civicgraph-certificate","v":1,"id":"' + "X" * 200 + '","kind":"k","doc":"d",'
        '"at":"a","url":"http://x"}'
    )
    with pytest.raises(PayloadError):
        QrPayload.decode(text)
    with pytest.raises(PayloadError):
        QrPayload.decode("[" * 5000)


async def test_an_event_licence_needs_times_with_a_zone(log: Log) -> None:
    festival = {
        "event_name": "Lantern Festival",
        "venue": "Cheonggyecheon",
        "district_code": "11110",
        "starts_at": "2026-11-06T18:00:00",
        "ends_at": "2026-11-22T23:00:00+09:00",
        "expected_attendance": 1000,
    }
    with pytest.raises(DocumentError) as refused:
        await certificates.issue(log, CertificateKind.EVENT_LICENCE, festival)
    assert refused.value.field == "starts_at"


@pytest.mark.parametrize("gu", ["11110", "11215", "11305", "11545", "11740"])
async def test_every_gu_code_of_seoul_is_a_district(log: Log, gu: str) -> None:
    issued = await certificates.issue(
        log, CertificateKind.BUSINESS_REGISTRATION, BAKERY | {"district_code": gu}
    )
    assert json.loads(issued.certificate.document)["district_code"] == gu


async def test_a_certificate_issued_and_revoked_at_given_times_keeps_them(log: Log) -> None:
    issued_at = datetime(2026, 11, 2, 1, 30, 15, 999, tzinfo=UTC)
    issued = await certificates.issue(
        log, CertificateKind.BUSINESS_REGISTRATION, BAKERY, at=issued_at
    )
    row = issued.certificate
    assert row.issued_at == issued_at.replace(microsecond=0)
    assert (await certificates.certificate(log, row.cert_id)).issued_at == row.issued_at
    size = (await log.head()).size
    with pytest.raises(CertificateError) as early:
        await certificates.revoke(log, row.cert_id, "closed", at=issued_at - timedelta(days=1))
    assert early.value.code == CertificateErrorCode.INVALID
    assert (await log.head()).size == size
    revoked = await certificates.revoke(
        log, row.cert_id, "closed", at=issued_at + timedelta(days=2)
    )
    assert revoked.revoked_at == (issued_at + timedelta(days=2)).replace(microsecond=0)
