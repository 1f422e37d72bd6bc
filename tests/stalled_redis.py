"""A Redis that stops answering: a TCP server that accepts connections and reads commands but
never replies (a dead host behind a live proxy, a partition, a failover in progress)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field


@dataclass
class Heard:
    """What the stalled Redis received: connections accepted and bytes of commands."""

    connections: int = 0
    bytes: int = 0
    writers: list[asyncio.StreamWriter] = field(default_factory=list)


@contextlib.asynccontextmanager
async def stalled_redis(reply_s: float = 0.3) -> AsyncIterator[tuple[str, Heard]]:
    """(a `redis://` URL whose commands time out after `reply_s`, what it heard)."""
    heard = Heard()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heard.connections += 1
        heard.writers.append(writer)
        while chunk := await reader.read(65536):
            heard.bytes += len(chunk)

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"redis://127.0.0.1:{port}/0?socket_timeout={reply_s}", heard
    finally:
        for writer in heard.writers:
            writer.close()
        await asyncio.gather(*(w.wait_closed() for w in heard.writers), return_exceptions=True)
        server.close()
        await server.wait_closed()
