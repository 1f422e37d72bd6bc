"""What a resident credential says, and how it becomes BBS messages.

The signer's messages, in signing order: district code, over 19, over 65, welfare
eligibility. After them the signature covers the wallet's blind factor and its NYM_COUNT nym
secrets, committed blindly at issuance (BBS pseudonyms): the city never learns them, so a
credential is useless without the wallet that holds them, and they give the wallet one
pseudonym per poll. The BBS header names the schema and the issuer key, so a proof always
shows which epoch's key signed it and nothing else about when.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ledger.entries import canonical_json
from zk.credentials.epochs import Epoch
from zk.credentials.errors import CredentialError, CredentialErrorCode

SCHEMA = "civicgraph.resident/2"
NYM_COUNT = 4
"""Nym secrets per credential, the same for everyone (a different N would tell residents
apart). Pseudonyms stay unlinkable even to a quantum adversary while a credential shows
pseudonyms in fewer than N contexts (the draft's limited everlasting unlinkability): four
covers the polls a resident meets in one month's credential; presentations show none."""
_DISTRICT = re.compile(r"11\d{3}")


class Attribute(StrEnum):
    DISTRICT = "district"
    OVER19 = "over19"
    OVER65 = "over65"
    WELFARE = "welfare"


ORDER: tuple[Attribute, ...] = tuple(Attribute)
"""Message index of each attribute."""


def attribute(name: str, field: str = "attributes") -> Attribute:
    try:
        return Attribute(name)
    except ValueError:
        known = ", ".join(a.value for a in Attribute)
        raise CredentialError(
            CredentialErrorCode.INVALID, f"unknown attribute {name!r} (known: {known})", field
        ) from None


@dataclass(frozen=True)
class ResidentAttributes:
    """A resident's attributes as the issuer read them for one epoch."""

    district: str
    over19: bool
    over65: bool
    welfare: bool

    @classmethod
    def of_citizen(cls, citizen: Mapping[str, Any], epoch: Epoch) -> ResidentAttributes:
        """From a Citizen node. Age counts in years as of the epoch's year (the record holds
        the birth year only, the rule Korea's Juvenile Protection Act uses for 19)."""
        age = epoch.year - int(citizen["birth_year"])
        return cls(
            district=str(citizen["district_code"]),
            over19=age >= 19,
            over65=age >= 65,
            welfare=bool(citizen["welfare_eligible"]),
        )

    def value(self, name: Attribute) -> str | bool:
        value: str | bool = getattr(self, name.value)
        return value

    def as_dict(self) -> dict[str, str | bool]:
        return {name.value: self.value(name) for name in ORDER}


def encode_value(name: Attribute, value: object, field: str = "disclosed") -> bytes:
    """The message bytes of one attribute's value: a district code, or `true`/`false`."""
    if name is Attribute.DISTRICT:
        if not isinstance(value, str) or _DISTRICT.fullmatch(value) is None:
            raise CredentialError(
                CredentialErrorCode.INVALID,
                f"a district is a 5-digit gu code, not {value!r}",
                field,
            )
        return value.encode()
    if type(value) is not bool:
        raise CredentialError(CredentialErrorCode.INVALID, f"{name.value} is true or false", field)
    return b"true" if value else b"false"


def messages(attributes: ResidentAttributes) -> list[bytes]:
    """The signer's messages: every attribute, in ORDER."""
    return [encode_value(name, attributes.value(name)) for name in ORDER]


def header(key_id: str) -> bytes:
    """The BBS header every resident credential of `key_id` carries (disclosed in proofs)."""
    return canonical_json({"key": key_id, "schema": SCHEMA})


def presentation_header(verifier: str, nonce: str) -> bytes:
    """Binds a proof to one verifier's one request: another verifier or nonce fails it."""
    return canonical_json({"nonce": nonce, "verifier": verifier})


def indexes(names: Sequence[Attribute]) -> list[int]:
    return sorted(ORDER.index(name) for name in set(names))
