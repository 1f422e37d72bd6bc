"""Own time by package and by function in a cProfile file (`python -m cProfile -o FILE …`).

Only the profiled process's main thread is seen: time the event loop spends waiting for the
drivers' threads (LadybugDB's pool, aiosqlite) shows as `select.epoll.poll`.

    python -m bench.pyprofile FILE.prof [--top 15]
"""

from __future__ import annotations

import argparse
import pstats
import re
from collections import Counter
from pathlib import Path

_SITE = re.compile(r"(?:site|dist)-packages/([^/]+)")
_OURS = ("civicgraph", "graph", "resolvers", "subscriptions", "ledger", "seeds", "zk", "bench")


def package_of(filename: str) -> str:
    """The installed package, our top-level folder, 'stdlib' or '~' (C builtins) of a file."""
    match = _SITE.search(filename)
    if match:
        return match.group(1).removesuffix(".py")
    if filename == "~":
        return "~ (builtins)"
    parts = Path(filename).parts
    for ours in _OURS:
        if ours in parts and "lib" not in parts[: parts.index(ours)]:
            return f"{ours}/"
    return "stdlib"


def summary(path: Path, top: int = 15) -> str:
    """Lines: total own time, then the `top` packages and functions by share of it."""
    stats = pstats.Stats(str(path))
    table = stats.stats  # type: ignore[attr-defined]
    by_package: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    for (filename, line, name), (_calls, _primitive, own, _cumulative, _callers) in table.items():
        package = package_of(filename)
        by_package[package] += own
        by_function[f"{name} ({package}{'' if filename == '~' else f':{line}'})"] += own
    total = sum(by_package.values()) or 1.0
    lines = [f"{path.name}: {total:.1f} s of own time (main thread)"]
    lines.append("  own time by package:")
    for package, seconds in by_package.most_common(top):
        lines.append(f"    {100 * seconds / total:5.1f}%  {package}")
    lines.append("  own time by function:")
    for function, seconds in by_function.most_common(top):
        lines.append(f"    {100 * seconds / total:5.1f}%  {function}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profiles", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    for path in args.profiles:
        print(summary(path, args.top))


if __name__ == "__main__":
    main()
