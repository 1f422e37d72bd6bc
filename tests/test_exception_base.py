"""One exception base: every exception class of our packages derives from CivicGraphError.

Each door (HTTP, websocket, the CLI's boundary) catches CivicGraphError once; an exception class
outside it would reach a door as an unexpected error (a 500, a traceback, "a bug").
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

from graph.errors import CivicGraphError

# resolvers/ is being split into domains (issue 14); its errors join this list when it settles.
PACKAGES = ("civicgraph", "graph", "ledger", "ml", "zk", "seeds", "subscriptions")


def exception_classes(package: str) -> list[type[BaseException]]:
    """Every exception class defined at module level in `package` and its submodules. Errors are
    `Exception`s; a BaseException that is not one is a signal (like KeyboardInterrupt: `federation
    up`'s Stop), not an error, and no boundary catches it as one."""
    root = importlib.import_module(package)
    names = [package, *(m.name for m in pkgutil.walk_packages(root.__path__, f"{package}."))]
    found: list[type[BaseException]] = []
    for name in names:
        module = importlib.import_module(name)
        found += [
            value
            for value in vars(module).values()
            if inspect.isclass(value) and issubclass(value, Exception) and value.__module__ == name
        ]
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exception_derives_from_the_one_base(package: str) -> None:
    outside = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in exception_classes(package)
        if not issubclass(cls, CivicGraphError)
    ]
    assert outside == []


def test_the_walk_reaches_submodules() -> None:
    from civicgraph.graphql_door.body import JsonInvalid
    from zk.bbs.fixtures import FixtureDirectoryError

    assert JsonInvalid in exception_classes("civicgraph")
    assert FixtureDirectoryError in exception_classes("zk")
