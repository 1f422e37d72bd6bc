"""Resident identity as records: issuer public keys, enrolment codes, wallets, who got an epoch's
credential, and verifiers' presentation requests.

Nothing here holds an attribute the city signed or a secret in the clear: codes are stored
hashed, and `credential_issued` says only that a resident received an epoch's credential.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from graph.records.db import Records, as_datetime


@dataclass(frozen=True)
class IssuerKeyRow:
    key_id: str
    epoch: str
    ciphersuite: str
    public_key: bytes
    created_at: datetime
    leaf_index: int

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> IssuerKeyRow:
        return cls(
            key_id=row["key_id"],
            epoch=row["epoch"],
            ciphersuite=row["ciphersuite"],
            public_key=bytes(row["public_key"]),
            created_at=as_datetime(row["created_at"]),
            leaf_index=int(row["leaf_index"]),
        )


_KEY_COLUMNS = "key_id, epoch, ciphersuite, public_key, created_at, leaf_index"


async def insert_issuer_key(records: Records, client: BaseDBAsyncClient, row: IssuerKeyRow) -> None:
    """Publish an epoch's key inside `client`'s transaction (the log append's)."""
    marks = ", ".join(records.placeholders(6))
    await client.execute_query(
        f"INSERT INTO issuer_key ({_KEY_COLUMNS}) VALUES ({marks})",
        [row.key_id, row.epoch, row.ciphersuite, row.public_key, row.created_at, row.leaf_index],
    )


async def issuer_keys(records: Records) -> list[IssuerKeyRow]:
    """Every published issuer key, oldest epoch first."""
    rows = await records.query(f"SELECT {_KEY_COLUMNS} FROM issuer_key ORDER BY epoch")
    return [IssuerKeyRow.from_row(row) for row in rows]


async def issuer_key_for(records: Records, epoch: str) -> IssuerKeyRow | None:
    mark = records.placeholders(1)[0]
    rows = await records.query(
        f"SELECT {_KEY_COLUMNS} FROM issuer_key WHERE epoch = {mark}", [epoch]
    )
    return IssuerKeyRow.from_row(rows[0]) if rows else None


@dataclass(frozen=True)
class EnrolmentCodeRow:
    code_sha256: str
    resident_id: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> EnrolmentCodeRow:
        used = row["used_at"]
        return cls(
            code_sha256=row["code_sha256"],
            resident_id=row["resident_id"],
            created_at=as_datetime(row["created_at"]),
            expires_at=as_datetime(row["expires_at"]),
            used_at=as_datetime(used) if used is not None else None,
        )


async def insert_enrolment_code(records: Records, row: EnrolmentCodeRow) -> None:
    marks = ", ".join(records.placeholders(5))
    await records.query(
        "INSERT INTO enrolment_code (code_sha256, resident_id, created_at, expires_at, used_at) "
        f"VALUES ({marks})",
        [row.code_sha256, row.resident_id, row.created_at, row.expires_at, row.used_at],
    )


async def find_enrolment_code(records: Records, code_sha256: str) -> EnrolmentCodeRow | None:
    mark = records.placeholders(1)[0]
    rows = await records.query(
        "SELECT code_sha256, resident_id, created_at, expires_at, used_at FROM enrolment_code "
        f"WHERE code_sha256 = {mark}",
        [code_sha256],
    )
    return EnrolmentCodeRow.from_row(rows[0]) if rows else None


async def use_enrolment_code(
    records: Records, client: BaseDBAsyncClient, code_sha256: str, at: datetime
) -> bool:
    """Mark a code used inside `client`'s transaction; False if it was used already.

    The caller checks the expiry on the row it read: times are compared in Python, not as
    SQLite's text.
    """
    marks = records.placeholders(2)
    rows = await client.execute_query_dict(
        f"UPDATE enrolment_code SET used_at = {marks[0]} WHERE code_sha256 = {marks[1]} "
        "AND used_at IS NULL RETURNING code_sha256",
        [at, code_sha256],
    )
    return bool(rows)


async def bind_wallet(
    records: Records, client: BaseDBAsyncClient, resident_id: str, wallet_key: str, at: datetime
) -> None:
    """Make `wallet_key` the resident's wallet (replacing a lost one) in `client`'s transaction."""
    first = records.placeholders(1)[0]
    await client.execute_query(
        f"DELETE FROM resident_wallet WHERE resident_id = {first}", [resident_id]
    )
    marks = ", ".join(records.placeholders(3))
    await client.execute_query(
        f"INSERT INTO resident_wallet (resident_id, wallet_key, enrolled_at) VALUES ({marks})",
        [resident_id, wallet_key, at],
    )


async def resident_of_wallet(records: Records, wallet_key: str) -> str | None:
    mark = records.placeholders(1)[0]
    rows = await records.query(
        f"SELECT resident_id FROM resident_wallet WHERE wallet_key = {mark}", [wallet_key]
    )
    return str(rows[0]["resident_id"]) if rows else None


async def record_issued(
    records: Records, client: BaseDBAsyncClient, resident_id: str, epoch: str, at: datetime
) -> bool:
    """Note that the resident got the epoch's credential; False if they already had it."""
    marks = ", ".join(records.placeholders(3))
    rows = await client.execute_query_dict(
        f"INSERT INTO credential_issued (resident_id, epoch, issued_at) VALUES ({marks}) "
        "ON CONFLICT (resident_id, epoch) DO NOTHING RETURNING id",
        [resident_id, epoch, at],
    )
    return bool(rows)


async def issued_count(records: Records, epoch: str) -> int:
    mark = records.placeholders(1)[0]
    rows = await records.query(
        f"SELECT COUNT(*) AS n FROM credential_issued WHERE epoch = {mark}", [epoch]
    )
    return int(rows[0]["n"])


@dataclass(frozen=True)
class PresentationRequestRow:
    nonce: str
    verifier: str
    request: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PresentationRequestRow:
        used = row["used_at"]
        return cls(
            nonce=row["nonce"],
            verifier=row["verifier"],
            request=row["request"],
            created_at=as_datetime(row["created_at"]),
            expires_at=as_datetime(row["expires_at"]),
            used_at=as_datetime(used) if used is not None else None,
        )


_REQUEST_COLUMNS = "nonce, verifier, request, created_at, expires_at, used_at"


async def insert_presentation_request(records: Records, row: PresentationRequestRow) -> None:
    marks = ", ".join(records.placeholders(6))
    await records.query(
        f"INSERT INTO presentation_request ({_REQUEST_COLUMNS}) VALUES ({marks})",
        [row.nonce, row.verifier, row.request, row.created_at, row.expires_at, row.used_at],
    )


async def find_presentation_request(records: Records, nonce: str) -> PresentationRequestRow | None:
    mark = records.placeholders(1)[0]
    rows = await records.query(
        f"SELECT {_REQUEST_COLUMNS} FROM presentation_request WHERE nonce = {mark}", [nonce]
    )
    return PresentationRequestRow.from_row(rows[0]) if rows else None


async def use_presentation_request(records: Records, nonce: str, at: datetime) -> bool:
    """Spend a request's nonce; False if it was spent already (a replay).

    The caller checks the expiry on the row it read.
    """
    marks = records.placeholders(2)
    rows = await records.query(
        f"UPDATE presentation_request SET used_at = {marks[0]} WHERE nonce = {marks[1]} "
        "AND used_at IS NULL RETURNING nonce",
        [at, nonce],
    )
    return bool(rows)
