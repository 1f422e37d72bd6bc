"""`civicgraph serve` under uvicorn, with every start-up failure one `StartupFailed` (exit 3).

uvicorn exits 3 (its STARTUP_FAILURE) when the app's lifespan start-up fails, after Starlette
has logged the whole traceback. Here the lifespan's error is kept and re-raised as one line
instead, like the checks made before it: stores that cannot be opened (an unreachable database,
a LadybugDB file another process holds) or hold no seed, a port in use, a missing log key.
`CIVIC_DEBUG=1` lets uvicorn log the traceback as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import socket
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import typer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civicgraph.app import create_app
from civicgraph.boundary import CliError, ExitCode, debug_enabled, one_line, unexpected_line
from civicgraph.console import console
from civicgraph.settings import Settings
from civicgraph.stores import open_seeded
from graph.errors import CivicGraphError
from resolvers.subgraphs import subgraph_named

KEEP_ALIVE_S = 75
"""Seconds an idle keep-alive connection is held (uvicorn's default is 5): longer than any
client's pool keeps one idle (undici, under Hive, 4 s; Node's agent, under Apollo, 5 s), so
the client closes first. A server closing as the gateway reuses the socket answered that
request with "socket hang up" (Hive's "Unexpected error." in the federation suite). nginx's
`keepalive_timeout` default is the same 75 s."""


class StartupFailed(CliError):
    """`civicgraph serve` could not start: the reason, in one line."""

    exit_code = ExitCode.STARTUP_FAILED


class StartupGuard:
    """An ASGI wrapper that keeps the app's lifespan start-up error for the CLI to report.

    With `quiet`, the traceback Starlette puts in `lifespan.startup.failed` is dropped, so
    uvicorn logs only "Application startup failed".
    """

    def __init__(
        self, app: ASGIApp, *, quiet: bool, on_started: Callable[[], None] | None = None
    ) -> None:
        self.app = app
        self.quiet = quiet
        self.on_started = on_started
        self.error: BaseException | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_quietly(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "lifespan.startup.complete"
            if message["type"] == "lifespan.startup.failed" and self.quiet:
                message = {"type": message["type"], "message": ""}
            await send(message)
            if message["type"] == "lifespan.startup.complete" and self.on_started is not None:
                self.on_started()

        try:
            await self.app(scope, receive, send_quietly)
        except BaseException as error:
            if not started:
                self.error = error
            raise


YOUNG_COLLECTION_ALLOCATIONS = 50_000
"""Allocations between two collections of the youngest generation (CPython's default: 700).
A server holding 10,000 websockets keeps ~3 M objects alive (~300 a connection: the
middleware's frames, Strawberry's handler, tasks), and at 700 the full collections the younger
ones lead to walked them every few seconds: 15 of 20 s of the loop's CPU at 10x the S-DoT rate
(bench/README.md, issue 18)."""


def tune_collector() -> None:
    """Move what start-up built (the schema, models, dashboards: objects that live as long as
    the server) out of the garbage collector's reach, and collect the youngest generation every
    YOUNG_COLLECTION_ALLOCATIONS allocations. Full collections then no longer walk start-up's
    objects, and run far less often under load; cycles are still collected. Call once the app
    has started, in the serving process only."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_ALLOCATIONS, middle, old)


def serve(settings: Settings, subgraph: str | None = None) -> None:
    """Check the stores, listen, and serve the app until interrupted (Ctrl-C): the merged API,
    or one subgraph (resolvers/subgraphs.py) for a federation gateway.

    Raises StartupFailed (exit code 3) for every reason the server cannot start.
    """
    from civicgraph.workers import check_workers, serve_workers

    try:
        if subgraph is not None:
            subgraph_named(subgraph)
        check_workers(settings, settings.workers)
        asyncio.run(_check_stores(settings))
    except StartupFailed:
        raise
    except CivicGraphError as error:
        raise StartupFailed(f"the server could not start: {one_line(str(error))}") from None
    sock = listen(settings.host, settings.port)
    if subgraph is None and settings.workers > 1:
        serve_workers(settings, sock, settings.workers)
        return
    where = f"http://{settings.host}:{settings.port}"
    what = "CivicGraph" if subgraph is None else f"CivicGraph subgraph {subgraph}"

    def started() -> None:
        console.print(f"{what} on {where}  (explorer: {where}/graphql)", highlight=False)

    serve_process(create_app(settings, subgraph=subgraph), sock, settings, started)


def serve_process(
    app: ASGIApp, sock: socket.socket, settings: Settings, on_started: Callable[[], None]
) -> None:
    """Serve `app` on `sock` as a `serve` process does until interrupted: the collector tuned
    once started, then `on_started` called; StartupFailed if its start-up fails."""

    def started() -> None:
        tune_collector()
        on_started()

    # the app believes X-Forwarded-For from CIVIC_TRUSTED_PROXIES only (civicgraph/client_ip.py);
    # uvicorn's own proxy headers would trust 127.0.0.1 whatever the setting says
    serve_app(
        app,
        sock,
        on_started=started,
        log_level="info",
        proxy_headers=False,
        access_log=settings.access_log,
        timeout_keep_alive=KEEP_ALIVE_S,
    )


def subgraph_ports(values: list[str], *, port: int | None = None) -> dict[str, int]:
    """`["city:4001", "sensing:4002"]` as `{"city": 4001, "sensing": 4002}`. Raises
    typer.BadParameter (a usage error, exit code 2) for a `port` (`--port`) given as well (each
    value names its own), a value without a port when there are several, a port outside
    1..65535, or a name or port given twice."""
    if port is not None:
        raise typer.BadParameter(
            f"--port {port} cannot be given with NAME:PORT values: each names its own port "
            "(or serve one subgraph as --subgraph NAME --port P)",
            param_hint="--subgraph",
        )
    ports: dict[str, int] = {}
    for value in values:
        name, colon, number = value.partition(":")
        if not colon:
            raise typer.BadParameter(
                f"{value!r}: several subgraphs need NAME:PORT each", param_hint="--subgraph"
            )
        if not number.isascii() or not number.isdigit() or not 1 <= int(number) <= 65535:
            raise typer.BadParameter(
                f"{value!r}: the port of NAME:PORT must be in 1..65535", param_hint="--subgraph"
            )
        if name in ports or int(number) in ports.values():
            raise typer.BadParameter(
                f"{value!r}: name or port given twice", param_hint="--subgraph"
            )
        ports[name] = int(number)
    return ports


def serve_subgraphs(settings: Settings, ports: Mapping[str, int]) -> None:
    """Serve several subgraphs from one process, each on its own port at /graphql, sharing one
    set of stores: the embedded graph (LadybugDB) can be opened by one process only. Stops them
    all when one stops (Ctrl-C, SIGTERM). The stores are this process's own, so the analytics
    subgraph runs the scheduled scoring as `serve` does. Raises StartupFailed (exit code 3)."""
    try:
        for name in ports:
            subgraph_named(name)
    except CivicGraphError as error:
        raise StartupFailed(f"the server could not start: {one_line(str(error))}") from None
    sockets: dict[str, socket.socket] = {}
    try:
        for name, port in ports.items():
            sockets[name] = listen(settings.host, port)
        asyncio.run(_serve_together(settings, sockets))
    except KeyboardInterrupt:
        return
    except StartupFailed:
        raise
    except CivicGraphError as error:
        raise StartupFailed(f"the servers could not start: {one_line(str(error))}") from None
    finally:
        for sock in sockets.values():
            sock.close()


async def _serve_together(settings: Settings, sockets: Mapping[str, socket.socket]) -> None:
    import uvicorn

    stores = await open_seeded(settings)
    try:
        servers = {
            name: uvicorn.Server(
                uvicorn.Config(
                    create_app(settings, stores, subgraph=name, scoring=True),
                    lifespan="on",
                    log_level="info",
                    proxy_headers=False,
                    access_log=settings.access_log,
                    timeout_keep_alive=KEEP_ALIVE_S,
                )
            )
            for name in sockets
        }
        running = [
            asyncio.create_task(server.serve(sockets=[sockets[name]]), name=f"subgraph-{name}")
            for name, server in servers.items()
        ]
        while not all(s.started for s in servers.values()) and not any(  # noqa: ASYNC110
            task.done() for task in running
        ):
            await asyncio.sleep(0.05)  # uvicorn sets `started` and signals nothing
        if all(s.started for s in servers.values()):
            for name, sock in sockets.items():
                where = f"http://{settings.host}:{sock.getsockname()[1]}/graphql"
                console.print(f"CivicGraph subgraph {name} on {where}", highlight=False)
        _done, pending = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
        for server in servers.values():
            server.should_exit = True
        await asyncio.gather(*pending, return_exceptions=True)
        failed = [name for name, server in servers.items() if not server.started]
        if failed:
            raise StartupFailed(f"subgraph {failed[0]} could not start (its log above says why)")
    finally:
        await stores.close()


async def _check_stores(settings: Settings) -> None:
    """StoreUnavailable unless both stores open and hold a complete seed."""
    stores = await open_seeded(settings)
    await stores.close()


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port; StartupFailed when it cannot be had (in use, no host).

    Bound before the app starts, so a port in use is refused before the stores are opened.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as error:
        raise StartupFailed(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


WEBSOCKET_ACCESS_LINES = frozenset(
    {"connection open", "connection closed", "connection rejected (%d %s)"}
)
"""The INFO lines the `websockets` library logs per connection through uvicorn's error logger."""


def websocket_access_lines(record: logging.LogRecord) -> bool:
    """False for uvicorn's access lines of websocket handshakes (`"WebSocket /graphql" 403`,
    `[accepted]`) and `websockets`' per-connection lines: with the access log off (the default)
    a refused handshake costs no logging work, as a refused HTTP request does. Warnings and
    errors on the same logger pass."""
    if record.levelno != logging.INFO or not isinstance(record.msg, str):
        return True
    return not (record.msg.startswith('%s - "WebSocket ') or record.msg in WEBSOCKET_ACCESS_LINES)


@contextlib.contextmanager
def websocket_access_log(enabled: bool) -> Iterator[None]:
    """While open and not `enabled`, uvicorn's error logger drops the websocket access lines
    (`websocket_access_lines`); open it after uvicorn has configured logging."""
    logger = logging.getLogger("uvicorn.error")
    if not enabled:
        logger.addFilter(websocket_access_lines)
    try:
        yield
    finally:
        logger.removeFilter(websocket_access_lines)


def serve_app(
    app: ASGIApp,
    sock: socket.socket,
    *,
    on_started: Callable[[], None] | None = None,
    **uvicorn_options: Any,
) -> None:
    """Serve `app` on `sock` until interrupted; StartupFailed if its lifespan start-up fails.

    `on_started` is called once the lifespan start-up has completed.
    """
    import uvicorn

    guard = StartupGuard(app, quiet=not debug_enabled(), on_started=on_started)
    config = uvicorn.Config(guard, lifespan="on", **uvicorn_options)  # configures logging
    server = uvicorn.Server(config)
    try:
        with websocket_access_log(config.access_log):
            server.run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl-C after a graceful shutdown, as `uvicorn.run` treats it
        return
    except SystemExit:
        if server.started:
            raise
        raise _startup_failed(guard.error) from None
    finally:
        sock.close()
    if not server.started:
        raise _startup_failed(guard.error)


def _startup_failed(error: BaseException | None) -> StartupFailed:
    if error is None:
        return StartupFailed("the server could not start (uvicorn's log above says why)")
    if isinstance(error, CivicGraphError):
        return StartupFailed(f"the server could not start: {one_line(str(error))}")
    return StartupFailed(
        "the server could not start: " + unexpected_line(error, when=" at start-up")
    )
