"""Sealed bids (commit, then reveal) and the published scoring formula.

A vendor commits to SHA-256 of the canonical JSON of {contract, vendor, price, delivery days,
nonce} before the deadline, and reveals those values after it; the 32-byte random nonce keeps
the price from being guessed out of the commitment.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from ledger.entries import canonical_json

NONCE = re.compile(r"^[0-9a-f]{64}$")


def new_nonce() -> str:
    return secrets.token_hex(32)


def commitment(
    contract_id: str, vendor_id: str, price_krw: int, delivery_days: int, nonce: str
) -> str:
    """The hex SHA-256 a vendor logs before the deadline."""
    sealed = {
        "contract": contract_id,
        "delivery_days": delivery_days,
        "nonce": nonce,
        "price_krw": price_krw,
        "vendor": vendor_id,
    }
    return hashlib.sha256(canonical_json(sealed)).hexdigest()


@dataclass(frozen=True)
class Offer:
    vendor_id: str
    price_krw: int
    delivery_days: int
    rating: int
    """The vendor's rating (0 to 100) when the contract is evaluated."""


@dataclass(frozen=True)
class Weights:
    price: int
    delivery: int
    rating: int

    def valid(self) -> bool:
        parts = (self.price, self.delivery, self.rating)
        return all(part >= 0 for part in parts) and sum(parts) == 100


PPM = 1_000_000


def score(offer: Offer, best_price: int, best_days: int, weights: Weights) -> Fraction:
    """(wp * best price / price + wd * best days / days + wr * rating / 100) / 100, in [0, 1].

    Each part is relative to the best offer, so the cheapest and fastest get full marks.
    """
    return (
        weights.price * Fraction(best_price, offer.price_krw)
        + weights.delivery * Fraction(best_days, offer.delivery_days)
        + weights.rating * Fraction(offer.rating, 100)
    ) / 100


def rank(offers: Sequence[Offer], weights: Weights) -> list[tuple[Offer, int]]:
    """Offers best first with their scores in parts per million (exact arithmetic; ties go
    to the lower price, then the vendor id)."""
    if not offers:
        return []
    best_price = min(offer.price_krw for offer in offers)
    best_days = min(offer.delivery_days for offer in offers)
    scored = [(score(offer, best_price, best_days, weights), offer) for offer in offers]
    scored.sort(key=lambda pair: (-pair[0], pair[1].price_krw, pair[1].vendor_id))
    return [(offer, int(value * PPM)) for value, offer in scored]
