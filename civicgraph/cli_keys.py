"""`civicgraph keys requests|approve|reject|tier|purge`: operators decide key requests, change a
key's tier and purge key requests past their retention, on the records alone (while `serve`
runs). A change reaches running servers within `CIVIC_KEY_CACHE_SECONDS` (their key cache)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, TypeVar

import typer
from rich.markup import escape

from civicgraph.console import console, run
from civicgraph.settings import Settings
from graph.records import Records, api_keys, open_records
from graph.records import api_key_requests as requests
from graph.records.api_key_requests import KeyRequest, Purged, RequestStatus
from graph.records.api_keys import StoredKey, Tier

T = TypeVar("T")
OPERATOR = "cli"
"""Who decided, for a decision made on the command line (a GraphQL one records the key's
prefix)."""
MAX_LISTED = 1_000


class Shown(StrEnum):
    """Which requests `keys requests` lists."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ALL = "all"


class Grant(StrEnum):
    """Tiers an approval may grant."""

    DEVELOPER = "developer"
    ANALYST = "analyst"


async def _with_records(work: Callable[[Records], Awaitable[T]]) -> T:
    records = await open_records(Settings().records_location, migrate=False)
    try:
        return await work(records)
    finally:
        await records.close()


def _shown(text: str) -> str:
    """`text` safe on an operator's terminal: control characters (escape sequences, newlines)
    written as Python escapes, rich markup escaped. A requester wrote it."""
    visible = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return escape(visible)


def keys_requests(
    status: Annotated[Shown, typer.Option(help="pending, approved, rejected or all.")] = (
        Shown.PENDING
    ),
    limit: Annotated[int, typer.Option(help="Most requests listed.", min=1, max=MAX_LISTED)] = 100,
) -> None:
    """List key requests, oldest first, with the requester's contact (personal data)."""
    wanted = None if status is Shown.ALL else RequestStatus(status.value)

    async def work(records: Records) -> list[KeyRequest]:
        return await requests.list_requests(records, wanted, limit=limit)

    found = run(lambda: _with_records(work))
    console.print(f"Key requests ({status.value}): {len(found)}, oldest first", highlight=False)
    for request in found:
        granted = (request.granted_tier or request.tier).value
        key = f" key {request.key_prefix}" if request.key_prefix else ""
        console.print(
            f"{request.request_id}  {request.created_at:%Y-%m-%d %H:%M}  "
            f"{request.status.value}  {granted}  {escape(request.name)!r}  "
            f"<{escape(request.contact)}>{key}",
            soft_wrap=True,
            highlight=False,
        )
        console.print(f"    purpose: {_shown(request.purpose)}", soft_wrap=True, highlight=False)
        if request.reason:
            console.print(f"    reason: {_shown(request.reason)}", soft_wrap=True, highlight=False)


def keys_approve(
    request_id: Annotated[str, typer.Argument(help="The request's id, as `keys requests` shows.")],
    tier: Annotated[
        Grant | None, typer.Option(help="Grant this tier instead of the one asked for.")
    ] = None,
) -> None:
    """Approve a pending key request: the requester's next claim shows the key's secret once."""

    async def work(records: Records) -> KeyRequest:
        granted = Tier(tier.value) if tier is not None else None
        return await requests.approve(
            records, request_id, by=OPERATOR, at=datetime.now(UTC), tier=granted
        )

    decided = run(lambda: _with_records(work))
    granted = (decided.granted_tier or decided.tier).value
    console.print(f"Approved {decided.request_id} as {granted}: the requester claims the key.")


def keys_reject(
    request_id: Annotated[str, typer.Argument(help="The request's id, as `keys requests` shows.")],
    reason: Annotated[str, typer.Option(help="Why, shown to the requester's claim.")],
) -> None:
    """Reject a pending key request, saying why."""

    async def work(records: Records) -> KeyRequest:
        return await requests.reject(
            records, request_id, by=OPERATOR, at=datetime.now(UTC), reason=reason
        )

    decided = run(lambda: _with_records(work))
    console.print(f"Rejected {decided.request_id}.")


def keys_tier(
    prefix: Annotated[str, typer.Argument(help="The key's prefix, as `keys list` shows it.")],
    tier: Annotated[Tier, typer.Argument(help="developer, analyst or operator.")],
) -> None:
    """Give a live key another tier (running servers apply it within CIVIC_KEY_CACHE_SECONDS)."""

    async def work(records: Records) -> StoredKey:
        return await api_keys.set_tier(records, prefix, tier)

    key = run(lambda: _with_records(work))
    console.print(f"Key {key.prefix} ({escape(key.name)}) is now {key.tier.value}.")


def keys_purge() -> None:
    """Delete key requests past CIVIC_KEY_CONTACT_RETENTION_DAYS (serve also does it hourly)."""
    settings = Settings()
    retention = timedelta(days=settings.key_contact_retention_days)

    async def work(records: Records) -> Purged:
        return await requests.purge(records, datetime.now(UTC), retention)

    purged = run(lambda: _with_records(work))
    console.print(
        f"Purged {purged.total} key requests past {retention.days} days: "
        f"{purged.never_decided} never decided, {purged.rejected} rejected, "
        f"{purged.unclaimed} unclaimed, {purged.key_revoked} of revoked keys."
    )
