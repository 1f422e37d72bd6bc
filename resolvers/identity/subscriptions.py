"""The identity domain's subscription field: `pollTally`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry

from resolvers.core.errors import not_found
from resolvers.core.feeds import close_feed, live_of, subscription_slot
from resolvers.core.info import Info
from resolvers.identity.polls import PollTally
from subscriptions.events import Event, Stream
from zk.polls.errors import PollRefusal
from zk.polls.service import tally


@strawberry.type(name="Subscription")
class IdentitySubscription:
    @strawberry.subscription(
        description="A poll's tally: the current one, then a new one after each ballot."
    )
    async def poll_tally(
        self, info: Info, poll_id: strawberry.ID
    ) -> AsyncGenerator[PollTally, None]:
        """Subscribed to the bus before the current tally is read, so no ballot falls in
        between; each update carries the whole tally, and ones older than an update already
        sent (two workers racing) are skipped."""
        with subscription_slot(info):
            live = live_of(info)

            def accepts(event: Event) -> bool:
                return bool(event.data["poll_id"] == str(poll_id))

            connection = info.context.request
            feed = live.events(
                Stream.POLLS, district=None, accepts=accepts, after=None, connection=connection
            )
            # run the feed up to its first wait: from here on the bus queues this poll's events
            first = asyncio.ensure_future(anext(feed))
            await asyncio.sleep(0)
            try:
                current = await tally(info.context.records, str(poll_id))
            except PollRefusal:
                await close_feed(first, feed)
                raise not_found("poll", str(poll_id), "pollId") from None
            sent = current.total
            yield PollTally.of(current)
            try:
                event = await first
                while True:
                    update = PollTally.from_event(event)
                    if update.total_ballots > sent:
                        sent = update.total_ballots
                        yield update
                    event = await anext(feed)
            finally:
                await close_feed(first, feed)
