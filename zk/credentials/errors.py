"""What can go wrong with credentials, typed: each code is one thing a caller can act on."""

from __future__ import annotations

from enum import StrEnum

from graph.errors import CivicGraphError
from ledger.errors import CodedError


class CredentialErrorCode(StrEnum):
    INVALID = "invalid"
    """A malformed field: wrong length, bad encoding, unknown attribute."""
    INVALID_CODE = "invalid_code"
    CODE_USED = "code_used"
    CODE_EXPIRED = "code_expired"
    NOT_ENROLLED = "not_enrolled"
    UNKNOWN_RESIDENT = "unknown_resident"
    ALREADY_ISSUED = "already_issued"
    BAD_SIGNATURE = "bad_signature"
    WRONG_EPOCH = "wrong_epoch"
    UNKNOWN_REQUEST = "unknown_request"
    EXPIRED = "expired"
    REPLAYED = "replayed"
    EPOCH_NOT_ACCEPTED = "epoch_not_accepted"
    UNKNOWN_KEY = "unknown_key"
    INVALID_PROOF = "invalid_proof"
    NOT_SATISFIED = "not_satisfied"
    FORBIDDEN = "forbidden"
    ISSUER_UNAVAILABLE = "issuer_unavailable"
    """The month's issuer key is missing or wrong on the server: an operator must restore it."""


class CredentialError(CodedError[CredentialErrorCode]):
    """A credential, request or presentation that cannot be accepted as it is."""


class IssuerKeyError(CivicGraphError):
    """The issuer's secret keys on disk do not match what the city published: an operator's
    problem (restore the keys from their backup), never a caller's."""
