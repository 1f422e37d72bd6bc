"""The mayor's dashboards: first render of the overview at scale 0.1 (target < 2 s) and, with 50
dashboards open, the p95 time from an event to its update on screen (target < 1 s), each beside
the same figures built without Dash in the same run.

    python -m bench.dashboard [--data-dir DIR] [--runs 10] [--dashboards 50] [--events 20]
                              [--profile DIR] [--keep]

Seeds a city at `--scale` (0.1) into a temporary folder (`civicgraph seed`, about 1.5 minutes on
this 2-core machine; `--keep` keeps it and prints the folder to pass as `--data-dir` next time),
creates an analyst key (`civicgraph keys create`), starts `civicgraph serve` on a free port (the
S-DoT simulator off, so that only the bench's events change the figures), signs in at
`/dashboard/session` and measures:

1. First render of the overview, median of `--runs`, each after the view's shared render expired
   (so that it is computed, not reused):
   (a) the router callback (`page.children` for `/dashboard/`) over HTTP, as the browser's
       renderer POSTs it (body built from `/dashboard/_dash-dependencies`);
   (b) headless Chromium (Debian's, through Playwright), a new context each run: navigation
       start to every KPI tile and both charts drawn (bench/dashboard_browser.py);
   baseline: the overview's GraphQL documents POSTed to `/graphql` with the key, concurrently,
   then the pure figure builders on the answers (bench/dashboard_baseline.py).
2. With `--dashboards` open, `--events` cases filed through GraphQL `fileCase`, each after every
   dashboard showed the previous one and `--spacing` seconds more: per dashboard and event, the
   time from just before the `fileCase` POST to `#kpi-filed_today` changing in the page; p50, p95,
   max (an update that never came counts as the slowest). Baseline: a plain websocket client on
   `/dashboard/live` (`--baseline-clients`) that, on each push, fetches the documents and builds
   the figures as in 1 (run first, with no browser open). One client, because the server renders
   a view once per change for all its viewers (dashboards/renders.py). Between the two,
   `--callback-clients` (50) websocket clients each POST the router callback with the push, as
   the renderer does: the server's side of 50 dashboards without 50 browsers on the same cores.
   Also: CPU seconds per event of the server and of the browser (Chromium and its driver).

With `--profile DIR`, `--profile-events` more events run afterwards with py-spy sampling the
server (`pip install -e '.[bench]'`) and V8's profiler in one dashboard (Chrome DevTools
Protocol); both are summarised (bench/pyprofile.py, bench/dashboard_browser.py).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import itertools
import json
import math
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.dashboard_baseline import (
    CHARTS,
    BenchFailure,
    Built,
    router_body,
    with_dash,
    without_dash,
)
from bench.federation_run import bench_environment
from bench.ports import free_port
from bench.process_cpu import cpu_seconds, descendants
from dashboards.live import Pulse
from dashboards.renders import SharedRenders

FILE_CASE = "mutation($i: FileCaseInput!) { fileCase(input: $i) { __typename } }"
CASE = {
    "serviceCode": "noise",
    "description": "Night construction",
    "lat": 37.5115,
    "lon": 127.0595,
}
FIRST_RENDER_TARGET_S = 2.0
UPDATE_TARGET_S = 1.0
PULSE_PERIOD_S = Pulse.period_s
SHARED_FOR_S = SharedRenders.max_age_s + 0.2
"""A render of a view is shared for this long (dashboards/renders.py): a first render waits it
out, so that it is computed, not the one before it reused."""
REFUSED = "–"
"""What a tile reads when its source was refused (dashboards/figures/overview.py)."""


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def rank(samples: list[float], q: float) -> float:
    """The nearest-rank `q` quantile (0 < q <= 1) of non-empty `samples` (inf allowed)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return "    none" if math.isinf(seconds) else f"{seconds * 1000:5.0f} ms"


# -- the city and the server ---------------------------------------------------------------------


def civicgraph(env: dict[str, str], *args: str, capture: bool = False) -> str:
    """Run `civicgraph ARGS` (this Python); its output when `capture`, else shown as it runs.
    SystemExit when it fails."""
    argv = [sys.executable, "-m", "civicgraph.cli", *args]
    done = subprocess.run(argv, env=env, text=True, capture_output=capture)
    if done.returncode != 0:
        raise SystemExit(f"civicgraph {' '.join(args)} failed: {done.stderr or ''}".strip())
    return done.stdout or ""


def seed(env: dict[str, str], scale: float, history_days: int) -> float:
    """Seed (or find seeded) the city in CIVIC_DATA_DIR with rich progress; seconds taken."""
    print(
        f"Seeding Seoul at scale {scale} with {history_days} days of readings into "
        f"{env['CIVIC_DATA_DIR']} (about 1.5 minutes at 0.1 on 2 cores; nothing to do if it is "
        "already seeded there)",
        flush=True,
    )
    started = time.monotonic()
    civicgraph(env, "seed", "--scale", str(scale), "--history-days", str(history_days))
    took = time.monotonic() - started
    civicgraph(env, "migrate", capture=True)  # a --data-dir seeded by an older checkout
    return took


def analyst_key(env: dict[str, str]) -> str:
    """A new analyst key's secret (`civicgraph keys create`, which shows it once)."""
    out = civicgraph(env, "keys", "create", "bench dashboard", "--tier", "analyst", capture=True)
    lines = [line.strip() for line in out.splitlines()]
    for before, line in itertools.pairwise(lines):
        if before.endswith("shown only once:") and line:
            return line
    raise SystemExit(f"no key in the output of civicgraph keys create: {out!r}")


@dataclass(frozen=True)
class Server:
    base: str
    pid: int


@contextlib.contextmanager
def serving(env: dict[str, str]) -> Iterator[Server]:
    """`civicgraph serve` on a free port until the block ends."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "civicgraph.cli", "serve", "--port", str(port)]
    with (
        tempfile.TemporaryFile("w+") as log,  # uvicorn's INFO lines (one per websocket) stay out
        subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=log) as server,
    ):
        try:
            deadline = time.monotonic() + 120
            while True:
                if server.poll() is not None:
                    raise SystemExit(f"civicgraph serve exited with {server.returncode}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise SystemExit(f"civicgraph serve did not come up at {base}")
                time.sleep(0.3)
            yield Server(base, server.pid)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            log.seek(0)
            said = [line for line in log.read().splitlines() if not line.startswith("INFO:")]
            if said:
                counted = collections.Counter(said).most_common(10)
                print("the server said:", *(f"{n} x {line}" for line, n in counted), sep="\n  ")


async def sign_in(client: httpx.AsyncClient, key: str) -> str:
    """Sign in at /dashboard/session; the session cookie's value (the client keeps it too)."""
    response = await client.post("/dashboard/session", data={"key": key, "next": "/dashboard/"})
    token = response.cookies.get("civic_dashboard")
    if response.status_code != 303 or not token:
        raise BenchFailure(f"sign-in refused: {response.status_code} {response.text[:200]}")
    client.cookies.set("civic_dashboard", token, domain="127.0.0.1", path="/dashboard")
    return token


async def file_case(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": FILE_CASE, "variables": {"i": CASE}})
    typename = ((response.json().get("data") or {}).get("fileCase") or {}).get("__typename")
    if typename != "FileCaseSuccess":
        raise BenchFailure(f"fileCase: {response.status_code} {response.text[:300]}")


def other_cpu(server_pid: int) -> float:
    """CPU seconds of this process's children other than the server: the browser and its
    Playwright driver."""
    others = descendants(os.getpid()) - {server_pid} - descendants(server_pid)
    roots = others - {child for pid in others for child in descendants(pid)}
    return sum(cpu_seconds(pid) for pid in roots)  # each counts its own descendants


def mem_available_mib() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) // 1024
    return 0


# -- 1. first render -------------------------------------------------------------------------------


@dataclass
class FirstRender:
    without_dash_s: list[float] = field(default_factory=list)
    callback_s: list[float] = field(default_factory=list)
    shared_s: list[float] = field(default_factory=list)
    browser_s: list[float] = field(default_factory=list)
    timelines: list[dict[str, float | None]] = field(default_factory=list)
    profile: Path | None = None
    built: Built | None = None
    errors: list[str] = field(default_factory=list)


async def first_render(
    client: httpx.AsyncClient,
    key: str,
    body: Any,
    runs: int,
    browser: Any,
    cookie: dict[str, Any],
    profile: Path | None,
) -> FirstRender:
    """Both sides of the first render, `runs` times each after a warm-up; with `profile`, one
    more browser run under V8's profiler (not counted)."""
    from bench.dashboard_browser import Expect, open_dashboard, timeline

    out = FirstRender()
    _, out.built = await without_dash(client, key)  # warm-up of both sides, not counted
    await with_dash(client, body)
    for _ in range(runs):  # interleaved, so that drift of this machine hits both sides alike
        seconds, out.built = await without_dash(client, key)
        out.without_dash_s.append(seconds)
        await asyncio.sleep(SHARED_FOR_S)  # no shared render left: this one renders
        out.callback_s.append(await with_dash(client, body))
        out.shared_s.append(await with_dash(client, body))  # a second viewer, same view
    expect = Expect(out.built.tiles, drawn_charts(out.built))
    base = str(client.base_url).rstrip("/")
    for run in range(runs + 1):
        await asyncio.sleep(SHARED_FOR_S)
        dashboard, drawn_ms = await open_dashboard(browser, base, cookie, expect, 60_000)
        if run:  # the first is the browser's warm-up
            out.browser_s.append(drawn_ms / 1000)
            out.timelines.append(await timeline(dashboard.page))
        out.errors += dashboard.errors
        await dashboard.context.close()
    if profile is not None:
        out.profile = profile / "first-render.cpuprofile"
        dashboard, _ = await open_dashboard(
            browser, base, cookie, expect, 60_000, profile_to=out.profile
        )
        await dashboard.context.close()
    return out


def drawn_charts(built: Built) -> tuple[str, ...]:
    return tuple(name for name in CHARTS if built.charts.get(name) is not None)


# -- 2. events to screens --------------------------------------------------------------------------


@dataclass
class Updates:
    """Per event: seconds from the event to each dashboard's update (None: not within the
    wait), CPU seconds of the server and of the rest (browser or bench) per event, and how
    many updates the server answered with a refused figure (e.g. its 10 s `timeout`)."""

    latencies: list[list[float | None]] = field(default_factory=list)
    refused: int = 0
    file_case_s: list[float] = field(default_factory=list)
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0

    def samples(self) -> list[float]:
        """Every (dashboard, event) latency; inf for an update that did not come."""
        return [math.inf if s is None else s for event in self.latencies for s in event]

    def missed(self) -> int:
        return sum(1 for event in self.latencies for s in event if s is None)


async def run_events(
    client: httpx.AsyncClient,
    events: int,
    spacing_s: float,
    updated: Callable[[float], Awaitable[list[float | None]]],
    server_pid: int,
    client_cpu: Callable[[], float],
) -> Updates:
    """File `events` cases; after each, `updated(t0)` waits for every dashboard's update and
    returns each one's epoch seconds (None if it did not come); then wait `spacing_s` and a
    random part of the Pulse's period (so that events fall at every phase of its ticks)."""
    out = Updates()
    server_before, client_before = cpu_seconds(server_pid), client_cpu()
    for _ in range(events):
        t0 = time.time()
        await file_case(client)
        out.file_case_s.append(time.time() - t0)
        seen = await updated(t0)
        out.latencies.append([None if at is None else at - t0 for at in seen])
        await asyncio.sleep(spacing_s + random.uniform(0, PULSE_PERIOD_S))
    out.server_cpu_s = (cpu_seconds(server_pid) - server_before) / events
    out.client_cpu_s = (client_cpu() - client_before) / events
    return out


async def socket_updates(
    client: httpx.AsyncClient,
    server: Server,
    clients: int,
    react: Callable[[Any], Awaitable[object]],
    args: argparse.Namespace,
) -> Updates:
    """`clients` plain websocket clients on /dashboard/live, each awaiting `react(push)` on
    every push (BenchFailure: a refused figure, not updated)."""
    from websockets.asyncio.client import connect

    ws_url = server.base.replace("http://", "ws://") + "/dashboard/live"
    cookie = f"civic_dashboard={client.cookies.get('civic_dashboard')}"
    done: list[list[float]] = [[] for _ in range(clients)]
    arrived = asyncio.Event()

    refused = [0]

    async def watch(i: int, ws: Any) -> None:
        async for message in ws:
            try:
                await react(json.loads(message))
            except BenchFailure:  # a figure refused (the server's timeout): not updated
                refused[0] += 1
                continue
            done[i].append(time.time())
            arrived.set()

    async def updated(t0: float) -> list[float | None]:
        deadline = time.monotonic() + args.wait
        while time.monotonic() < deadline:
            firsts = [next((at for at in times if at > t0), None) for times in done]
            if all(at is not None for at in firsts):
                return firsts
            arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrived.wait(), timeout=0.5)
        return [next((at for at in times if at > t0), None) for times in done]

    async with contextlib.AsyncExitStack() as stack:
        sockets = [
            await stack.enter_async_context(connect(ws_url, additional_headers={"Cookie": cookie}))
            for _ in range(clients)
        ]
        tasks = [asyncio.create_task(watch(i, ws)) for i, ws in enumerate(sockets)]
        try:
            await asyncio.sleep(1)
            updates = await run_events(
                client, args.events, args.spacing, updated, server.pid, time.process_time
            )
            updates.refused = refused[0]
            return updates
        finally:
            for task in tasks:
                task.cancel()


async def baseline_updates(
    client: httpx.AsyncClient, key: str, server: Server, args: argparse.Namespace
) -> Updates:
    """`--baseline-clients` websocket clients building the figures without Dash on each push."""
    return await socket_updates(
        client, server, args.baseline_clients, lambda _: without_dash(client, key), args
    )


async def callback_updates(
    client: httpx.AsyncClient, dependencies: Any, server: Server, args: argparse.Namespace
) -> Updates:
    """`--callback-clients` websocket clients each POSTing the router callback with the push,
    as the browser's renderer does on each push (the server's side of the dashboards)."""
    return await socket_updates(
        client,
        server,
        args.callback_clients,
        lambda push: with_dash(client, router_body(dependencies, live=push)),
        args,
    )


@dataclass
class Opened:
    """The dashboards that opened, why the next one did not, memory available before and
    after, and the event their pages set on every change of the filed-today tile."""

    dashboards: list[Any]
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    refused: str = ""
    mem_before_mib: int = 0
    mem_after_mib: int = 0


async def open_many(
    browser: Any, base: str, cookie: dict[str, Any], built: Built, wanted: int
) -> Opened:
    """Open up to `wanted` dashboards, one after another, each drawn before the next; stop at
    the first that cannot be opened (and say why)."""
    from bench.dashboard_browser import Expect, live_open, open_dashboard

    expect = Expect(built.tiles, drawn_charts(built))
    opened = Opened([], mem_before_mib=mem_available_mib())
    for n in range(wanted):
        try:
            dashboard, _ = await open_dashboard(
                browser, base, cookie, expect, 120_000, opened.changed
            )
        except Exception as error:  # a crashed renderer, a timeout: the number that held
            opened.refused = f"dashboard {n + 1} did not open: {str(error).splitlines()[0]}"
            break
        opened.dashboards.append(dashboard)
        print(f"\r  {n + 1}/{wanted} dashboards open", end="", flush=True)
    print()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        states = [await live_open(d.page) for d in opened.dashboards]
        if all(states):
            break
        await asyncio.sleep(1)
    else:
        opened.refused += f" ({states.count(False)} live sockets not open after 60 s)"
    opened.mem_after_mib = mem_available_mib()
    return opened


async def browser_updates(
    client: httpx.AsyncClient,
    opened: Opened,
    server: Server,
    events: int,
    args: argparse.Namespace,
) -> Updates:
    """The events on the open dashboards: each one's update, from the page's own clock."""

    def firsts(t0: float) -> list[float | None]:
        """Each dashboard's first figure after `t0` (not "–", a refused source)."""
        return [
            next((at for at, text in d.changes if at > t0 and text != REFUSED), None)
            for d in opened.dashboards
        ]

    async def updated(t0: float) -> list[float | None]:
        deadline = time.monotonic() + args.wait
        while time.monotonic() < deadline:
            if all(at is not None for at in firsts(t0)):
                break
            opened.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(opened.changed.wait(), timeout=0.5)
        return firsts(t0)

    before = sum(text == REFUSED for d in opened.dashboards for _, text in d.changes)
    updates = await run_events(
        client, events, args.spacing, updated, server.pid, lambda: other_cpu(server.pid)
    )
    after = sum(text == REFUSED for d in opened.dashboards for _, text in d.changes)
    updates.refused = after - before
    return updates


async def profiled_updates(
    client: httpx.AsyncClient, opened: Opened, server: Server, args: argparse.Namespace
) -> list[str]:
    """`--profile-events` more events with py-spy on the server and V8's profiler in the first
    dashboard; the summaries."""
    from bench import pyprofile
    from bench.dashboard_browser import profile_summary, start_profile, stop_profile

    seconds = int(args.profile_events * (args.spacing + args.wait)) + 5
    server_out = args.profile / "server.txt"
    spy = pyprofile.record(server.pid, seconds, server_out)
    cdp = await start_profile(opened.dashboards[0].page)
    started = time.monotonic()
    await browser_updates(client, opened, server, args.profile_events, args)
    page_out = await stop_profile(cdp, args.profile / "dashboard.cpuprofile")
    took = time.monotonic() - started
    spy.send_signal(signal.SIGINT)  # py-spy writes what it has when interrupted
    spy.wait(timeout=60)
    return [
        f"profiled {args.profile_events} events over {took:.1f} s",
        pyprofile.summary(server_out, 15),
        profile_summary(page_out, 15),
    ]


# -- the run ------------------------------------------------------------------------------------


async def measure(server: Server, key: str, args: argparse.Namespace) -> list[str]:
    from playwright.async_api import async_playwright

    from bench.dashboard_browser import ARGS, CHROMIUM

    if shutil.which(CHROMIUM) is None:
        raise SystemExit("needs Debian's chromium: make chromium")
    report: list[str] = []
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with (
        httpx.AsyncClient(base_url=server.base, timeout=120, limits=limits) as client,
        async_playwright() as playwright,
    ):
        token = await sign_in(client, key)
        cookie = {
            "name": "civic_dashboard",
            "value": token,
            "domain": "127.0.0.1",
            "path": "/dashboard",
            "httpOnly": True,
            "sameSite": "Strict",
        }
        dependencies = (await client.get("/dashboard/_dash-dependencies")).json()
        body = router_body(dependencies)
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            print(f"1. first render of the overview, {args.runs} runs", flush=True)
            first = await first_render(client, key, body, args.runs, browser, cookie, args.profile)
            report += first_render_lines(first)
            print("\n".join(report), flush=True)
            assert first.built is not None
            print(f"2. baseline: {args.baseline_clients} websocket client(s), {args.events} events")
            base_updates = await baseline_updates(client, key, server, args)
            callbacks = None
            if args.callback_clients:
                print(f"2. {args.callback_clients} websocket clients + router callback")
                callbacks = await callback_updates(client, dependencies, server, args)
            print(f"2. {args.dashboards} dashboards in Chromium, {args.events} events")
            opened = await open_many(browser, server.base, cookie, first.built, args.dashboards)
            try:
                updates = await browser_updates(client, opened, server, args.events, args)
                report += update_lines(opened, updates, base_updates, callbacks, args)
                if args.profile is not None:
                    report += await profiled_updates(client, opened, server, args)
                report += [f"console errors: {e}" for d in opened.dashboards for e in d.errors][:5]
            finally:
                for dashboard in opened.dashboards:
                    with contextlib.suppress(Exception):
                        await dashboard.context.close()
        finally:
            await browser.close()
    return report


def first_render_lines(first: FirstRender) -> list[str]:
    base = median(first.without_dash_s)
    callback = median(first.callback_s)
    browser = median(first.browser_s)
    assert first.built is not None
    charts = ", ".join(drawn_charts(first.built)) or "none"
    verdict = "met" if browser < FIRST_RENDER_TARGET_S else "MISSED"
    lines = [
        f"1. first render of the overview ({first.built.tiles} tiles; charts drawn: {charts}), "
        f"median of {len(first.browser_s)} (target < {FIRST_RENDER_TARGET_S:.0f} s: {verdict})",
        f"   baseline, GraphQL documents + builders (no Dash): {base * 1000:8.1f} ms",
        f"   (a) router callback page.children over HTTP:     {callback * 1000:8.1f} ms"
        f"   x baseline {callback / base:.2f}",
        f"       the same for a second viewer of the view (its shared render): "
        f"{median(first.shared_s) * 1000:.1f} ms",
        f"   (b) Chromium, navigation start to drawn:         {browser * 1000:8.1f} ms"
        f"   x baseline {browser / base:.2f}",
        "   runs (ms): baseline "
        + " ".join(f"{s * 1000:.0f}" for s in first.without_dash_s)
        + " | callback "
        + " ".join(f"{s * 1000:.0f}" for s in first.callback_s)
        + " | browser "
        + " ".join(f"{s * 1000:.0f}" for s in first.browser_s),
    ]
    lines.append("   where the browser's time goes (median ms from navigation start):")
    for milestone in first.timelines[0] if first.timelines else {}:
        values = [float(v) for t in first.timelines if (v := t.get(milestone)) is not None]
        if values:
            lines.append(f"      {milestone:<26} {median(values):8.0f}")
    lines += [f"   console error: {e}" for e in first.errors[:5]]
    if first.profile is not None:
        from bench.dashboard_browser import profile_summary

        lines.append(profile_summary(first.profile, 15))
    return lines


def update_lines(
    opened: Opened,
    updates: Updates,
    base: Updates,
    callbacks: Updates | None,
    args: argparse.Namespace,
) -> list[str]:
    n = len(opened.dashboards)
    ours, theirs = updates.samples(), base.samples()
    verdict = "met" if ours and rank(ours, 0.95) < UPDATE_TARGET_S else "MISSED"
    lines = [
        f"2. event (fileCase) to update, {n} dashboards open, {args.events} events spaced "
        f"{args.spacing:.1f} s after the last update (target p95 < {UPDATE_TARGET_S:.0f} s: "
        f"{verdict})"
    ]
    if n < args.dashboards:
        lines.append(f"   only {n} of {args.dashboards} dashboards opened: {opened.refused}")
    elif opened.refused:
        lines.append(f"   {opened.refused.strip()}")
    lines.append(
        f"   memory available: {opened.mem_before_mib:,} MiB before opening, "
        f"{opened.mem_after_mib:,} MiB with {n} open"
    )
    sides = [
        (
            f"baseline, {args.baseline_clients} websocket client(s) + GraphQL + builders",
            base,
            "bench",
        ),
        (f"dashboards in Chromium ({n})", updates, "browser"),
    ]
    if callbacks is not None:
        label = f"{args.callback_clients} websocket clients + router callback (no browser)"
        sides.insert(1, (label, callbacks, "bench"))
    for label, u, cpu_name in sides:
        s = u.samples()
        if not s:
            lines.append(f"   {label}: no event ran")
            continue
        lines.append(
            f"   {label}: p50 {ms(rank(s, 0.5))}  p95 {ms(rank(s, 0.95))}  "
            f"max {ms(max(s))}  ({len(s) - u.missed()} of {len(s)} updates seen within "
            f"{args.wait:.0f} s; 'none' = not updated; {u.refused} figures refused by the server)"
        )
        lines.append(
            f"      per event: CPU server {u.server_cpu_s:.2f} s, "
            f"{cpu_name} {u.client_cpu_s:.2f} s; fileCase answered in "
            f"{median(u.file_case_s) * 1000:.0f} ms (median)"
        )
    if ours and theirs:
        ratios = [rank(ours, q) / rank(theirs, q) for q in (0.5, 0.95)]
        lines.append(
            "   ratio dashboards / baseline: "
            + "  ".join(f"{name} {r:.2f}" for name, r in zip(("p50", "p95"), ratios, strict=True))
        )
    if callbacks is not None and callbacks.samples() and theirs:
        served = callbacks.samples()
        ratios = [rank(served, q) / rank(theirs, q) for q in (0.5, 0.95)]
        lines.append(
            "   ratio router callbacks / baseline: "
            + "  ".join(f"{name} {r:.2f}" for name, r in zip(("p50", "p95"), ratios, strict=True))
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="a city to seed or reuse (default: a temp)")
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--history-days", type=int, default=7)
    parser.add_argument("--runs", type=int, default=10, help="first renders per side")
    parser.add_argument("--dashboards", type=int, default=50)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument(
        "--callback-clients",
        type=int,
        default=50,
        help="websocket clients that POST the router callback on each push (0: none)",
    )
    parser.add_argument(
        "--baseline-clients",
        type=int,
        default=1,
        help="websocket clients of the baseline (1: the one build a shared render stands for)",
    )
    parser.add_argument("--spacing", type=float, default=1.5, help="seconds between events")
    parser.add_argument("--wait", type=float, default=90, help="seconds to wait for an update")
    parser.add_argument("--profile", type=Path, help="profile more events into this folder")
    parser.add_argument("--profile-events", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the temporary city")
    args = parser.parse_args()
    if args.spacing <= 1:
        parser.error("--spacing must be more than 1 second")
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="civic-dashboard-bench-"))
    env = bench_environment(data_dir)
    started = datetime.now(UTC)
    load = os.getloadavg()
    try:
        seeded_s = seed(env, args.scale, args.history_days)
        key = analyst_key(env)
        with serving(env) as server:
            report = asyncio.run(measure(server, key, args))
    finally:
        if args.data_dir is None and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        elif args.data_dir is None:
            print(f"the city is kept in {data_dir} (pass --data-dir {data_dir})")
    print()
    print(
        f"{started:%Y-%m-%d %H:%M} UTC, {platform.machine()} {os.cpu_count()} cores, "
        f"python {platform.python_version()}, scale {args.scale}, "
        f"seeding (or finding the seed) {seeded_s:.0f} s, "
        f"load average at start {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}, "
        f"at end {os.getloadavg()[0]:.2f}"
    )
    print("\n".join(report))


if __name__ == "__main__":
    main()
