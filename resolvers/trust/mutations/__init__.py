"""Mutations of the trust domain, one per module."""

from resolvers.trust.mutations.certificate_issue import (
    IssueCertificateInput,
    IssueCertificateResult,
    issue_certificate,
)
from resolvers.trust.mutations.certificate_revoke import (
    RevokeCertificateInput,
    RevokeCertificateResult,
    revoke_certificate,
)

__all__ = [
    "IssueCertificateInput",
    "IssueCertificateResult",
    "RevokeCertificateInput",
    "RevokeCertificateResult",
    "issue_certificate",
    "revoke_certificate",
]
