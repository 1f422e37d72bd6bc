"""A shared push's websocket frame built once and written straight to each subscriber's socket.

Through ASGI, uvicorn's websockets-sansio protocol encodes the text of each `websocket.send`,
has `websockets` build and serialize a frame of it, and writes that, once per socket: for a push
to 10,000 subscribers, 10,000 times the same bytes (a server's frames are not masked, RFC 6455
§5.1). At 10 times the S-DoT rate that work was most of what our server spent above a bare
`websockets` server's `broadcast`, which serializes once (bench/README.md, "Subscription fan-out:
a push's frame built once"). So the members of a group sharing an operation id take one frame a
push (`OutgoingText.frame`), serialized by `websockets` itself, and write it to the transport of
each socket whose uvicorn protocol is open, writable and has no extension negotiated (no
per-message compression: then every frame is the same). Anything else, or another server, goes
through ASGI's `send` as before (`frame_writer` is None or a write answers False).

This reads uvicorn 0.54's `WebSocketsSansIOProtocol` attributes (its `send`'s instance): the
version is pinned, and tests/civicgraph/graphql_door/test_direct_frames.py runs the real server.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import Message, Send
from websockets.frames import Frame, Opcode
from websockets.protocol import State

FrameWriter = Callable[[bytes], bool]
"""Writes a serialized frame to one socket; False when it must go through ASGI instead."""


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


def frame_writer(send: Send) -> FrameWriter | None:
    """A writer of whole frames to the socket `send` belongs to, when `send` is uvicorn's
    websockets-sansio protocol's own; else None."""
    try:
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
    except ImportError:  # another uvicorn
        return None
    protocol = getattr(send, "__self__", None)
    if not isinstance(protocol, WebSocketsSansIOProtocol):
        return None

    def write(frame: bytes) -> bool:
        if (
            not protocol.handshake_complete
            or protocol.close_sent
            or protocol.disconnected
            or not protocol.writable.is_set()
            or protocol.conn.state is not State.OPEN
            or protocol.conn.extensions
            or protocol.transport.is_closing()
        ):
            return False
        protocol.transport.write(frame)
        return True

    return write
