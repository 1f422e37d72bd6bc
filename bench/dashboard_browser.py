"""Dashboards in headless Chromium for bench.dashboard: first render and live updates, timed in
the page itself.

Each page gets an init script (before any of its own scripts) with one MutationObserver on the
document. It records:
- `drawnAt`: ms from navigation start (`performance.now()`) to the first DOM state in which every
  KPI tile has its value and each expected chart has a plotly trace drawn in its SVG;
- `changes`: each later change of `#kpi-filed_today`'s text, as `performance.timeOrigin +
  performance.now()` (ms since the epoch, the clock of Python's `time.time()`).

The time is taken when the DOM holds the new text (the observer's callback), not at the next
paint.
"""

from __future__ import annotations

import asyncio
import collections
import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, CDPSession, Page

from bench.profile_summary import ranked

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Debian's chromium headless, offline and quiet; the browser tests use these too."""
ARGS = [
    *CHROMIUM_ARGS,
    # 50 dashboards stand for 50 screens, each in the foreground of its own machine: no
    # background-tab timer throttling or renderer de-prioritising
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
"""As tests/e2e/test_explorer_browser.py launches Debian's chromium, plus no background
throttling."""

INIT = """
(expect => {
  const bench = (window.__bench = { drawnAt: null, changes: [], last: null });
  function drawn() {
    const tiles = document.querySelectorAll('[data-kpi] .kpi-value');
    if (tiles.length < expect.tiles) return false;
    for (const tile of tiles) if (!tile.textContent.trim()) return false;
    return expect.charts.every(id => {
      const graph = document.getElementById('graph-' + id);
      return graph !== null && graph.querySelector('.main-svg g.trace') !== null;
    });
  }
  new MutationObserver(() => {
    if (bench.drawnAt === null) {
      if (drawn()) {
        bench.drawnAt = performance.now();
        const tile = document.getElementById('kpi-filed_today');
        bench.last = tile === null ? null : tile.textContent;
      }
      return;
    }
    const tile = document.getElementById('kpi-filed_today');
    if (tile === null) return;
    const text = tile.textContent;
    if (bench.last !== null && text !== bench.last) {
      const at = performance.timeOrigin + performance.now();
      bench.changes.push([at, text]);
      if (window.__benchChanged) window.__benchChanged(at, text);
    }
    bench.last = text;
  }).observe(document, { subtree: true, childList: true, characterData: true });
})(%s);
"""


@dataclass(frozen=True)
class Expect:
    """What a drawn overview shows: this many tiles, and these chart panels drawn."""

    tiles: int
    charts: tuple[str, ...]


TIMELINE = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const named = end => res.filter(r => r.name.split('?')[0].endsWith(end));
  const callbacks = named('/_dash-update-component');
  const router = callbacks.reduce(
    (a, b) => (a && a.decodedBodySize >= b.decodedBodySize ? a : b), null);
  const scripts = res.filter(r => r.initiatorType === 'script');
  const layout = named('/_dash-layout')[0];
  return {
    'document answered': nav.responseEnd,
    'scripts loaded': Math.max(0, ...scripts.map(r => r.responseEnd)),
    'DOMContentLoaded': nav.domContentLoadedEventEnd,
    'layout answered': layout ? layout.responseEnd : null,
    'router callback sent': router ? router.startTime : null,
    'router callback answered': router ? router.responseEnd : null,
    'drawn': window.__bench.drawnAt,
    'callbacks before drawn': callbacks.filter(r => r.startTime < window.__bench.drawnAt).length,
  };
}"""
"""Milestones of a first render, ms from navigation start (Navigation and Resource Timing);
the router callback is the callback answer with the largest body."""


@dataclass
class Dashboard:
    """One open dashboard: its context, page, what its console said, and each change of the
    filed-today tile (epoch seconds, text), as the page reported it."""

    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)
    changes: list[tuple[float, str]] = field(default_factory=list)


async def open_dashboard(
    browser: Browser,
    base: str,
    cookie: dict[str, Any],
    expect: Expect,
    timeout_ms: float,
    changed: asyncio.Event | None = None,
    profile_to: Path | None = None,
) -> tuple[Dashboard, float]:
    """A new context (cold cache) signed in by `cookie`, showing `/dashboard/` drawn: the
    dashboard and ms from navigation start to drawn. Each later change of the filed-today tile
    is reported by the page (a binding, no polling) into `Dashboard.changes` and sets `changed`.
    With `profile_to`, V8's profile of the page from before navigation to drawn is written
    there. Raises TimeoutError (Playwright's) when it is not drawn within `timeout_ms`."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await context.add_cookies([cookie])  # type: ignore[list-item]
    await context.add_init_script(INIT % json.dumps(asdict(expect)))
    seen: list[tuple[float, str]] = []

    def report(at: float, text: str) -> None:
        seen.append((at / 1000, text))
        if changed is not None:
            changed.set()

    await context.expose_function("__benchChanged", report)
    page = await context.new_page()
    dashboard = Dashboard(context, page, changes=seen)
    page.on("console", lambda m: dashboard.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: dashboard.errors.append(str(e)))
    try:
        cdp = await start_profile(page) if profile_to is not None else None
        await page.goto(f"{base}/dashboard/")
        await page.wait_for_function(
            "() => window.__bench.drawnAt !== null", timeout=timeout_ms, polling=100
        )
        drawn_ms = float(await page.evaluate("window.__bench.drawnAt"))
        if cdp is not None and profile_to is not None:
            await stop_profile(cdp, profile_to)
    except BaseException:
        await context.close()
        raise
    return dashboard, drawn_ms


async def timeline(page: Page) -> dict[str, float | None]:
    """The page's first-render milestones (TIMELINE)."""
    found: dict[str, float | None] = await page.evaluate(TIMELINE)
    return found


async def live_open(page: Page) -> bool:
    """Whether the page's live socket is open (the status line says so)."""
    state = await page.evaluate(
        "() => document.getElementById('live-status')?.dataset.state ?? null"
    )
    return bool(state == "open")


async def start_profile(page: Page, interval_us: int = 500) -> CDPSession:
    """Start V8's sampling profiler in `page` (Chrome DevTools Protocol)."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Profiler.enable")
    await cdp.send("Profiler.setSamplingInterval", {"interval": interval_us})
    await cdp.send("Profiler.start")
    return cdp


async def stop_profile(cdp: CDPSession, out: Path) -> Path:
    """Stop the profiler and write its `Profiler.Profile` to `out` (a .cpuprofile)."""
    profile = (await cdp.send("Profiler.stop"))["profile"]
    await asyncio.to_thread(out.write_text, json.dumps(profile))
    return out


def script_of(url: str, function: str) -> str:
    """A frame's script: the file name of its URL without the query, or V8's pseudo-frame."""
    if not url:
        return function if function.startswith("(") else "V8"
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or url


def profile_summary(path: Path, top: int = 12) -> str:
    """Busy time of a browser page's profile, by script and by function (self time)."""
    profile = json.loads(path.read_text())
    frames = {node["id"]: node["callFrame"] for node in profile["nodes"]}
    by_script: collections.Counter[str] = collections.Counter()
    by_function: collections.Counter[str] = collections.Counter()
    idle = 0.0
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        frame = frames[node_id]
        name = frame["functionName"] or "(anonymous)"
        script = script_of(frame["url"], name)
        if script == "(idle)":
            idle += delta
            continue
        by_script[script] += delta
        by_function[f"{name} ({script}:{frame['lineNumber']})"] += delta
    busy = float(sum(by_script.values())) or 1.0
    lines = [f"{path.name}: busy {busy / 1e6:.2f} s, idle {idle / 1e6:.2f} s (one page)"]
    lines.append("  self time by script:")
    lines += ranked(by_script, busy, top)
    lines.append("  self time by function:")
    lines += ranked(by_function, busy, top)
    return "\n".join(lines)
