"""Graph writes a read-only LadybugDB store forwards to the process that writes the file.

One process holds LadybugDB's write lock on a file; the others open it read-only and follow the
writer's commits (`graph.ladybug_store`). A server writes the graph four ways (`create_node`,
`update_node`, `relink_node`, `delete_node`: case filings and status changes), and a read-only
store sends each of them to the writer over a Unix socket beside the file (`<file>.writes`). The
writer runs it on its own store, to its end, and answers with the result or with its error's
class and message, raised again in the caller as that class (`graph.errors`). The write is
committed when the answer comes, so the caller's next read, which follows the log, sees it.

Wire: one connection per write; the request and the answer are each one line of JSON, at most
MAX_LINE bytes, a datetime tagged `{"$datetime": "<ISO 8601>"}`. The socket is made 0600, and
each side talks only to a peer of its own uid (`SO_PEERCRED`): a file left by a killed writer is
replaced by the next one, which holds the write lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from graph import errors
from graph.errors import GraphError, QueryFailed, ReadOnlyGraph, StoreUnavailable
from graph.query import Link
from graph.store import GraphStore

MAX_LINE = 1024 * 1024
"""The longest request or answer, in bytes (a case is ~1 kB)."""
ANSWER_S = 60.0
"""The longest a forwarded write waits for the writer's answer (its write lock held meanwhile
by another long write, a checkpoint)."""
REQUEST_S = 10.0
"""The longest a connection may take to send its request line."""
MOST_CONNECTIONS = 256
"""Connections the writer holds at once; one more is closed unanswered (the follower's write
then fails as a broken-off one: 503)."""
SOCKET_PATH_MAX = 107
"""The longest path of a Unix socket on Linux (`sun_path` is 108 bytes with its NUL)."""

log = logging.getLogger(__name__)


def socket_path(graph: Path) -> Path:
    """Where the writer of the LadybugDB file `graph` takes forwarded writes."""
    return graph.with_name(graph.name + ".writes")


def socket_path_fits(graph: Path) -> bool:
    """Whether `socket_path(graph)` is short enough for a Unix socket (SOCKET_PATH_MAX)."""
    return len(os.fsencode(socket_path(graph))) <= SOCKET_PATH_MAX


def _encode(value: Any) -> bytes:
    def tagged(item: Any) -> Any:
        if isinstance(item, datetime):
            return {"$datetime": item.isoformat()}
        raise TypeError(f"a {type(item).__name__} cannot be forwarded")

    return json.dumps(value, default=tagged, ensure_ascii=False).encode() + b"\n"


def _decode(line: bytes) -> Any:
    def untagged(item: dict[str, Any]) -> Any:
        if item.keys() == {"$datetime"}:
            return datetime.fromisoformat(item["$datetime"])
        return item

    return json.loads(line, object_hook=untagged)


def _peer_uid(sock: socket.socket) -> int:
    """The uid of the process at the other end of the Unix socket `sock` (Linux SO_PEERCRED)."""
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)


def _same_user(transport: asyncio.BaseTransport) -> bool:
    sock = transport.get_extra_info("socket")
    return sock is not None and _peer_uid(sock) == os.getuid()


# What each request runs on the writer's store, its arguments checked for shape first
_WRITES: dict[str, Callable[[GraphStore, dict[str, Any]], Awaitable[Any]]] = {
    "create_node": lambda store, a: store.create_node(
        _text(a["label"]), _properties(a["properties"]), [_link(x) for x in a["links"]]
    ),
    "update_node": lambda store, a: store.update_node(
        _text(a["label"]),
        _text(a["key"]),
        _properties(a["properties"]),
        unless_newer=None if a["unless_newer"] is None else _text(a["unless_newer"]),
    ),
    "relink_node": lambda store, a: store.relink_node(
        _text(a["label"]), _text(a["key"]), _properties(a["properties"]), _link(a["link"])
    ),
    "delete_node": lambda store, a: store.delete_node(_text(a["label"]), _text(a["key"])),
}


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("a label, key or property name must be a string")
    return value


def _properties(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError("properties must be an object")
    return value


def _link(value: Any) -> Link:
    if not isinstance(value, list) or len(value) != 3:
        raise TypeError("a link is [relationship, label, key]")
    return (_text(value[0]), _text(value[1]), _text(value[2]))


@contextlib.asynccontextmanager
async def taking_forwarded_writes(store: GraphStore, graph: Path) -> AsyncIterator[None]:
    """Take writes forwarded by read-only stores of the file `graph` while the body runs, on
    `store`, its writer (this process holds the file's write lock, so a socket file left behind
    is a killed writer's and is replaced). On the way out it stops taking new ones and waits
    for those under way (up to ANSWER_S) before the caller closes the store. A path too long
    for a Unix socket is logged, and read-only stores then refuse writes (ReadOnlyGraph);
    `serve --workers` refuses to start with one (`civicgraph.workers`)."""
    path = socket_path(graph)
    if not socket_path_fits(graph):
        log.warning(
            "read-only workers cannot forward graph writes: %s is longer than a Unix socket "
            "path may be (%d bytes); use a shorter CIVIC_DATA_DIR",
            path,
            SOCKET_PATH_MAX,
        )
        yield
        return
    path.unlink(missing_ok=True)
    answering: set[asyncio.Task[Any]] = set()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        try:
            if task is not None and len(answering) < MOST_CONNECTIONS:
                answering.add(task)
                if _same_user(writer.transport):
                    writer.write(_encode(await _run(store, reader)))
                    await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the read-only worker is gone; the write, if it ran, is committed
        finally:
            answering.discard(task)
            writer.close()

    server = await asyncio.start_unix_server(answer, path=str(path), limit=MAX_LINE)
    path.chmod(0o600)
    try:
        yield
    finally:
        server.close()  # no new connections
        if answering:
            await asyncio.wait(set(answering), timeout=ANSWER_S)
        await server.wait_closed()
        path.unlink(missing_ok=True)


async def _run(store: GraphStore, reader: asyncio.StreamReader) -> dict[str, Any]:
    """One forwarded write run on `store`: `{"ok": result}` or `{"error": class, "message"}`."""
    try:
        line = await asyncio.wait_for(reader.readuntil(b"\n"), REQUEST_S)
        request = _decode(line)
        run = _WRITES[request["op"]]
        return {"ok": await run(store, request["args"])}
    except GraphError as error:
        return {"error": type(error).__name__, "message": str(error)}
    except (
        asyncio.LimitOverrunError,
        TimeoutError,
        RecursionError,
        ValueError,
        KeyError,
        TypeError,
    ) as error:
        reason = type(error).__name__ if isinstance(error, RecursionError) else error
        return {"error": "QueryFailed", "message": f"a malformed forwarded write: {reason}"}


async def forward(graph: Path, op: str, args: Mapping[str, Any]) -> Any:
    """Run the graph write `op` (a method of GraphStore, its arguments by name) on the writer
    of the LadybugDB file `graph`, and return its result. Raises ReadOnlyGraph when no writer
    takes forwarded writes (none runs, or it runs without), StoreUnavailable when it does not
    answer in ANSWER_S or the connection breaks (the write may have run), and the error the
    writer's store raised, as its own class (QueryFailed for one outside graph.errors)."""
    path = socket_path(graph)
    try:
        reader, writer = await asyncio.open_unix_connection(str(path), limit=MAX_LINE)
    except OSError as error:  # no socket, a dead writer's, a path too long
        raise ReadOnlyGraph(
            f"this server opened the graph at {graph} read-only and no writer takes its "
            f"graph writes ({error.strerror or error}): start the server that writes it"
        ) from None
    try:
        if not _same_user(writer.transport):
            raise StoreUnavailable(f"{path} is held by another user's process")
        writer.write(_encode({"op": op, "args": dict(args)}))
        await writer.drain()
        answer = _decode(await asyncio.wait_for(reader.readuntil(b"\n"), ANSWER_S))
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
        raise StoreUnavailable(f"the graph's writer broke off a forwarded write: {error}") from None
    except TimeoutError:
        raise StoreUnavailable(
            f"the graph's writer did not answer a forwarded write in {ANSWER_S:.0f} s"
        ) from None
    finally:
        writer.close()
    if not isinstance(answer, dict) or not ("ok" in answer or "error" in answer):
        raise StoreUnavailable("the graph's writer answered a forwarded write with no result")
    if "error" in answer:
        raised = getattr(errors, str(answer["error"]), None)
        kind = raised if isinstance(raised, type) and issubclass(raised, GraphError) else None
        raise (kind or QueryFailed)(str(answer.get("message", "")))
    return answer["ok"]
