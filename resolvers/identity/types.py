"""GraphQL types of the identity domain."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from graph.records.identity import IssuerKeyRow
from resolvers.core.error_interface import Error, code_field
from zk.credentials.attributes import Attribute, ResidentAttributes
from zk.credentials.epochs import Epoch
from zk.credentials.errors import CredentialError, CredentialErrorCode
from zk.credentials.issuance import IssuedCredential
from zk.credentials.issuer_keys import b64
from zk.credentials.presentation import PresentationRequest

# The zk enums themselves become the GraphQL enums (strawberry marks the class and returns it).
strawberry.enum(CredentialErrorCode, name="IdentityErrorCode")
strawberry.enum(Attribute, name="CredentialAttribute", description="What a credential attests.")


@strawberry.type(description="A user mistake or a refusal in an identity mutation.")
class IdentityError(Error):
    code: str = code_field("IdentityErrorCode")

    @classmethod
    def of(cls, error: CredentialError) -> IdentityError:
        return cls(code=error.code, field=error.field, message=str(error))

    @classmethod
    def forbidden(cls, action: str, tier: str) -> IdentityError:
        return cls(
            code=CredentialErrorCode.FORBIDDEN,
            field=None,
            message=f"{action} needs the {tier} tier",
        )


@strawberry.type(description="One month's credential issuer key, as published in the log.")
class IssuerKey:
    key_id: str
    epoch: str
    ciphersuite: str
    public_key: str = strawberry.field(description="Compressed G2 point, base64.")
    valid_from: datetime
    valid_until: datetime
    log_index: int = strawberry.field(description="The `issuer.key` leaf that published it.")

    @classmethod
    def of(cls, row: IssuerKeyRow) -> IssuerKey:
        epoch = Epoch.parse(row.epoch)
        return cls(
            key_id=row.key_id,
            epoch=row.epoch,
            ciphersuite=row.ciphersuite,
            public_key=b64(row.public_key),
            valid_from=epoch.starts,
            valid_until=epoch.ends,
            log_index=row.leaf_index,
        )


@strawberry.type(description="Attribute values; an attribute not disclosed is null.")
class CredentialAttributes:
    district: str | None = None
    over19: bool | None = None
    over65: bool | None = None
    welfare: bool | None = None

    @classmethod
    def of(cls, values: Mapping[Attribute, str | bool]) -> CredentialAttributes:
        return cls(**{name.value: value for name, value in values.items()})  # type: ignore[arg-type]

    @classmethod
    def all_of(cls, attributes: ResidentAttributes) -> CredentialAttributes:
        return cls(
            district=attributes.district,
            over19=attributes.over19,
            over65=attributes.over65,
            welfare=attributes.welfare,
        )


@strawberry.type(description="A resident credential: the wallet keeps it and proves from it.")
class Credential:
    key_id: str
    epoch: str
    ciphersuite: str
    public_key: str = strawberry.field(description="The issuer key, base64.")
    header: str = strawberry.field(description="The signed BBS header, base64.")
    attributes: CredentialAttributes
    signature: str = strawberry.field(description="The blind BBS signature, base64.")
    signer_nym_entropy: str = strawberry.field(
        description="The city's share of the last nym secret (32 bytes, base64): the wallet "
        "adds it to its own to finalize the credential."
    )

    @classmethod
    def of(cls, issued: IssuedCredential) -> Credential:
        return cls(
            key_id=issued.key_id,
            epoch=issued.epoch,
            ciphersuite=issued.ciphersuite,
            public_key=b64(issued.public_key),
            header=b64(issued.header),
            attributes=CredentialAttributes.all_of(issued.attributes),
            signature=b64(issued.signature),
            signer_nym_entropy=b64(issued.signer_nym_entropy.to_bytes(32, "big")),
        )


@strawberry.type(description="A one-time code to hand a resident; shown only this once.")
class EnrolmentCode:
    enrolment_code: str = strawberry.field(description="Hand it to the resident, e.g. by post.")
    resident_id: strawberry.ID
    expires_at: datetime


@strawberry.type(description="A verifier's request: give `request` to the resident's wallet.")
class PresentationRequestInfo:
    nonce: str
    verifier: str
    attributes: list[Attribute]
    epochs: list[str]
    expires_at: datetime
    request: JSON = strawberry.field(description="The request as the wallet reads it.")

    @classmethod
    def of(cls, request: PresentationRequest) -> PresentationRequestInfo:
        return cls(
            nonce=request.nonce,
            verifier=request.verifier,
            attributes=list(request.attributes),
            epochs=list(request.epochs),
            expires_at=request.expires_at,
            request=cast(JSON, request.to_json()),
        )


@strawberry.type(description="An accepted presentation: what it disclosed, under which key.")
class VerifiedPresentation:
    key_id: str
    epoch: str
    disclosed: CredentialAttributes
