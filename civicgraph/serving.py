"""`civicgraph serve` under uvicorn, with every start-up failure one `StartupFailed` (exit 3).

uvicorn exits 3 (its STARTUP_FAILURE) when the app's lifespan start-up fails, after Starlette
has logged the whole traceback. Here the lifespan's error is kept and re-raised as one line
instead, like the checks made before it: stores that cannot be opened (an unreachable database,
a LadybugDB file another process holds) or hold no seed, a port in use, a missing log key.
`CIVIC_DEBUG=1` lets uvicorn log the traceback as well.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from civicgraph.app import create_app
from civicgraph.boundary import CliError, ExitCode, debug_enabled, one_line, unexpected_line
from civicgraph.console import console
from civicgraph.settings import Settings
from civicgraph.stores import open_seeded
from graph.errors import CivicGraphError


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


def serve(settings: Settings) -> None:
    """Check the stores, listen, and serve the app until interrupted (Ctrl-C).

    Raises StartupFailed (exit code 3) for every reason the server cannot start.
    """
    try:
        asyncio.run(_check_stores(settings))
    except CivicGraphError as error:
        raise StartupFailed(f"the server could not start: {one_line(str(error))}") from None
    sock = listen(settings.host, settings.port)
    where = f"http://{settings.host}:{settings.port}"

    def started() -> None:
        console.print(f"CivicGraph on {where}  (explorer: {where}/graphql)", highlight=False)

    # the app believes X-Forwarded-For from CIVIC_TRUSTED_PROXIES only (civicgraph/client_ip.py);
    # uvicorn's own proxy headers would trust 127.0.0.1 whatever the setting says
    serve_app(
        create_app(settings),
        sock,
        on_started=started,
        log_level="info",
        proxy_headers=False,
        access_log=settings.access_log,
    )


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
    config = uvicorn.Config(guard, lifespan="on", **uvicorn_options)
    server = uvicorn.Server(config)
    try:
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
