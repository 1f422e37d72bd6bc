"""`issueCertificate`: the city issues a certificate and logs its hash (operator tier)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from graph.records.api_keys import Tier
from ledger import certificates
from ledger.certificates import CertificateError
from ledger.documents import CertificateKind, DocumentError
from resolvers.core.info import Info
from resolvers.trust.errors import TrustError, TrustErrorCode, forbidden
from resolvers.trust.types import Certificate


@strawberry.input
class IssueCertificateInput:
    kind: CertificateKind
    document: JSON = strawberry.field(description="The document's fields, as its kind needs.")


@strawberry.type
class IssueCertificateSuccess:
    certificate: Certificate


IssueCertificateResult = Annotated[
    IssueCertificateSuccess | TrustError, strawberry.union("IssueCertificateResult")
]


async def issue_certificate(info: Info, input: IssueCertificateInput) -> IssueCertificateResult:
    if not info.context.tier.at_least(Tier.OPERATOR):
        return forbidden("issuing a certificate")
    if not isinstance(input.document, dict):
        return TrustError(
            code=TrustErrorCode.INVALID, field="document", message="document must be an object"
        )
    try:
        issued = await certificates.issue(info.context.the_log(), input.kind, input.document)
    except (CertificateError, DocumentError) as error:
        return TrustError.of(error)
    return IssueCertificateSuccess(certificate=Certificate.of(issued.certificate))
