"""The seed's certificates: issued on past office days, a few revoked, some verified.

Issuance and revocation go through `ledger.certificates` (the `issueCertificate` and
`revokeCertificate` mutations' functions) with the day's time given; a verification is what
the proof door serves (`certificates.full_payload`), counted on its Seoul day through the
same `VerificationTally` a server counts with.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from graph.city_day import SEOUL, city_day
from graph.records.certificates import CertificateRow
from ledger import certificates
from ledger.documents import CertificateKind, canonical_document
from ledger.log import Log
from ledger.verification_tally import VerificationTally

DAYS = 7
"""Certificates are issued on the last 7 days (Seoul), today included."""
PER_DAY = (2, 5)
"""Certificates issued per day, at least and at most."""
REVOKED_SHARE = 0.15
VERIFIED_SHARE = 0.6
"""Shares of the certificates revoked later, and checked by a verifier (1 to 3 times)."""
BUSINESSES = (
    ("Mangwon Bakery", "bakery"),
    ("Seongsu Coffee Roasters", "cafe"),
    ("Euljiro Print Shop", "printing"),
    ("Hannam Design Studio", "design services"),
    ("Sinchon Bicycle Repair", "repair"),
)
EVENTS = (
    ("Hangang Night Market", "Yeouido Hangang Park"),
    ("Seoul Street Arts Festival", "Seoul Plaza"),
    ("Neighbourhood Flea Market", "Mangwon Market"),
)
REASONS = {
    CertificateKind.BUSINESS_REGISTRATION: "the business closed",
    CertificateKind.BUILDING_PERMIT: "the permit was withdrawn after an inspection",
    CertificateKind.EVENT_LICENCE: "the event was cancelled",
}
USES = ("neighbourhood facility", "multi-family housing", "office")


@dataclass(frozen=True)
class CertificatesSeeded:
    issued: int
    revoked: int
    verified: int


def office_time(day: date, now: datetime, chance: random.Random) -> datetime:
    """An instant of `day`'s office hours in Seoul (09:00 to 18:00), never after `now`."""
    opens = datetime.combine(day, time(9), SEOUL)
    return min(opens + timedelta(minutes=chance.uniform(0, 540)), now - timedelta(minutes=1))


def document(
    kind: CertificateKind, number: int, gu: str, day: date, chance: random.Random
) -> dict[str, Any]:
    """A plausible document of `kind` in gu `gu`, checked later by its kind's model."""
    street = f"{chance.randint(1, 240)}, {chance.choice(('Wausan-ro', 'Toegye-ro', 'Yanghwa-ro'))}"
    if kind is CertificateKind.BUSINESS_REGISTRATION:
        name, trade = chance.choice(BUSINESSES)
        return {
            "business_name": name,
            "registration_number": f"{chance.randint(100, 899)}-{chance.randint(10, 99)}-"
            f"{chance.randint(10_000, 99_999)}",
            "business_type": trade,
            "address": street,
            "district_code": gu,
            "valid_from": day.isoformat(),
        }
    if kind is CertificateKind.BUILDING_PERMIT:
        return {
            "permit_number": f"{day:%Y}-BP-{number:04d}",
            "address": street,
            "district_code": gu,
            "structure_use": chance.choice(USES),
            "floor_area_m2": chance.randint(120, 4_000),
            "floors": chance.randint(1, 12),
            "valid_until": (day + timedelta(days=365)).isoformat(),
        }
    event, venue = chance.choice(EVENTS)
    starts = datetime.combine(day + timedelta(days=chance.randint(14, 60)), time(18), SEOUL)
    return {
        "event_name": event,
        "venue": venue,
        "district_code": gu,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=4)).isoformat(),
        "expected_attendance": chance.randint(200, 20_000),
    }


async def seed_certificates(
    log: Log,
    gu: Sequence[str],
    now: datetime,
    chance: random.Random,
    progress: Callable[[int, int], None],
) -> CertificatesSeeded:
    """Issue certificates over the last `DAYS` Seoul days, then revoke and verify some of them
    on later days; the log gets a leaf per issuance and revocation."""
    today = city_day(now)
    plan = [
        office_time(today - timedelta(days=back), now, chance)
        for back in range(DAYS - 1, -1, -1)
        for _ in range(chance.randint(*PER_DAY))
    ]
    plan.sort()
    kinds = list(CertificateKind)
    documents = []
    for number, at in enumerate(plan, 1):
        kind = chance.choice(kinds)
        made = document(kind, number, chance.choice(gu), city_day(at), chance)
        canonical_document(kind, made)  # every document checks out before the first is logged
        documents.append((at, kind, made))
    issued: list[CertificateRow] = []
    for number, (at, kind, made) in enumerate(documents, 1):
        issued.append((await certificates.issue(log, kind, made, at=at)).certificate)
        progress(number, len(documents))
    revoked = 0
    for row in chance.sample(issued, max(1, round(len(issued) * REVOKED_SHARE))):
        later = row.issued_at + (now - row.issued_at) * chance.uniform(0.2, 0.9)
        reason = REASONS[CertificateKind(row.kind)]
        await certificates.revoke(log, row.cert_id, reason, at=later)
        revoked += 1
    tally = VerificationTally(log.records)
    verified = 0
    for row in chance.sample(issued, round(len(issued) * VERIFIED_SHARE)):
        for _ in range(chance.randint(1, 3)):
            await certificates.full_payload(log, await certificates.certificate(log, row.cert_id))
            tally.record(row.issued_at + (now - row.issued_at) * chance.random())
            verified += 1
    await tally.drain()
    return CertificatesSeeded(len(issued), revoked, verified)
