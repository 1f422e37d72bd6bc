"""What can go wrong in the log, typed: one base error, codes for proofs and tree heads."""

from __future__ import annotations

from enum import StrEnum
from typing import Generic, TypeVar

from graph.errors import CivicGraphError

C = TypeVar("C", bound=StrEnum)


class LedgerError(CivicGraphError):
    """The base of every expected error in `ledger`."""


class CodedError(LedgerError, Generic[C]):
    """An expected error with a code from its domain's enum and, for a bad input, its field."""

    def __init__(self, code: C, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


class ProofErrorCode(StrEnum):
    INDEX_OUT_OF_RANGE = "index_out_of_range"
    SIZE_ORDER = "size_order"
    SIZE_ZERO = "size_zero"
    HASH_SIZE = "hash_size"
    PROOF_SIZE = "proof_size"
    ROOT_MISMATCH = "root_mismatch"


class ProofError(CodedError[ProofErrorCode]):
    """A proof that does not prove what it claims."""


class RootMismatch(ProofError):
    """The proof recomputes a different root from the one given; carries both."""

    def __init__(self, expected: bytes, computed: bytes, what: str = "root") -> None:
        super().__init__(
            ProofErrorCode.ROOT_MISMATCH,
            f"{what} mismatch: expected {expected.hex()}, computed {computed.hex()}",
        )
        self.expected = expected
        self.computed = computed


class CheckpointErrorCode(StrEnum):
    MALFORMED = "malformed"
    WRONG_ORIGIN = "wrong_origin"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"


class CheckpointError(CodedError[CheckpointErrorCode]):
    """A signed tree head that cannot be parsed or whose signature does not verify."""


class LogError(LedgerError):
    """A request the log cannot answer: an index past the end, sizes out of order."""
