"""Outside tests, `assert` only states a type or a precondition: no work inside it.

`python -O` removes every assert, with whatever its expression does: a benchmark that timed
`assert verify(...)` timed nothing. Asserts in these folders may call only the builtins below.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import REPO

FOLDERS = ("bench", "civicgraph", "graph", "ledger", "resolvers", "seeds", "subscriptions", "zk")
PURE = {"isinstance", "issubclass", "len", "callable", "hasattr", "type"}


def calls_with_effects(tree: ast.AST) -> list[int]:
    """Line numbers of asserts whose expression calls anything but the PURE builtins."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assert):
            continue
        for inner in ast.walk(node.test):
            if isinstance(inner, ast.Call) and not (
                isinstance(inner.func, ast.Name) and inner.func.id in PURE
            ):
                lines.append(node.lineno)
                break
    return lines


def test_the_rule_catches_work_inside_an_assert() -> None:
    assert calls_with_effects(ast.parse("assert verify(proof)\nassert x.check()")) == [1, 2]
    assert calls_with_effects(ast.parse("assert isinstance(x, int) and len(y) == 2")) == []


@pytest.mark.parametrize("folder", FOLDERS)
def test_no_assert_does_work_outside_tests(folder: str) -> None:
    found = [
        f"{path.relative_to(REPO)}:{line}"
        for path in sorted((REPO / folder).rglob("*.py"))
        for line in calls_with_effects(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert found == [], "asserts removed by python -O would take this work with them"


def test_the_folders_exist() -> None:
    assert all(Path(REPO / folder).is_dir() for folder in FOLDERS)
