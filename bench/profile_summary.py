"""What the profile summaries (bench.cpuprofile, bench.pyprofile) share: ranked lines, a CLI."""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable
from pathlib import Path


def ranked(counts: Counter[str], total: float, top: int) -> list[str]:
    """The `top` entries of `counts`, largest first, as lines `    12.3%  name`: each entry's share
    of `total` (> 0, in the counts' unit: µs, samples)."""
    return [f"    {100 * amount / total:5.1f}%  {name}" for name, amount in counts.most_common(top)]


def main(summary: Callable[[Path, int], str], doc: str | None) -> None:
    """Print `summary(path, top)` for each profile file named on the command line.

    Usage `python -m bench.<module> FILE... [--top 15]`; the help's description is the first line
    of `doc` (the module's docstring). Exits 2 (argparse) on a usage mistake.
    """
    parser = argparse.ArgumentParser(description=(doc or "").partition("\n")[0])
    parser.add_argument("profiles", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    for path in args.profiles:
        print(summary(path, args.top))
