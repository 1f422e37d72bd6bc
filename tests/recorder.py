"""A tiny HTTP server on a free loopback port that records every request it gets.

Tests point codes, redirects and trusted-log URLs at it to prove who was (not) contacted.
It runs in a thread, so both CliRunner tests and async tests can use it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Answer:
    status: int = 404
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    declare_length: bool = True
    """False: no Content-Length, the body ends when the connection closes."""
    drip_seconds: float = 0.0
    """Send the headers, then the body one byte at a time this far apart (a slow server)."""


@dataclass
class Recorder:
    url: str
    hits: list[tuple[str, str]] = field(default_factory=list)
    """(method, path) of every request, in order."""
    answer: Callable[[str, str], Answer] = lambda method, path: Answer()


@contextlib.contextmanager
def recording(answer: Callable[[str, str], Answer] | None = None) -> Iterator[Recorder]:
    """Serve until the block ends; every request is recorded, then answered by `answer`."""
    recorder = Recorder(url="")
    if answer is not None:
        recorder.answer = answer

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            recorder.hits.append((self.command, self.path))
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            reply = recorder.answer(self.command, self.path)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.declare_length:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.flush()
            with contextlib.suppress(OSError):
                if not reply.drip_seconds:
                    self.wfile.write(reply.body)
                for byte in reply.body if reply.drip_seconds else b"":
                    time.sleep(reply.drip_seconds)
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()

        do_GET = do_POST = do_HEAD = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
