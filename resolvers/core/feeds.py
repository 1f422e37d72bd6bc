"""What every domain's subscription fields share: the `after` cursor, the gu filter, the
caller's subscription slot, and the feed of events (replayed from the records, then live).

Each field takes server-side filters and an optional `after` (the id of the last event a client
received): missed events are replayed from the records, then live ones follow.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator, Iterator
from contextlib import ExitStack, aclosing, contextmanager, suppress

import strawberry

from graph.records.db import MAX_ROW_ID
from resolvers.core.arguments import checked_districts
from resolvers.core.errors import ApiError, ApiErrorCode
from resolvers.core.info import Info
from resolvers.core.shared_events import SHARED_FEED, FeedSource, SharedFeed
from subscriptions.events import Event, Stream
from subscriptions.fanout import Predicate, Subscription
from subscriptions.live import Live, ResumeTooOld
from subscriptions.slots import OwnerSlots, SlotsExhausted


async def close_feed(first: asyncio.Future[Event], feed: AsyncGenerator[Event, None]) -> None:
    """Cancels the pending first read of `feed`, waits until it has ended, then closes the feed
    (closing an async generator while a read of it still runs raises RuntimeError)."""
    first.cancel()
    with suppress(Exception, asyncio.CancelledError):
        await first
    await feed.aclose()


EVENT_ID = re.compile(r"[0-9]{1,19}")
"""An event id as clients send it back: ASCII digits only (`str.isdigit` also takes "²",
which `int` refuses), at most 19 of them."""


def event_after(value: strawberry.ID | None) -> int | None:
    """The event id `after` names. Raises `bad_cursor` for anything but a decimal integer in
    [0, MAX_ROW_ID] (a larger one overflowed the records drivers)."""
    if value is None:
        return None
    text = str(value)
    if EVENT_ID.fullmatch(text) is None or int(text) > MAX_ROW_ID:
        raise ApiError(
            ApiErrorCode.BAD_CURSOR,
            f"after must be the id of an event: a whole number from 0 to {MAX_ROW_ID}",
            "after",
        )
    return int(text)


async def feed_district(info: Info, district: str | None) -> str | None:
    checked = await checked_districts(info.context, [district] if district is not None else None)
    return checked[0] if checked else None


def live_of(info: Info) -> Live:
    live = info.context.live
    if live is None:
        raise ApiError(ApiErrorCode.INVALID, "subscriptions need a websocket connection")
    return live


@contextmanager
def subscription_slot(info: Info) -> Iterator[None]:
    """Holds one of the caller's subscription slots (put in the request state by the door)
    while the block runs, however it ends; none free is a `too_many_subscriptions` error."""
    request = info.context.request
    slots = request.scope.get("state", {}).get("subscription_slots") if request else None
    with ExitStack() as held:
        if isinstance(slots, OwnerSlots):
            try:
                held.enter_context(slots.hold())
            except SlotsExhausted as full:
                raise ApiError(ApiErrorCode.TOO_MANY_SUBSCRIPTIONS, str(full)) from None
        yield


async def feed(
    info: Info, stream: Stream, district: str | None, accepts: Predicate, after: int | None
) -> AsyncGenerator[Event, None]:
    """The events of `stream` for one subscriber, replayed since `after`, then live, while it
    holds one of its caller's slots. A subscriber offered a `SharedFeed` by the door is handed
    over to it: a live-only one (no `after`) at once, a resumed one once it has caught up (its
    replay over, no live event waiting) and its group runs; from then on this feed yields
    nothing. A group's own stream (a `FeedSource`) is never replayed and reports each event
    before it yields it."""
    shared = SHARED_FEED.get()
    with subscription_slot(info):
        live = live_of(info)
        if isinstance(shared, SharedFeed) and after is None:
            await shared.join(live)
            return
        source = shared if isinstance(shared, FeedSource) else None
        member = shared if isinstance(shared, SharedFeed) else None
        caught_up: list[Subscription] = []
        on_live = source.live if source is not None else caught_up.append
        events = live.events(
            stream,
            district=district,
            accepts=accepts,
            after=after if source is None else None,
            connection=info.context.request if source is None else source,
            replay_window=live.replay_window_for(info.context.tier),
            on_live=on_live,
        )
        joined = False
        try:
            async with aclosing(events):
                async for event in events:
                    if source is not None:
                        source.event(event.id)
                    yield event
                    # a resumed subscriber, replayed and with nothing waiting, joins its group
                    if member is not None and caught_up and caught_up[0].pending() == 0:
                        joined = member.join_now(live, event.id)
                        if joined:
                            break
        except ResumeTooOld as error:
            raise ApiError(ApiErrorCode.OUT_OF_RANGE, str(error), "after") from None
        if joined:
            assert member is not None
            await member.deliver()
