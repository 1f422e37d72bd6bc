"""What can go wrong with a poll or a ballot, typed."""

from __future__ import annotations

from enum import StrEnum

from ledger.errors import CodedError


class PollErrorCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    NOT_ELIGIBLE = "not_eligible"
    ALREADY_VOTED = "already_voted"
    POLL_CLOSED = "poll_closed"
    NOT_OPEN = "not_open"
    INVALID_PROOF = "invalid_proof"
    FORBIDDEN = "forbidden"


class PollRefusal(CodedError[PollErrorCode]):
    """A poll that cannot be created, or a ballot that cannot be counted."""
