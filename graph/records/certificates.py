"""Certificates as records: the issued document and where the log holds its hash."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from graph.records.db import Records, as_datetime

COLUMNS = (
    "cert_id",
    "kind",
    "document",
    "document_sha256",
    "issued_at",
    "leaf_index",
    "revoked_at",
    "revocation_reason",
    "revocation_leaf",
)


@dataclass(frozen=True)
class CertificateRow:
    cert_id: str
    kind: str
    document: str
    document_sha256: str
    issued_at: datetime
    leaf_index: int
    revoked_at: datetime | None = None
    revocation_reason: str = ""
    revocation_leaf: int | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> CertificateRow:
        revoked = row["revoked_at"]
        leaf = row["revocation_leaf"]
        return cls(
            cert_id=row["cert_id"],
            kind=row["kind"],
            document=row["document"],
            document_sha256=row["document_sha256"],
            issued_at=as_datetime(row["issued_at"]),
            leaf_index=int(row["leaf_index"]),
            revoked_at=as_datetime(revoked) if revoked is not None else None,
            revocation_reason=row["revocation_reason"],
            revocation_leaf=int(leaf) if leaf is not None else None,
        )


async def insert_certificate(
    records: Records, client: BaseDBAsyncClient, certificate: CertificateRow
) -> None:
    """Store a newly issued certificate inside `client`'s transaction (its log append's)."""
    marks = ", ".join(records.placeholders(len(COLUMNS)))
    values = [getattr(certificate, name) for name in COLUMNS]
    await client.execute_query(
        f"INSERT INTO certificate ({', '.join(COLUMNS)}) VALUES ({marks})", values
    )


async def mark_revoked(
    records: Records,
    client: BaseDBAsyncClient,
    cert_id: str,
    at: datetime,
    reason: str,
    leaf_index: int,
) -> bool:
    """Record a revocation inside `client`'s transaction; False if it was already revoked."""
    marks = records.placeholders(4)
    rows = await client.execute_query_dict(
        f"UPDATE certificate SET revoked_at = {marks[0]}, revocation_reason = {marks[1]}, "
        f"revocation_leaf = {marks[2]} WHERE cert_id = {marks[3]} AND revoked_at IS NULL "
        "RETURNING cert_id",
        [at, reason, leaf_index, cert_id],
    )
    return bool(rows)


async def find_certificate(records: Records, cert_id: str) -> CertificateRow | None:
    mark = records.placeholders(1)[0]
    rows = await records.query(
        f"SELECT {', '.join(COLUMNS)} FROM certificate WHERE cert_id = {mark}", [cert_id]
    )
    return CertificateRow.from_row(rows[0]) if rows else None


async def find_certificates(records: Records, cert_ids: Sequence[str]) -> dict[str, CertificateRow]:
    """The certificates among `cert_ids` that exist, by id: one query for the whole batch."""
    wanted = list(dict.fromkeys(cert_ids))
    if not wanted:
        return {}
    marks = ", ".join(records.placeholders(len(wanted)))
    rows = await records.query(
        f"SELECT {', '.join(COLUMNS)} FROM certificate WHERE cert_id IN ({marks})", wanted
    )
    return {row["cert_id"]: CertificateRow.from_row(row) for row in rows}


@dataclass(frozen=True)
class KindCounts:
    """Certificates of one kind: issued and revoked, ever and within one period."""

    kind: str
    issued: int
    issued_within: int
    revoked: int
    revoked_within: int


async def counts_by_kind(records: Records, start: datetime, end: datetime) -> list[KindCounts]:
    """Per kind (kinds with certificates only), the certificates issued and revoked ever and
    in [start, end) (aware datetimes): one query."""
    marks = records.placeholders(4)
    issued = f"issued_at >= {marks[0]} AND issued_at < {marks[1]}"
    revoked = f"revoked_at >= {marks[2]} AND revoked_at < {marks[3]}"
    rows = await records.query(
        "SELECT kind, COUNT(*) AS issued, "
        f"SUM(CASE WHEN {issued} THEN 1 ELSE 0 END) AS issued_within, "
        "SUM(CASE WHEN revoked_at IS NOT NULL THEN 1 ELSE 0 END) AS revoked, "
        f"SUM(CASE WHEN {revoked} THEN 1 ELSE 0 END) AS revoked_within "
        "FROM certificate GROUP BY kind ORDER BY kind",
        [start, end, start, end],
    )
    return [
        KindCounts(
            row["kind"],
            int(row["issued"]),
            int(row["issued_within"] or 0),
            int(row["revoked"] or 0),
            int(row["revoked_within"] or 0),
        )
        for row in rows
    ]
