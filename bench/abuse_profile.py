"""Each probe through the ASGI app in this process, with no server and no client: CPU per request,
and a cProfile summary of where it goes (top functions and packages by own time)."""

from __future__ import annotations

import cProfile
import pstats
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message

from bench.abuse_probes import Probe, outcome


@dataclass(frozen=True)
class Profiled:
    """One probe's CPU µs per request in this process and its top frames as (share, name)."""

    cpu_us: float
    answer: str
    functions: list[tuple[float, str]]
    packages: list[tuple[float, str]]


def _scope(probe: Probe, body: bytes) -> dict[str, object]:
    headers = [
        (b"host", b"bench"),
        (b"content-type", b"application/json"),
        (b"accept", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((name.encode(), value.encode()) for name, value in probe.headers.items()),
    ]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("bench", 80),
    }


def one_request(app: ASGIApp, probe: Probe) -> Callable[[], Awaitable[str]]:
    """A callable sending `probe` once to `app`; its result is the answer's `outcome`."""
    body = probe.body
    scope = _scope(probe, body)
    headers = scope["headers"]
    assert isinstance(headers, list)

    async def run() -> str:
        sent = False
        answer: dict[str, object] = {"status": 0, "body": b""}

        async def receive() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            elif message["type"] == "http.response.body":
                answer["body"] = bytes(answer["body"]) + message.get("body", b"")  # type: ignore[arg-type]

        await app(dict(scope, headers=list(headers)), receive, send)
        return outcome(int(answer["status"]), bytes(answer["body"]))  # type: ignore[call-overload]

    return run


def _package(filename: str) -> str:
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins (C)"
    parts = filename.replace("\\", "/").split("/")
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if "python3.11" in parts:
        return "stdlib " + parts[parts.index("python3.11") + 1].removesuffix(".py")
    for top in ("civicgraph", "resolvers", "graph", "subscriptions", "bench"):
        if top in parts:
            return top
    return parts[-1]


def summary(profile: cProfile.Profile, top: int) -> tuple[list[tuple[float, str]], ...]:
    """The `top` functions and packages by own time, each with its share of the total."""
    stats = pstats.Stats(profile)
    rows = stats.stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in rows.values()) or 1.0
    functions = sorted(
        (
            (row[2] / total, f"{_package(f)}:{name} ({f.rsplit('/', 1)[-1]}:{line})")
            for (f, line, name), row in rows.items()
        ),
        reverse=True,
    )[:top]
    packages: Counter[str] = Counter()
    for (filename, _, _), row in rows.items():
        packages[_package(filename)] += row[2] / total
    return functions, [(share, name) for name, share in packages.most_common(top)]


async def profile_probe(app: ASGIApp, probe: Probe, runs: int, top: int = 8) -> Profiled:
    """CPU µs per request (process time, every thread) over `runs` requests, then a profile of
    as many more. Raises SystemExit when the answer is not the probe's expected one."""
    request = one_request(app, probe)
    answer = await request()  # warm caches as a server would be
    expected = f"{probe.status} {probe.code or '-'}"
    if answer != expected:
        raise SystemExit(f"{probe.name}: expected {expected}, got {answer}")
    started = time.process_time()
    for _ in range(runs):
        await request()
    cpu_us = (time.process_time() - started) / runs * 1e6
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(runs):
        await request()
    profile.disable()
    functions, packages = summary(profile, top)
    return Profiled(cpu_us, answer, functions, packages)
