"""The procurement state machine: its states, its threshold, and its typed refusals."""

from __future__ import annotations

from enum import StrEnum

from ledger.errors import CodedError

THRESHOLD_KRW = 100_000_000
"""Purchases below this run as smart contracts (Seoul's threshold)."""
MANUAL_BASELINE_DAYS = 23.0
"""Seoul's average procurement cycle by the manual process, in days. Source:
../shared/reference/seoul-digital-government.txt, "Smart-contract procurement": "The process
reduces procurement cycle time from an average of 23 days (manual process) to 7 days and
eliminates discretionary judgment calls that could create corruption risk."
"""


class ContractState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    BIDDING = "bidding"
    EVALUATED = "evaluated"
    AWARDED = "awarded"
    DELIVERED = "delivered"
    PAID = "paid"


NEXT: dict[ContractState, tuple[ContractState, ...]] = {
    ContractState.DRAFT: (ContractState.PUBLISHED,),
    ContractState.PUBLISHED: (ContractState.BIDDING, ContractState.EVALUATED),
    ContractState.BIDDING: (ContractState.BIDDING, ContractState.EVALUATED),
    ContractState.EVALUATED: (ContractState.AWARDED,),
    ContractState.AWARDED: (ContractState.DELIVERED,),
    ContractState.DELIVERED: (ContractState.PAID,),
    ContractState.PAID: (),
}
"""Every legal move; anything else is refused."""


class ProcurementErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    WRONG_STATE = "wrong_state"
    OVER_THRESHOLD = "over_threshold"
    LATE_BID = "late_bid"
    DUPLICATE_BID = "duplicate_bid"
    BEFORE_DEADLINE = "before_deadline"
    LATE_REVEAL = "late_reveal"
    BAD_REVEAL = "bad_reveal"
    NO_VALID_BIDS = "no_valid_bids"
    ALREADY_AWARDED = "already_awarded"
    NOT_DELIVERED = "not_delivered"
    WRONG_DEPARTMENT = "wrong_department"
    UNAUTHENTICATED = "unauthenticated"


class ProcurementRefusal(CodedError[ProcurementErrorCode]):
    """A procurement step the rules refuse: an illegal transition or a bad input."""


def require_move(current: str, target: ContractState) -> None:
    """Raise WRONG_STATE unless `current` may move to `target`."""
    state = ContractState(current)
    if target not in NEXT[state]:
        raise ProcurementRefusal(
            ProcurementErrorCode.WRONG_STATE,
            f"a {state.value} contract cannot become {target.value}",
        )
