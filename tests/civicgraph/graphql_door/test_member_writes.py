"""A shared feed's member writes a push in the group's own step when its socket takes it at once;
a write that has to wait goes on in the member's task, ahead of what queued behind it; a socket
that refuses the write ends the member (civicgraph/graphql_door/shared_feeds.py, `Member`).

The socket is a stand-in with uvicorn's behaviour (a `send` that waits on an `asyncio.Event`
while the transport's buffer is over its mark); the end-to-end cases, with real sockets and a
stalled client, are tests/e2e/test_shared_feeds.py."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, cast

import pytest

from civicgraph.graphql_door.direct_frames import OutgoingText
from civicgraph.graphql_door.server_send import CLOSE_WATCH, SERVER_SEND, CloseWatch
from civicgraph.graphql_door.shared_feeds import TRANSPORT_WS_NEXT, Member, SharedFeeds
from resolvers.core.context import Context
from subscriptions.live import Live

PREFIX = TRANSPORT_WS_NEXT.format(id='"1"')


class Socket:
    """Uvicorn's websocket `send`, as far as a member sees it."""

    def __init__(self) -> None:
        self.writable = asyncio.Event()
        self.writable.set()
        self.frames: list[str] = []
        self.refuses = False
        self.cleaned_up = False

    async def send(self, message: dict[str, Any]) -> None:
        try:
            await self.writable.wait()
            if self.refuses:
                raise RuntimeError("Unexpected ASGI message 'websocket.send', after close")
            self.frames.append(message["text"])
        finally:
            self.cleaned_up = True


@pytest.fixture
async def member_on() -> Any:
    """(member, its socket, its delivery task): a member of a live group, delivering."""
    async for made in _member(PREFIX):
        yield made


async def _member(prefix: str, watch: CloseWatch | None = None) -> Any:
    socket = Socket()
    group = SimpleNamespace(members={}, ended=False, is_live=lambda: True)
    key = ("subscription { x }", None, b"{}", "public")
    feeds = SimpleNamespace(groups={key: group}, left=lambda group: None)
    live = SimpleNamespace(queue_size=16, shared_members=0, too_slow=0)
    scope: dict[str, Any] = {SERVER_SEND: socket.send}
    if watch is not None:
        scope[CLOSE_WATCH] = watch
    websocket = SimpleNamespace(scope=scope)
    member = Member(
        cast(SharedFeeds, feeds), cast(Any, key), cast(Any, websocket), cast(Context, None), prefix
    )
    assert member.join_now(cast(Live, live), after=0)
    delivering = asyncio.create_task(member.deliver())
    await asyncio.sleep(0)  # its writer task waits for a push
    yield member, socket, delivering
    delivering.cancel()
    await asyncio.gather(delivering, return_exceptions=True)


def frame(event: int) -> str:
    return f'{PREFIX}{{"data":{event}}}}}'


async def test_a_push_is_written_in_the_callers_step(member_on: Any) -> None:
    member, socket, _ = member_on
    member.push(1, 0, '{"data":1}')
    assert socket.frames == [frame(1)]  # no await in between: no task woken for it
    member.push(2, 0, '{"data":2}')
    assert socket.frames == [frame(1), frame(2)]
    assert member.sent == 2


async def test_a_write_that_waits_goes_on_in_the_members_task_ahead_of_the_queue(
    member_on: Any,
) -> None:
    member, socket, delivering = member_on
    socket.writable.clear()  # the transport's buffer is over its mark
    for event in (1, 2, 3):
        member.push(event, 0, f'{{"data":{event}}}')
    await asyncio.sleep(0.01)
    assert socket.frames == []
    assert not delivering.done()
    socket.writable.set()
    await asyncio.sleep(0.01)
    assert socket.frames == [frame(1), frame(2), frame(3)]  # in order, once each
    member.push(4, 0, '{"data":4}')  # the writer waits again: written at once
    assert socket.frames[-1] == frame(4)


async def test_no_push_is_written_once_the_operation_is_cancelled(member_on: Any) -> None:
    # the client's `complete`: Strawberry cancels the operation's task and does not wait; a
    # group's push in the same loop turn, before the writer has ended, must write nothing (an
    # id reused at once would get it under its new subscription)
    member, socket, delivering = member_on
    loop = asyncio.get_running_loop()
    loop.call_soon(delivering.cancel)
    loop.call_soon(member.push, 5, 1, '{"data":5}')
    await asyncio.gather(delivering, return_exceptions=True)
    assert socket.frames == []


async def test_a_socket_that_refuses_the_write_ends_the_member(member_on: Any) -> None:
    member, socket, delivering = member_on
    socket.refuses = True
    member.push(1, 0, '{"data":1}')
    await asyncio.wait_for(delivering, 1)  # the operation's task goes on to end it
    assert socket.frames == []


async def test_a_member_ended_while_a_write_waits_closes_that_write(member_on: Any) -> None:
    member, socket, delivering = member_on
    socket.writable.clear()
    member.push(1, 0, '{"data":1}')
    delivering.cancel()  # the client completed the operation
    await asyncio.gather(delivering, return_exceptions=True)
    assert socket.cleaned_up  # the send's own `finally` ran
    assert socket.frames == []


class Transport:
    """A transport that takes every frame at once (direct_frames.write_frame)."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []

    def is_closing(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return 0

    def write(self, data: bytes) -> None:
        self.frames.append(data)


async def test_once_the_app_closes_the_socket_no_frame_goes_past_send() -> None:
    watch = CloseWatch()
    made = _member(PREFIX, watch)
    member, socket, _ = await anext(made)
    await asyncio.sleep(0.01)  # its writer task waits for a push
    try:
        transport = member.transport = Transport()
        member.push(1, 0, '{"data":1}')
        assert transport.frames == [OutgoingText(frame(1)).frame()]
        watch.close()  # the app's websocket.close, as ServerSendMiddleware passes it
        socket.refuses = True  # as uvicorn's send after the close
        member.push(2, 0, '{"data":2}')
        assert len(transport.frames) == 1
        assert socket.frames == []
    finally:
        await made.aclose()


async def test_members_with_the_same_operation_id_share_one_message_per_push() -> None:
    """A group's push builds each member's frame text once per operation id, not per member."""
    prefixes = [PREFIX, PREFIX, TRANSPORT_WS_NEXT.format(id='"7"')]
    made = [_member(prefix) for prefix in prefixes]
    members = [await anext(each) for each in made]
    await asyncio.sleep(0.01)  # every writer task waits for a push
    try:
        for event in (1, 2):
            messages: dict[str, Any] = {}
            for member, _, _ in members:
                member.push(event, 0, f'{{"data":{event}}}', messages)
            assert len(messages) == 2
        assert [socket.frames for _, socket, _ in members] == [
            [frame(1), frame(2)],
            [frame(1), frame(2)],
            [f'{prefixes[2]}{{"data":{event}}}}}' for event in (1, 2)],
        ]
    finally:
        for each in made:
            await each.aclose()
