"""Model outputs that affect people wait for an analyst, and every decision is a log entry.

A routing below its confidence threshold, every patrol allocation, every outbreak alarm and
every water alarm that would reach residents is *proposed* here and stays pending until an
analyst approves or rejects it (docs/analytics.md). A decision appends one leaf,
`review.approved` or `review.rejected` about the review's id, in the same transaction as the
review's row (and any write of the caller's, such as reassigning the case): the leaf names the
proposal by the SHA-256 of its canonical JSON, so it proves what was decided without copying it.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import orjson
from tortoise.backends.base.client import BaseDBAsyncClient

from graph.catalogue import services
from graph.records import reviews as store
from graph.records.db import Records
from graph.records.reviews import ReviewRow
from ledger.entries import Entry, EntryError, canonical_json
from ledger.log import AlsoWrite, Log
from ml.errors import MLError
from seeds.gu_codes import is_gu

MAX_NOTE = 2000
"""Characters of an analyst's note."""
MAX_SUBJECT = 128
MAX_VERSION = 64
MAX_BY = 200
MAX_PROPOSAL_BYTES = 16_384
"""A proposal's canonical JSON: a department and its runner-up, a gu's counts, a cell set."""


class ReviewKind(StrEnum):
    """What a review holds back, and the model that proposes it (`MODEL_OF`)."""

    CASE_ROUTING = "case_routing"
    """A filed case's department, when the routing is below its confidence threshold."""
    PATROL_ALLOCATION = "patrol_allocation"
    """Every patrol-allocation recommendation (hotspot cells for a shift)."""
    OUTBREAK_ALARM = "outbreak_alarm"
    """Every outbreak alarm, before it notifies anyone."""
    WATER_ALARM = "water_alarm"
    """A water alarm that would reach residents (an advisory); the sensors' rule-based alerts
    (graph/records/alerts.py) do not wait for anyone."""


MODEL_OF: dict[ReviewKind, str] = {
    ReviewKind.CASE_ROUTING: "routing",
    ReviewKind.PATROL_ALLOCATION: "hotspots",
    ReviewKind.OUTBREAK_ALARM: "outbreak",
    ReviewKind.WATER_ALARM: "water",
}
"""The model (ml.registry.MODELS) whose output each kind holds back."""


class ReviewStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ReviewErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    ALREADY_DECIDED = "already_decided"
    INVALID_CORRECTION = "invalid_correction"
    NOTE_TOO_LONG = "note_too_long"
    INVALID_DECIDER = "invalid_decider"
    INVALID_PROPOSAL = "invalid_proposal"
    INVALID_CURSOR = "invalid_cursor"


class ReviewError(MLError):
    """An expected refusal of the review queue: a `code`, and for a bad input its `field`."""

    code: ReviewErrorCode

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ReviewNotFound(ReviewError):
    """No review with that id."""

    code = ReviewErrorCode.NOT_FOUND


class AlreadyDecided(ReviewError):
    """The review was approved or rejected already (perhaps a moment ago by another analyst)."""

    code = ReviewErrorCode.ALREADY_DECIDED


class InvalidCorrection(ReviewError):
    """A correction where none belongs, or a rejected routing without a known department."""

    code = ReviewErrorCode.INVALID_CORRECTION


class NoteTooLong(ReviewError):
    """A note over MAX_NOTE characters."""

    code = ReviewErrorCode.NOTE_TOO_LONG


class InvalidDecider(ReviewError):
    """A decision without the analyst's name (1 to MAX_BY characters)."""

    code = ReviewErrorCode.INVALID_DECIDER


class InvalidProposal(ReviewError):
    """A proposal the queue cannot hold: unknown kind or gu, wrong model, bad or huge JSON."""

    code = ReviewErrorCode.INVALID_PROPOSAL


class InvalidCursor(ReviewError):
    """A page cursor this module did not make."""

    code = ReviewErrorCode.INVALID_CURSOR


@dataclass(frozen=True)
class Review:
    """A review as the domain sees it: the proposal and decision parsed from their JSON.

    `proposal` holds no floats (they became decimal strings when proposed); `decision` is
    {"note": str, "correction": {...} | None} once decided, else None; `leaf_index` is the
    decision's log leaf.
    """

    review_id: str
    model: str
    model_version: str
    kind: ReviewKind
    subject: str
    district_code: str | None
    proposal: Mapping[str, Any]
    proposal_sha256: str
    status: ReviewStatus
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision: Mapping[str, Any] | None
    leaf_index: int | None

    @classmethod
    def from_row(cls, row: ReviewRow) -> Review:
        return cls(
            review_id=row.review_id,
            model=row.model,
            model_version=row.model_version,
            kind=ReviewKind(row.kind),
            subject=row.subject,
            district_code=row.district_code,
            proposal=orjson.loads(row.proposal),
            proposal_sha256=row.proposal_sha256,
            status=ReviewStatus(row.status),
            created_at=row.created_at,
            decided_at=row.decided_at,
            decided_by=row.decided_by,
            decision=orjson.loads(row.decision) if row.decision is not None else None,
            leaf_index=row.leaf_index,
        )


@dataclass(frozen=True)
class Proposed:
    """What `propose` did: the review (new and pending, or the one proposed before, as it stands
    now) and False in `created` if the same output was proposed before."""

    review: Review
    created: bool


def _plain(value: Any, where: str) -> Any:
    """`value` with every float as a decimal string of 6 significant digits (as the
    model.deployed entry writes metrics), so its JSON is canonical; InvalidProposal for a
    non-finite float."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidProposal(
                f"{where} is {value}: a proposal holds finite numbers", "proposal"
            )
        return f"{value:.6g}"
    if isinstance(value, Mapping):
        return {key: _plain(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item, f"{where}[{i}]") for i, item in enumerate(value)]
    return value


def proposal_json(proposal: Mapping[str, Any]) -> bytes:
    """The canonical JSON of a proposal (ledger.entries' form, floats as decimal strings): the
    bytes stored and hashed. InvalidProposal if it cannot be canonical or exceeds
    MAX_PROPOSAL_BYTES."""
    try:
        encoded = canonical_json(_plain(dict(proposal), "proposal"))
    except EntryError as error:
        raise InvalidProposal(f"the proposal is not plain JSON: {error}", "proposal") from None
    if len(encoded) > MAX_PROPOSAL_BYTES:
        raise InvalidProposal(
            f"the proposal is {len(encoded):,} bytes of JSON (at most {MAX_PROPOSAL_BYTES:,})",
            "proposal",
        )
    return encoded


def _department_codes() -> frozenset[str]:
    """The departments a complaint can be routed to: those that own a service (the routing
    model's labels; `data` owns none)."""
    return frozenset(s.department for s in services())


def _check_text(value: str, limit: int, field: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidProposal(f"{field} must be 1 to {limit} characters", field)
    return value


def _pending_key(kind: ReviewKind, model: str, model_version: str, subject: str) -> str:
    joined = "\x00".join((kind.value, model, model_version, subject))
    return hashlib.sha256(joined.encode()).hexdigest()


async def propose(
    records: Records,
    *,
    kind: ReviewKind | str,
    model: str,
    model_version: str,
    subject: str,
    proposal: Mapping[str, Any],
    district_code: str | None = None,
    at: datetime | None = None,
    client: BaseDBAsyncClient | None = None,
) -> Proposed:
    """Queue a model's output for an analyst: `queue(records, proposal_row(...), client=client)`.

    Raises what `proposal_row` and `queue` raise.
    """
    row = proposal_row(
        kind=kind,
        model=model,
        model_version=model_version,
        subject=subject,
        proposal=proposal,
        district_code=district_code,
        at=at,
    )
    return await queue(records, row, client=client)


def proposal_row(
    *,
    kind: ReviewKind | str,
    model: str,
    model_version: str,
    subject: str,
    proposal: Mapping[str, Any],
    district_code: str | None = None,
    at: datetime | None = None,
) -> ReviewRow:
    """The pending review of a model's output, checked and not yet stored (`queue` stores it).

    Checked apart from storing so that a writer can check a proposal before it writes anything
    else and store it in its own transaction (filing a case does).

    `subject` is what the output is about (a case id, "11110/respiratory", a shift's cell set);
    `district_code` its gu, if any; `proposal` the model's output as JSON values (floats become
    6-significant-digit strings; a case_routing proposal names its "department"). Raises
    InvalidProposal for an unknown kind, a model other than the kind's (MODEL_OF), an unknown gu,
    a subject or version that is empty or too long, or a proposal that cannot be canonical JSON.
    Not logged: the model.deployed entry of its version vouches for the output, the decision's
    entry for what was done with it.
    """
    try:
        kind = ReviewKind(kind)
    except ValueError:
        raise InvalidProposal(f"no review kind {kind!r}", "kind") from None
    if model != MODEL_OF[kind]:
        raise InvalidProposal(f"{kind} reviews hold the {MODEL_OF[kind]} model's output", "model")
    _check_text(model_version, MAX_VERSION, "modelVersion")
    _check_text(subject, MAX_SUBJECT, "subject")
    if district_code is not None and not is_gu(district_code):
        raise InvalidProposal(f"{district_code!r} is not a Seoul gu code", "districtCode")
    encoded = proposal_json(proposal)
    if kind is ReviewKind.CASE_ROUTING and proposal.get("department") not in _department_codes():
        raise InvalidProposal("a routing proposes one of the city's departments", "proposal")
    return ReviewRow(
        review_id=f"RV-{secrets.token_hex(6).upper()}",
        model=model,
        model_version=model_version,
        kind=kind.value,
        subject=subject,
        district_code=district_code,
        proposal=encoded.decode(),
        proposal_sha256=hashlib.sha256(encoded).hexdigest(),
        status=ReviewStatus.PENDING.value,
        pending_key=_pending_key(kind, model, model_version, subject),
        created_at=(at or datetime.now(UTC)).astimezone(UTC),
    )


async def queue(
    records: Records, row: ReviewRow, *, client: BaseDBAsyncClient | None = None
) -> Proposed:
    """Store a pending review made by `proposal_row`, once per (kind, model, version, subject),
    ever: a second call returns the first review as it stands, pending or decided (`created`
    False), so scoring the same window again never asks an analyst twice about what one has
    decided. With `client` (from `records.transaction()`), the review commits or rolls back with
    that transaction.
    """
    if await store.insert_pending(records, row, client) is not None:
        return Proposed(Review.from_row(row), created=True)
    found = await store.find_by_key(records, str(row.pending_key), client)
    if found is None:  # the key's row cannot go away: reviews are never deleted
        raise RuntimeError(f"review key of {row.subject} conflicted but holds no review")
    return Proposed(Review.from_row(found), created=False)


async def get(records: Records, review_id: str) -> Review:
    """The review `review_id`; ReviewNotFound if there is none."""
    row = await store.find_review(records, review_id)
    if row is None:
        raise ReviewNotFound(f"no review {review_id[:64]!r}", "id")
    return Review.from_row(row)


def queue_key_of(text: str) -> tuple[datetime, str]:
    """The (created_at in UTC, review_id) of a queue key "ISO 8601 time with offset|RV-…";
    InvalidCursor for anything else, a time that cannot be brought to UTC included (year 1
    at +05:00)."""
    at, separator, review_id = text.partition("|")
    try:
        moment = datetime.fromisoformat(at)
        utc = moment.astimezone(UTC) if moment.tzinfo is not None else None
    except (ValueError, OverflowError):
        utc = None
    if not separator or utc is None or not review_id.startswith("RV-") or "|" in review_id:
        raise InvalidCursor("not a cursor of the review queue", "after")
    return utc, review_id


def _correction(
    review: Review, approve: bool, correction: Mapping[str, Any] | None
) -> dict[str, str] | None:
    """The decision's correction, checked: only a rejected routing has (and needs) one, a known
    department other than the proposed one."""
    routing = review.kind is ReviewKind.CASE_ROUTING
    if approve or not routing:
        if correction is not None:
            raise InvalidCorrection(
                "only a rejected routing carries a correction (the department chosen)",
                "correction",
            )
        return None
    department = (correction or {}).get("department")
    if correction is None or set(correction) != {"department"}:
        raise InvalidCorrection(
            "a rejected routing names the department the case goes to instead", "correction"
        )
    if department not in _department_codes():
        raise InvalidCorrection(
            f"{str(department)[:64]!r} is not a department that handles complaints", "correction"
        )
    if department == review.proposal.get("department"):
        raise InvalidCorrection(
            "rejecting a routing to the same department it proposed: approve it instead",
            "correction",
        )
    return {"department": str(department)}


def decision_entry(
    review: Review, status: ReviewStatus, by: str, at: datetime, note: str, correction: Any
) -> Entry:
    """The leaf of a decision: `review.approved` or `review.rejected` about the review's id.

    The body names the proposal by its SHA-256 and the note by its own (notes are free text and
    may name a resident); it carries the kind, model and version, the subject and gu, the
    analyst, the time (UTC, to the second), the correction, and the proposal's confidence as
    its decimal string when there is one. No floats: ledger/entries.py.
    """
    confidence = review.proposal.get("confidence")
    body = {
        "review_kind": review.kind.value,
        "model": review.model,
        "model_version": review.model_version,
        "subject": review.subject,
        "district_code": review.district_code,
        "proposal_sha256": review.proposal_sha256,
        "confidence": confidence if isinstance(confidence, str) else None,
        "by": by,
        "at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "note_sha256": hashlib.sha256(note.encode()).hexdigest(),
        "correction": correction,
    }
    return Entry(f"review.{status.value}", review.review_id, body)


async def decide(
    log: Log,
    review_id: str,
    approve: bool,
    by: str,
    note: str = "",
    correction: Mapping[str, Any] | None = None,
    then: AlsoWrite | None = None,
    at: datetime | None = None,
) -> Review:
    """An analyst approves or rejects a pending review: one log leaf (`decision_entry`) and the
    review's row, committed together with `then(client, leaf_index)` if given (the caller's
    write, e.g. reassigning the case); if any of them fails, none happens.

    `by` is the analyst key's name; `correction` is {"department": code} for a rejected
    case_routing (required there, refused elsewhere). Raises ReviewNotFound, AlreadyDecided (also
    when another analyst decided first, even a moment before this commits: the row's update is
    conditional on its still being pending, and the losing leaf is rolled back with it),
    InvalidCorrection, NoteTooLong, InvalidDecider.
    """
    if len(note) > MAX_NOTE:
        raise NoteTooLong(f"a note is at most {MAX_NOTE:,} characters", "note")
    if not by.strip() or len(by) > MAX_BY:
        raise InvalidDecider(f"the analyst's name is 1 to {MAX_BY} characters", "by")
    review = await get(log.records, review_id)
    if review.status is not ReviewStatus.PENDING:
        raise AlreadyDecided(f"{review_id} was {review.status} already", "id")
    chosen = _correction(review, approve, correction)
    status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    now = (at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    decision = {"note": note, "correction": chosen}
    entry = decision_entry(review, status, by, now, note, chosen)
    leaf: list[int] = []

    async def write(client: BaseDBAsyncClient, leaf_index: int) -> None:
        decided = await store.record_decision(
            log.records,
            client,
            review_id,
            status=status.value,
            decided_at=now,
            decided_by=by,
            decision=canonical_json(decision).decode(),
            leaf_index=leaf_index,
        )
        if not decided:
            raise AlreadyDecided(f"{review_id} was decided meanwhile by another analyst", "id")
        if then is not None:
            await then(client, leaf_index)
        leaf.append(leaf_index)

    await log.append([entry], then=write)
    return replace(
        review,
        status=status,
        decided_at=now,
        decided_by=by,
        decision=decision,
        leaf_index=leaf[0],
    )
