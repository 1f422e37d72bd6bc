"""What can go wrong in the log, typed: one base error, codes for proofs and tree heads."""

from __future__ import annotations

from enum import StrEnum


class LedgerError(Exception):
    """The base of every expected error in `ledger`."""


class ProofErrorCode(StrEnum):
    INDEX_OUT_OF_RANGE = "index_out_of_range"
    SIZE_ORDER = "size_order"
    SIZE_ZERO = "size_zero"
    HASH_SIZE = "hash_size"
    PROOF_SIZE = "proof_size"
    ROOT_MISMATCH = "root_mismatch"


class ProofError(LedgerError):
    """A proof that does not prove what it claims."""

    def __init__(self, code: ProofErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


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


class CheckpointError(LedgerError):
    """A signed tree head that cannot be parsed or whose signature does not verify."""

    def __init__(self, code: CheckpointErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code


class LogError(LedgerError):
    """A request the log cannot answer: an index past the end, sizes out of order."""
