"""What each kind of certificate certifies: one strict model per kind, hashed canonically.

A document is canonical JSON (as log entries are: sorted keys, no spaces, UTF-8, no floats),
so its SHA-256 is the same for anyone holding the same facts, whatever their JSON tool wrote.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from ledger.entries import EntryError, canonical_json
from ledger.errors import LedgerError

DistrictCode = Annotated[
    str, Field(pattern=r"^11[0-9]{2}[05]$", description="A Seoul gu code (11110 to 11740)")
]
"""Seoul's 25 gu codes end in 0 or 5: Gwangjin 11215, Gangbuk 11305, Geumcheon 11545."""
Text = Annotated[str, Field(min_length=1, max_length=200)]


class CertificateKind(StrEnum):
    BUSINESS_REGISTRATION = "business_registration"
    BUILDING_PERMIT = "building_permit"
    EVENT_LICENCE = "event_licence"


class DocumentError(LedgerError):
    """A document that does not describe its kind of certificate; `field` names the culprit."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


class BusinessRegistration(_Document):
    business_name: Text
    registration_number: str = Field(pattern=r"^[0-9]{3}-[0-9]{2}-[0-9]{5}$")
    business_type: Text
    address: Text
    district_code: DistrictCode
    valid_from: date


class BuildingPermit(_Document):
    permit_number: Text
    address: Text
    district_code: DistrictCode
    structure_use: Text
    floor_area_m2: int = Field(gt=0, le=10_000_000)
    floors: int = Field(ge=1, le=200)
    valid_until: date


class EventLicence(_Document):
    event_name: Text
    venue: Text
    district_code: DistrictCode
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    expected_attendance: int = Field(ge=1, le=5_000_000)

    @model_validator(mode="after")
    def ends_after_it_starts(self) -> EventLicence:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


MODELS: dict[CertificateKind, type[_Document]] = {
    CertificateKind.BUSINESS_REGISTRATION: BusinessRegistration,
    CertificateKind.BUILDING_PERMIT: BuildingPermit,
    CertificateKind.EVENT_LICENCE: EventLicence,
}


def canonical_document(kind: CertificateKind, document: Mapping[str, Any]) -> bytes:
    """The document checked against its kind's model, as the canonical bytes to store and hash."""
    try:
        model = MODELS[kind].model_validate(dict(document))
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        raise DocumentError(f"{field or 'document'}: {first['msg']}", field) from None
    try:
        return canonical_json(model.model_dump(mode="json"))
    except EntryError as error:
        raise DocumentError(str(error)) from None


def document_hash(canonical: bytes) -> str:
    """SHA-256 of a canonical document, hex."""
    return hashlib.sha256(canonical).hexdigest()
