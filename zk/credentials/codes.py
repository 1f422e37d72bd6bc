"""One-time enrolment codes: what the city hands a resident (by post, at a counter) so that
their wallet can enrol. Stored hashed; typed by people, so short, unambiguous and grouped."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graph.records import Records
from graph.records.identity import EnrolmentCodeRow, insert_enrolment_code
from graph.storable_text import storable
from graph.store import GraphStore
from zk.credentials.errors import CredentialError, CredentialErrorCode

ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
"""No 0/O, 1/I/L or U: letters people misread."""
GROUPS, GROUP_LEN = 4, 5
CODE_DAYS = 30


def new_code() -> str:
    """`K7QXM-2HJTA-…`: 20 characters of a 30-letter alphabet (98 bits)."""
    letters = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LEN))
    return "-".join(letters[i : i + GROUP_LEN] for i in range(0, len(letters), GROUP_LEN))


def code_hash(code: str) -> str:
    """The stored form: SHA-256 of the code without separators, in capitals."""
    normal = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(normal.encode()).hexdigest()


@dataclass(frozen=True)
class EnrolmentCode:
    code: str
    """Shown once; only its hash is stored."""
    resident_id: str
    expires_at: datetime


async def create_code(
    records: Records,
    graph: GraphStore,
    resident_id: str,
    days: int = CODE_DAYS,
    now: datetime | None = None,
) -> EnrolmentCode:
    """A fresh code for a resident in the graph (any earlier unused code stays valid)."""
    if not 0 < days <= 365:
        raise CredentialError(CredentialErrorCode.INVALID, "a code lasts 1 to 365 days", "days")
    found = await graph.get_nodes("Citizen", [resident_id]) if storable(resident_id) else [None]
    if found[0] is None:
        raise CredentialError(
            CredentialErrorCode.UNKNOWN_RESIDENT, f"no resident {resident_id!r}", "residentId"
        )
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    code = new_code()
    row = EnrolmentCodeRow(code_hash(code), resident_id, now, now + timedelta(days=days), None)
    await insert_enrolment_code(records, row)
    return EnrolmentCode(code, resident_id, row.expires_at)
