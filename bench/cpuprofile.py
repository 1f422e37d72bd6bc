"""Self time by npm package and by function in a V8 `.cpuprofile` (written by `node --cpu-prof`).

The format is Chrome DevTools' `Profiler.Profile`: `nodes` (call-tree nodes, each a `callFrame`
with `functionName` and `url`), `samples` (the node on top of the stack at each tick) and
`timeDeltas` (µs since the previous tick).

    python -m bench.cpuprofile FILE.cpuprofile [--top 15]
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import profile_summary
from bench.profile_summary import ranked

IDLE = "(idle)"
_PACKAGE = re.compile(r"node_modules/((?:@[^/]+/)?[^/]+)/")


@dataclass(frozen=True)
class SelfTime:
    """Busy µs (ticks other than idle) and the µs spent on top of the stack per package and per
    function (`name (package)`)."""

    busy_us: float
    idle_us: float
    by_package: Counter[str]
    by_function: Counter[str]


def package_of(url: str, function_name: str) -> str:
    """Where a frame's code comes from: an npm package, 'node' (its runtime), 'gateway/'
    (our scripts), 'V8' (builtins such as JSON.parse), or a V8 pseudo-frame like '(program)'."""
    match = _PACKAGE.search(url)
    if match:
        return match.group(1)
    if url.startswith("node:"):
        return "node"
    if "/gateway/" in url:
        return "gateway/"
    if not url:
        return function_name if function_name.startswith("(") else "V8"
    return url


def self_time(profile: dict[str, Any], window_us: tuple[float, float] | None = None) -> SelfTime:
    """Sum each tick's time onto the frame it sampled, by package and by function.

    With `window_us` (start, end), only ticks inside it count. V8 stamps ticks with
    CLOCK_MONOTONIC in µs, the clock of Python's `time.monotonic()`.
    """
    frames = {node["id"]: node["callFrame"] for node in profile["nodes"]}
    by_package: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    idle = 0.0
    at = float(profile["startTime"])
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        at += delta
        if window_us is not None and not window_us[0] <= at <= window_us[1]:
            continue
        frame = frames[node_id]
        name = frame["functionName"] or "(anonymous)"
        package = package_of(frame["url"], name)
        if package == IDLE:
            idle += delta
            continue
        by_package[package] += delta
        by_function[f"{name} ({package})"] += delta
    return SelfTime(float(sum(by_package.values())), idle, by_package, by_function)


def summary(path: Path, top: int = 15, window_us: tuple[float, float] | None = None) -> str:
    """Lines: busy and idle time, then the `top` packages and functions by share of busy time
    (inside `window_us` when given, see `self_time`)."""
    result = self_time(json.loads(path.read_text()), window_us)
    busy = result.busy_us or 1.0
    lines = [f"{path.name}: busy {result.busy_us / 1e6:.1f} s, idle {result.idle_us / 1e6:.1f} s"]
    lines.append("  self time by package:")
    lines += ranked(result.by_package, busy, top)
    lines.append("  self time by function:")
    lines += ranked(result.by_function, busy, top)
    return "\n".join(lines)


def main() -> None:
    """`python -m bench.cpuprofile FILE... [--top 15]`: each file's summary."""
    profile_summary.main(summary, __doc__)


if __name__ == "__main__":
    main()
