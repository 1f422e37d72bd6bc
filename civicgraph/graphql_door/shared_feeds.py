"""One stream per group of websocket subscribers asking the same, each result encoded once.

Thousands of apps subscribe to the same few hundred (gu, data type) feeds. A subscriber running
its own stream costs a task wake-up, a generator chain, an execution and an encoding per push;
the same message to the same group was built once per subscriber. Here, a subscription whose
events are the same for every subscriber (`resolvers.core.shared_events.shares_every_event`)
joins the group of its document, operation name, variables (all but the one giving `after`)
and caller's tier (a result's `extensions.cost` names it): a live-only one (no `after`) at
once, a resumed one once its replay is over and it has caught up, if the group's stream runs
already. The group runs one Strawberry stream (extensions, errors, response limit as for
anyone), encodes each result's payload once, and hands the same text to every member. A member
only splices its operation id in front and writes the frame: at once, in the group's step, when
its socket takes it without waiting (`eager.start_eagerly`); otherwise from a task of its own,
which then writes what queued behind, so one slow socket never holds the group.

A member's own operation still runs Strawberry's validation, the caller's slot and quota, and
the gu check before it is handed over (`resolvers.core.feeds.feed`). A member that, as a new
batch of events (one publish) comes, still holds more than the live queue's capacity of unsent
pushes is cut off as a subscriber on its own stream is: its connection closed with
CLOSE_TOO_SLOW and the id to resume after (its last event sent). The group's stream falling
behind cuts off every member the same way. The group ends when its last member leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import sys
from collections import deque
from collections.abc import Coroutine, Mapping
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

import orjson
from graphql import GraphQLError
from starlette.websockets import WebSocket
from strawberry.types.execution import PreExecutionError

from civicgraph.graphql_door.direct_frames import OutgoingText, direct_transport, write_frame
from civicgraph.graphql_door.eager import start_eagerly
from civicgraph.graphql_door.encode import encode_json
from civicgraph.graphql_door.results import encode_unlimited, too_large_result
from civicgraph.graphql_door.server_send import close_watch, frame_send
from graph.records.api_keys import Tier
from graph.usage import UsageMark
from resolvers.core.context import Context
from resolvers.core.operation_guard import get_operation, parse_document
from resolvers.core.shared_events import (
    SHARED_FEED,
    FeedSource,
    SharedFeed,
    resume_variable,
    shares_every_event,
)
from subscriptions.fanout import BatchAllowance, Subscription
from subscriptions.live import CLOSE_TOO_SLOW, Live, too_slow_reason

if TYPE_CHECKING:
    from strawberry import Schema

log = logging.getLogger("civicgraph.graphql")

GroupKey = tuple[str, str | None, bytes, Tier]
"""(document, operation name, variables as canonical JSON without the one giving `after`, the
caller's tier): a result's `extensions.cost` names the tier and its budget, so callers of
different tiers are in different groups."""

TRANSPORT_WS_NEXT = '{{"id":{id},"type":"next","payload":'
"""graphql-transport-ws: a `next` message, up to its payload."""
LEGACY_WS_DATA = '{{"type":"data","id":{id},"payload":'
"""Legacy graphql-ws: a `data` message, up to its payload."""


async def payload_text(result: Any, max_bytes: int) -> str:
    """The payload of a result message, as both protocols send it (`data`, then `errors` and
    `extensions` when present), as JSON text; over `max_bytes` bytes it is replaced by
    `{"data": null, "errors": [response_too_large]}`, as `results.encode_message` does."""
    payload: dict[str, object] = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    encoded = await encode_json(payload, max_bytes)
    if encoded is None:
        encoded = await encode_unlimited(too_large_result(max_bytes))
    return encoded.decode()


class SharedFeeds:
    """The groups of one GraphQL app (one per door, so per schema)."""

    def __init__(self, schema: Schema, max_tokens: int, max_response_bytes: int) -> None:
        self.schema = schema
        self.max_tokens = max_tokens
        self.max_response_bytes = max_response_bytes
        self.groups: dict[GroupKey, Group] = {}

    def offer(
        self,
        websocket: WebSocket,
        context: Context,
        operation_id: str,
        message_start: str,
        request: Mapping[str, Any],
    ) -> Member | None:
        """A `SharedFeed` for one operation (`request`: its `query`, `operationName`,
        `variables`, already checked by the door) of the socket `websocket`, whose messages
        start with `message_start` (TRANSPORT_WS_NEXT or LEGACY_WS_DATA); None when the
        operation's results may differ between subscribers (or it does not parse: Strawberry
        answers that)."""
        query, name = request["query"], request.get("operationName") or None
        try:
            operation = get_operation(parse_document(query, self.max_tokens), name)
        except GraphQLError:
            return None
        if not shares_every_event(self.schema._schema, operation):
            return None
        given = dict(request.get("variables") or {})
        given.pop(resume_variable(operation) or "", None)  # a resumed one joins once caught up
        variables = orjson.dumps(given, option=orjson.OPT_SORT_KEYS)
        # one string object for every member with this id: a push looks its frame up by it
        prefix = sys.intern(message_start.format(id=orjson.dumps(operation_id).decode()))
        return Member(self, (query, name, variables, context.tier), websocket, context, prefix)

    def group_for(self, member: Member, live: Live) -> Group:
        """The group `member` belongs to, started with `member`'s context if it is the first."""
        group = self.groups.get(member.key)
        if group is None or group.ended:
            group = self.groups[member.key] = Group(self, member.key, member.context, live)
        return group

    def left(self, group: Group) -> None:
        """`group` lost a member: with none left, its stream stops."""
        if not group.members and not group.ended:
            group.stop()


class Group(FeedSource):
    """The subscribers of one document, operation name and variables, fed by one stream."""

    def __init__(self, feeds: SharedFeeds, key: GroupKey, context: Context, live: Live) -> None:
        self.feeds = feeds
        self._counts = live
        self.key = key
        self.members: dict[Member, None] = {}
        """In joining order (a dict keeps it, and leaving is O(1))."""
        self.current: int | None = None
        self.batch = -1
        """The delivery batch (`subscriptions.fanout`) the current event came in."""
        self.ended = False
        self._subscription: Subscription | None = None
        self._live = asyncio.Event()
        # The stream's own context: the first member's stores, limits and tier (the group's),
        # no connection (so no slot of its own: each member holds one), no caller key or IP,
        # and nothing remembered per request.
        detached = dataclasses.replace(
            context,
            request=None,
            response=None,
            caller_key=None,
            client_ip=None,
            usage=UsageMark(),
            known_nodes={},
            _loaders={},
        )
        self._task = asyncio.get_running_loop().create_task(self._run(detached))

    def is_live(self) -> bool:
        return self._live.is_set() and not self.ended

    async def started(self) -> bool:
        """Waits until the stream is live (True) or has ended before (False)."""
        if self._live.is_set():
            return not self.ended
        waiting = asyncio.ensure_future(self._live.wait())
        try:
            await asyncio.wait([waiting, self._task], return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting.cancel()
        return self._live.is_set() and not self.ended

    def live(self, subscription: Subscription) -> None:
        self._subscription = subscription
        self._counts.shared_streams += 1
        self._live.set()

    def event(self, event_id: int) -> None:
        self.current = event_id
        if self._subscription is not None:
            self.batch = self._subscription.batch

    def cut_off(self, resume_after: int) -> None:
        for member in tuple(self.members):
            member.cut_off(resume_after)

    def stop(self) -> None:
        """Ends the group now: a subscriber joining from here on starts a new one (the task
        only ends once it runs again)."""
        self._forget()
        self._task.cancel()

    def _forget(self) -> None:
        self.ended = True
        if self.feeds.groups.get(self.key) is self:
            del self.feeds.groups[self.key]

    async def _run(self, context: Context) -> None:
        SHARED_FEED.set(self)  # this task's own context: what `feed` reports to
        query, name, variables, _tier = self.key
        try:
            stream = await self.feeds.schema.subscribe(
                query,
                variable_values=orjson.loads(variables),
                context_value=context,
                operation_name=name,
            )
            async with aclosing(stream):
                async for result in stream:
                    if isinstance(result, PreExecutionError):  # each member ran it already
                        log.warning("a shared subscription stream was refused: %s", result.errors)
                        return
                    text = await payload_text(result, self.feeds.max_response_bytes)
                    messages: dict[str, OutgoingText] = {}  # one per operation id, shared
                    for member in tuple(self.members):
                        member.push(self.current, self.batch, text, messages)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("a shared subscription stream failed; its subscribers are completed")
        finally:
            if self._subscription is not None:
                self._counts.shared_streams -= 1
            self._forget()
            for member in tuple(self.members):
                member.wake()


class Member(SharedFeed):
    """One websocket operation delivered by its group. A push is written at once when nothing
    of this member's is being written or waiting; the rest of a write that has to wait for the
    socket, and the pushes that come meanwhile (in an outbox), are written by a writer task of
    its own (awaited by the operation's task)."""

    def __init__(
        self, feeds: SharedFeeds, key: GroupKey, websocket: WebSocket, context: Context, prefix: str
    ) -> None:
        self.feeds = feeds
        self.key = key
        self.websocket = websocket
        self.send = frame_send(websocket)
        self._close_watch = close_watch(websocket)
        self.transport = direct_transport(self.send) if self._close_watch is not None else None
        """Where this member's frames are written straight to (direct_frames.py), until the app
        closes the socket; None: through `send`."""
        self.context = context
        self.prefix = prefix
        self.outbox: deque[tuple[int | None, str]] = deque()
        self._allowance = BatchAllowance(0)
        self.sent: int | None = None
        """The id of the last event written to the socket."""
        self.resume_after: int | None = None
        """Once cut off: where the subscriber resumes without a gap."""
        self.skip_through: int | None = None
        """Events up to this id reached the subscriber before it joined (a resumed one)."""
        self._live: Live | None = None
        self._joined: Group | None = None
        self._waiter: asyncio.Future[None] | None = None
        """Pending while the writer task waits for a push, with nothing queued, being written or
        refused, not cut off: a push is then written at once, in `push`. The operation's end (the
        client's `complete`) cancels it at once, before the writer task has ended."""
        self._unfinished: Coroutine[Any, Any, None] | None = None
        """The rest of a write begun in `push` that had to wait for the socket."""
        self._gone = False
        """A write begun in `push` raised (the client went, or the socket is closed)."""

    async def join(self, live: Live) -> None:
        group = self.feeds.group_for(self, live)
        # a member before the stream is live: the group stops only with its last member,
        # not when the one that started it leaves while others still wait for it
        self._enter(group, live, None)
        await self._serve(group, live, wait_until_live=True)

    def join_now(self, live: Live, after: int) -> bool:
        group = self.feeds.groups.get(self.key)
        if group is None or not group.is_live():
            return False
        self._enter(group, live, after)
        self._joined = group
        return True

    async def deliver(self) -> None:
        assert self._joined is not None, "join_now first"
        assert self._live is not None
        await self._serve(self._joined, self._live)

    def _enter(self, group: Group, live: Live, after: int | None) -> None:
        """Becomes a member of `group` (no await: nothing published meanwhile is missed),
        having been sent every event up to `after` already."""
        self._live, self._allowance = live, BatchAllowance(live.queue_size)
        self.sent = self.skip_through = after
        group.members[self] = None
        live.shared_members += 1
        if self._close_watch is not None:
            self._close_watch.add(self._socket_closing)

    async def _serve(self, group: Group, live: Live, *, wait_until_live: bool = False) -> None:
        """Writes this member's pushes until it leaves, is cut off or the group ends; then
        leaves the group (which stops with its last member)."""
        try:
            if wait_until_live and not await group.started():
                return
            # its own task: a push wakes this one frame, not the operation's whole chain of
            # awaits (Strawberry's handler, graphql-core's iterator, the field's generator)
            writer = asyncio.get_running_loop().create_task(self._deliver(group))
            try:
                await writer
            finally:
                writer.cancel()
        finally:
            if group.members.pop(self, 0) is None:
                live.shared_members -= 1
            if self._close_watch is not None:
                self._close_watch.discard(self._socket_closing)
            self.feeds.left(group)

    def _socket_closing(self) -> None:
        """The app is closing the socket: no frame is written past `send` from here on."""
        self.transport = None

    async def _deliver(self, group: Group) -> None:
        loop = asyncio.get_running_loop()
        try:
            await self._write_queued(group, loop)
        finally:
            if self._unfinished is not None:  # cancelled before it was awaited
                self._unfinished.close()
                self._unfinished = None

    async def _write_queued(self, group: Group, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            if self._unfinished is not None:
                unfinished, self._unfinished = self._unfinished, None
                try:
                    await unfinished
                except Exception:  # the client went: Strawberry's handler ends the operation
                    return
            if self._gone:
                return
            while self.outbox and self.resume_after is None:
                event_id, text = self.outbox.popleft()
                if event_id is not None:  # handed over: written ahead of any close frame
                    self.sent = event_id
                try:
                    await self.send({"type": "websocket.send", "text": self.prefix + text + "}"})
                except Exception:  # the client went: Strawberry's handler ends the operation
                    return
            if self.resume_after is not None:
                with contextlib.suppress(Exception):
                    await self.websocket.close(CLOSE_TOO_SLOW, too_slow_reason(self.resume_after))
                return
            if group.ended:
                return
            self._waiter = loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    def push(
        self,
        event_id: int | None,
        batch: int,
        text: str,
        messages: dict[str, OutgoingText] | None = None,
    ) -> None:
        """Queues one result (of event `event_id`, delivered in `batch`) for this subscriber;
        never blocks. Past the live queue's `BatchAllowance` (as a subscriber on its own stream),
        it is cut off, told to resume after its last event sent. `messages` holds this push's
        texts by operation-id prefix (each with its ASGI message and its frame), shared by the
        members of a group whose operations have the same id (the server only reads them)."""
        if self.resume_after is not None:
            return
        if event_id is not None and self.skip_through is not None and event_id <= self.skip_through:
            return  # the group was still behind it when it joined
        parked = self._parked()  # then nothing is held: the queue is not looked at
        if not self._allowance.admits(batch, 0 if parked else len(self.outbox)):
            self.cut_off((event_id or 1) - 1)
            return
        if parked:
            self._write_now(event_id, text, {} if messages is None else messages)
            return
        self.outbox.append((event_id, text))
        self.wake()

    def _parked(self) -> bool:
        """The writer task waits for a push (`_waiter`)."""
        return self._waiter is not None and not self._waiter.done()

    def _write_now(
        self, event_id: int | None, text: str, messages: dict[str, OutgoingText]
    ) -> None:
        """Writes one push in the caller's step: its frame straight to the socket when it can
        take it (direct_frames.py), else through the server's `send`, what has to wait for the
        socket going on in the writer task, woken for it."""
        if event_id is not None:  # handed over: written ahead of any close frame
            self.sent = event_id
        outgoing = messages.get(self.prefix)
        if outgoing is None:
            outgoing = messages[self.prefix] = OutgoingText(self.prefix + text + "}")
        if self.transport is not None and write_frame(self.transport, outgoing.frame()):
            return
        try:
            self._unfinished = start_eagerly(self.send(outgoing.message))
        except Exception:  # the client went: the writer ends, and the operation with it
            self._gone = True
        if self._unfinished is not None or self._gone:
            self.wake()

    def cut_off(self, resume_after: int) -> None:
        """Ends this subscriber's delivery: its connection is closed as too slow, telling it to
        resume after its last event sent; when it was sent none, just before the first one it
        holds unsent, or `resume_after` (where the group was) when it holds none either."""
        if self.resume_after is not None:
            return
        unsent = self.outbox[0][0] if self.outbox else None
        if self.sent is not None:
            self.resume_after = self.sent
        elif unsent is not None:
            self.resume_after = unsent - 1
        else:
            self.resume_after = resume_after
        self.outbox.clear()
        if self._live is not None:
            self._live.too_slow += 1
        self.wake()

    def wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
