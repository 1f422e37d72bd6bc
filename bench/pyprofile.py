"""Where a Python server spends its CPU under load: py-spy samples, by package and by function.

`py-spy record --format raw` writes one line per distinct stack, `frame;frame;…;leaf COUNT`, each
frame `function (file:line)`. Every thread is sampled (the event loop and the drivers' threads:
LadybugDB's pool, aiosqlite's thread) and idle threads are left out, so the counts are CPU.

    python -m bench.pyprofile FILE.txt [--top 15]
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench import profile_summary
from bench.profile_summary import ranked

_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")
_SITE = re.compile(r"(?:site|dist)-packages/([^/]+)")
_OURS = ("civicgraph", "graph", "resolvers", "subscriptions", "ledger", "seeds", "zk", "bench")


@dataclass(frozen=True)
class Samples:
    """Samples on CPU: in all, and on top of the stack by package and by function."""

    total: int
    by_package: Counter[str]
    by_function: Counter[str]


def package_of(filename: str) -> str:
    """Where a frame's code lives: our top-level folder (`graph/`), an installed package, or a
    standard-library module (`asyncio (stdlib)`). py-spy names files relative to sys.path."""
    match = _SITE.search(filename)
    first = match.group(1) if match else filename.split("/", 1)[0]
    first = first.removesuffix(".py")
    if not first or first.startswith("<"):
        return first or "native"
    if first in _OURS and not match:
        return f"{first}/"
    if first in sys.stdlib_module_names:
        return f"{first} (stdlib)"
    return first


def read_samples(text: str) -> Samples:
    """Count each stack's samples onto its leaf frame."""
    by_package: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        leaf = stack.rsplit(";", 1)[-1]
        match = _FRAME.match(leaf)
        function, filename = (match["function"], match["file"]) if match else (leaf, "")
        package = package_of(filename)
        by_package[package] += int(count)
        by_function[f"{function} ({package})"] += int(count)
    return Samples(sum(by_package.values()), by_package, by_function)


def summary(path: Path, top: int = 15) -> str:
    """Lines: the samples on CPU, then the `top` packages and functions by share of them."""
    samples = read_samples(path.read_text())
    total = samples.total or 1
    lines = [f"{path.name}: {samples.total} samples on CPU (every thread)"]
    lines.append("  on CPU, by package of the running frame:")
    lines += ranked(samples.by_package, total, top)
    lines.append("  on CPU, by function:")
    lines += ranked(samples.by_function, total, top)
    return "\n".join(lines)


def record(pid: int, seconds: int, out: Path) -> subprocess.Popen[bytes]:
    """Start py-spy sampling `pid` for `seconds` into `out` (raw format), without pausing it.

    SystemExit when py-spy is not installed (`pip install -e '.[bench]'`).
    """
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.is_file():
        raise SystemExit("--profile needs py-spy: pip install -e '.[bench]'")
    argv = [str(spy), "record", "--pid", str(pid), "--duration", str(seconds), "--nonblocking"]
    argv += ["--format", "raw", "--output", str(out)]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    """`python -m bench.pyprofile FILE... [--top 15]`: each file's summary."""
    profile_summary.main(summary, __doc__)


if __name__ == "__main__":
    main()
