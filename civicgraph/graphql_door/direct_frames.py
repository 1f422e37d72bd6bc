"""A shared push's websocket frame built once and written straight to each subscriber's socket.

Through ASGI, uvicorn's websockets-sansio protocol encodes the text of each `websocket.send`,
has `websockets` build and serialize a frame of it, and writes that, once per socket: for a push
to 10,000 subscribers, 10,000 times the same bytes (a server's frames are not masked, RFC 6455
§5.1). At 10 times the S-DoT rate that work was most of what our server spent above a bare
`websockets` server's `broadcast`, which serializes once (bench/README.md, "Subscription fan-out:
a push's frame built once"). So the members of a group sharing an operation id take one frame a
push (`OutgoingText.frame`), serialized by `websockets` itself, and write it to the transport of
each socket (`write_frame`) whose uvicorn protocol completed its handshake without extensions (no
per-message compression: then every frame is the same; `direct_transport`).

A write looks at the transport alone: at 10,000 sockets, each push reading the uvicorn protocol
and its flow-control event as well cost more than the write (two more objects a socket, cold in
the CPU's caches; bench/README.md, "a push touches the transport alone"). What those told is
told by the transport or the app:
- the client gone, or uvicorn closing (the client's close, a keepalive timeout, a protocol
  error, shutdown): uvicorn closes the transport in the same step, `is_closing()`;
- flow control: uvicorn pauses `send` from when the transport's buffer passes its high-water
  mark until it drains to its low one, so never while the buffer is empty, and a frame is
  written here only when the buffer is empty;
- the app closing (uvicorn sends the close frame, and the transport stays open for the client's
  reply): the app's `websocket.close` passes the CloseWatch (server_send.py), which the member
  listens to.
Anything else, or another server, goes through ASGI's `send` as before.

This reads uvicorn 0.54's `WebSocketsSansIOProtocol` attributes (its `send`'s instance): the
version is pinned, and tests/civicgraph/graphql_door/test_direct_frames.py runs the real server.
"""

from __future__ import annotations

import asyncio

from starlette.types import Message, Send
from websockets.frames import Frame, Opcode


class OutgoingText:
    """One push's text for the members whose operations share an id: its ASGI message, and its
    serialized frame (built at the first member that writes frames directly)."""

    __slots__ = ("_frame", "message", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.message: Message = {"type": "websocket.send", "text": text}
        self._frame: bytes | None = None

    def frame(self) -> bytes:
        """The text as one unmasked, final text frame (RFC 6455 §5.2)."""
        if self._frame is None:
            self._frame = Frame(Opcode.TEXT, self.text.encode()).serialize(
                mask=False, extensions=[]
            )
        return self._frame


def direct_transport(send: Send) -> asyncio.Transport | None:
    """The transport of the socket `send` belongs to, when `send` is uvicorn's websockets-sansio
    protocol's own and its handshake is done with no extension negotiated (both settled for the
    connection's life); else None."""
    try:
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    except ImportError:  # another uvicorn
        return None
    protocol = getattr(send, "__self__", None)
    if not isinstance(protocol, WebSocketsSansIOProtocol):
        return None
    if not protocol.handshake_complete or protocol.conn.extensions or protocol.disconnected:
        return None
    return protocol.transport


def write_frame(transport: asyncio.Transport, frame: bytes) -> bool:
    """Writes `frame` (bytes of whole frames) to `transport` when it takes it at once: open, with
    nothing waiting in its buffer; False when it must go through ASGI's `send` instead. The
    caller also stops once the app closes the socket (server_send.CloseWatch)."""
    if transport.is_closing() or transport.get_write_buffer_size():
        return False
    transport.write(frame)
    return True
