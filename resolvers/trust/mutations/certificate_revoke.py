"""`revokeCertificate`: the city revokes a certificate with a log entry (operator tier)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.records.api_keys import Tier
from ledger import certificates
from ledger.certificates import CertificateError
from resolvers.core.info import Info
from resolvers.trust.errors import TrustError, forbidden
from resolvers.trust.types import Certificate


@strawberry.input
class RevokeCertificateInput:
    id: strawberry.ID
    reason: str


@strawberry.type
class RevokeCertificateSuccess:
    certificate: Certificate


RevokeCertificateResult = Annotated[
    RevokeCertificateSuccess | TrustError, strawberry.union("RevokeCertificateResult")
]


async def revoke_certificate(info: Info, input: RevokeCertificateInput) -> RevokeCertificateResult:
    if not info.context.tier.at_least(Tier.OPERATOR):
        return forbidden("revoking a certificate")
    try:
        row = await certificates.revoke(info.context.the_log(), str(input.id), input.reason)
    except CertificateError as error:
        return TrustError.of(error)
    return RevokeCertificateSuccess(certificate=Certificate.of(row))
