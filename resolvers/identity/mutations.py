"""The identity domain's mutations: enrolment codes, credentials, presentation requests and
their verification. Each returns its result or an IdentityError, never a server error."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from graph.records.api_keys import Tier
from resolvers.core.info import Info
from resolvers.identity.types import (
    Credential,
    CredentialAttributes,
    EnrolmentCode,
    IdentityError,
    PresentationRequestInfo,
    VerifiedPresentation,
)
from zk.credentials import codes
from zk.credentials.attributes import Attribute
from zk.credentials.errors import CredentialError, CredentialErrorCode, IssuerKeyError
from zk.credentials.issuance import CredentialRequest, Issuer
from zk.credentials.verifier import REQUEST_TTL, Verifier

log = logging.getLogger("civicgraph.identity")

EnrolmentCodeResult = Annotated[
    EnrolmentCode | IdentityError, strawberry.union("EnrolmentCodeResult")
]
CredentialResult = Annotated[Credential | IdentityError, strawberry.union("CredentialResult")]
PresentationRequestResult = Annotated[
    PresentationRequestInfo | IdentityError, strawberry.union("PresentationRequestResult")
]
VerifyPresentationResult = Annotated[
    VerifiedPresentation | IdentityError, strawberry.union("VerifyPresentationResult")
]


async def create_enrolment_code(
    info: Info, resident_id: strawberry.ID, days: int = codes.CODE_DAYS
) -> EnrolmentCodeResult:
    context = info.context
    if not context.tier.at_least(Tier.OPERATOR):
        return IdentityError.forbidden("creating an enrolment code", "operator")
    try:
        made = await codes.create_code(context.records, context.store, str(resident_id), days)
    except CredentialError as error:
        return IdentityError.of(error)
    return EnrolmentCode(
        enrolment_code=made.code, resident_id=resident_id, expires_at=made.expires_at
    )


@strawberry.input(description="Signed by the wallet key over epoch, commitment and wallet key.")
class CredentialRequestInput:
    epoch: str = strawberry.field(description="The current month, YYYY-MM (Seoul).")
    commitment: str = strawberry.field(
        description="BBS CommitWithNym to the wallet's nym secrets, with its proof; base64."
    )
    nym_count: int = strawberry.field(description="Nym secrets committed (always 4).")
    wallet_key: str = strawberry.field(description="The wallet's Ed25519 public key, base64.")
    signature: str = strawberry.field(description="Ed25519 signature, base64.")
    enrolment_code: str | None = strawberry.field(
        default=None, description="The city's one-time code, on a wallet's first request."
    )


async def request_credential(info: Info, input: CredentialRequestInput) -> CredentialResult:
    context = info.context
    issuer = Issuer(context.the_log(), context.store, context.the_issuer_keys())
    try:
        request = CredentialRequest.parse(
            input.epoch,
            input.commitment,
            input.nym_count,
            input.wallet_key,
            input.signature,
            input.enrolment_code,
        )
        return Credential.of(await issuer.issue(request))
    except CredentialError as error:
        return IdentityError.of(error)
    except IssuerKeyError as error:
        log.error("credential issuance is paused: %s", error)
        return IdentityError(
            code=CredentialErrorCode.ISSUER_UNAVAILABLE,
            field=None,
            message="issuance is paused until the city restores this month's issuer key",
        )


@strawberry.input
class PresentationRequestInput:
    verifier: str = strawberry.field(description="Who asks, as the resident's wallet shows it.")
    attributes: list[Attribute]
    require: JSON | None = strawberry.field(
        default=None,
        description='Values the disclosed attributes must have, e.g. {"over19": true}.',
    )
    epochs: list[str] | None = strawberry.field(
        default=None, description="Issuer-key months accepted (YYYY-MM); default the current."
    )
    ttl_seconds: int = strawberry.field(
        default=int(REQUEST_TTL.total_seconds()), description="How long the request lives."
    )


async def presentation_request(
    info: Info, input: PresentationRequestInput
) -> PresentationRequestResult:
    context = info.context
    if not context.tier.at_least(Tier.DEVELOPER):
        return IdentityError.forbidden("asking for a presentation", "developer")
    verifier = Verifier(context.records, context.the_issuer_keys().suite)
    if input.require is not None and not isinstance(input.require, dict):
        return IdentityError(
            code=CredentialErrorCode.INVALID, field="require", message="require is an object"
        )
    try:
        made = await verifier.request(
            input.verifier,
            [name.value for name in input.attributes],
            require=input.require,
            epochs=input.epochs,
            ttl=timedelta(seconds=input.ttl_seconds),
        )
    except CredentialError as error:
        return IdentityError.of(error)
    return PresentationRequestInfo.of(made)


async def verify_presentation(info: Info, presentation: JSON) -> VerifyPresentationResult:
    context = info.context
    if not context.tier.at_least(Tier.DEVELOPER):
        return IdentityError.forbidden("verifying a presentation", "developer")
    verifier = Verifier(context.records, context.the_issuer_keys().suite)
    try:
        accepted = await verifier.accept(presentation)
    except CredentialError as error:
        return IdentityError.of(error)
    return VerifiedPresentation(
        key_id=accepted.key_id,
        epoch=accepted.epoch,
        disclosed=CredentialAttributes.of(accepted.disclosed),
    )
