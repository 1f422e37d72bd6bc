"""wrk, the HTTP load generator of the benchmarks: one run's requests, req/s, p50 and p99."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class WrkRun:
    """One wrk run: `requests` completed in it, their rate (req/s), latency p50 and p99 (ms)."""

    requests: int
    rps: float
    p50_ms: float
    p99_ms: float


def require_wrk() -> None:
    """SystemExit saying how to install wrk when it is not on PATH."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")


def latency_ms(text: str) -> float:
    """wrk's latency figure ('812.00us', '4.21ms', '1.02s') in milliseconds."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise SystemExit(f"wrk printed a latency this bench cannot read: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def run_wrk(
    url: str, seconds: int, connections: int, headers: Mapping[str, str] | None = None
) -> WrkRun:
    """GET `url` for `seconds` on `connections` connections (one wrk thread).

    SystemExit when wrk fails or any answer is not 2xx (a refused or failed query is not a
    figure).
    """
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    out = subprocess.run([*argv, url], check=True, capture_output=True, text=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    done = re.search(r"(\d+) requests in", out)
    p50 = re.search(r"^[ \t]+50%[ \t]+(\S+)", out, re.MULTILINE)
    p99 = re.search(r"^[ \t]+99%[ \t]+(\S+)", out, re.MULTILINE)
    if rate is None or done is None or p50 is None or p99 is None or "Non-2xx" in out:
        raise SystemExit(f"wrk failed or saw errors:\n{out}")
    return WrkRun(
        int(done.group(1)), float(rate.group(1)), latency_ms(p50.group(1)), latency_ms(p99.group(1))
    )
