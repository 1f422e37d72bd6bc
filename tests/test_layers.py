"""The import contracts of pyproject's `[tool.importlinter]` (README.md, "Layers").

`make layers` runs them on the real tree. These tests prove the contracts can fail: they run
`lint-imports` with the real contracts over a tree of stub packages with the same names, one
forbidden import at a time (at module level, inside a function, under `if TYPE_CHECKING:`), and
they check that no top-level package escapes the contracts.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
# Top-level packages that are not the product (not installed; outside README.md's layers).
NOT_LAYERED = {"tests", "bench"}
DOMAINS = ("city", "sensing", "services", "data", "identity", "trust", "analytics")


def importlinter_config() -> dict[str, Any]:
    """The `[tool.importlinter]` table of the repository's pyproject.toml."""
    with (REPO / "pyproject.toml").open("rb") as file:
        config: dict[str, Any] = tomllib.load(file)["tool"]["importlinter"]
    return config


def layer_names(config: dict[str, Any]) -> list[str]:
    """Every package named in the layers contract, optional ones (in parentheses) included."""
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    names: list[str] = []
    for layer in contract["layers"]:
        names += [part.strip().strip("()") for part in layer.replace(":", "|").split("|")]
    return names


def top_level_packages() -> set[str]:
    """Folders at the repository's root holding an `__init__.py`."""
    return {path.parent.name for path in REPO.glob("*/__init__.py")}


def test_every_top_level_package_is_checked() -> None:
    config = importlinter_config()
    layered = top_level_packages() - NOT_LAYERED
    # A package missing from root_packages is never read: its imports would go unchecked.
    assert layered <= set(config["root_packages"]), (
        "add the new package to [tool.importlinter] root_packages and to the layers contract"
    )
    assert set(config["root_packages"]) <= set(layer_names(config))


def test_the_layers_of_the_design_are_named() -> None:
    assert layer_names(importlinter_config()) == [
        "civicgraph",
        "dashboards",
        "resolvers",
        "subscriptions",
        "ml",
        "zk",
        "ledger",
        "seeds",
        "graph",
    ]


def test_type_checking_imports_count() -> None:
    assert importlinter_config().get("exclude_type_checking_imports", False) is False


def write_stub_tree(root: Path, extra: dict[str, str]) -> None:
    """Stub packages named as the real ones (dashboards and ml included), and the real contracts.

    `extra` maps a module path (e.g. "graph/bad.py") to its source.
    """
    config = importlinter_config()
    packages = layer_names(config)
    config["root_packages"] = packages  # as it will read once dashboards/ and ml/ exist
    folders = [*packages, "resolvers/core", *(f"resolvers/{domain}" for domain in DOMAINS)]
    for folder in folders:
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / "__init__.py").write_text("")
    for path, source in extra.items():
        (root / path).write_text(source)
    (root / ".importlinter").write_text(ini(config))


def ini(config: dict[str, Any]) -> str:
    """`config` (pyproject's table) in import-linter's INI form, which needs no TOML writer."""
    lines = ["[importlinter]", "root_packages =", *(f"    {p}" for p in config["root_packages"])]
    lines.append(f"exclude_type_checking_imports = {config.get('exclude_type_checking_imports')}")
    for contract in config["contracts"]:
        lines += ["", f"[importlinter:contract:{contract['id']}]"]
        for key, value in contract.items():
            if key == "id":
                continue
            if isinstance(value, list):
                lines += [f"{key} =", *(f"    {item}" for item in value)]
            else:
                lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` run in `root` (its folder comes first on sys.path, before the real tree)."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", ".importlinter", "--no-cache", "--no-logo"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_stub_tree_keeps_every_contract(tmp_path: Path) -> None:
    downward = {
        "civicgraph/app.py": "import dashboards\nimport resolvers.core\n",
        "dashboards/pages.py": "import resolvers.city\n",
        "resolvers/city/types.py": "import resolvers.core\nimport zk\nimport ml\n",
        "resolvers/core/info.py": "import subscriptions\n",
        "zk/polls.py": "import ledger\nimport seeds\n",
        "ml/models.py": "import seeds\n",
        "ledger/log.py": "import graph\n",
    }
    write_stub_tree(tmp_path, downward)
    result = lint_imports(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


LAZY = "def load() -> None:\n    import {imported}\n"
TYPE_CHECKING_ONLY = (
    "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import {imported}\n"
)


@pytest.mark.parametrize(
    ("importer", "imported", "template", "broken"),
    [
        ("graph.store", "ledger", "import {imported}\n", "Layers run one way"),
        ("ledger.log", "zk", LAZY, "Layers run one way"),
        ("seeds.seed", "ledger", TYPE_CHECKING_ONLY, "Layers run one way"),
        ("subscriptions.live", "zk", "from {imported} import wallet\n", "Layers run one way"),
        ("ml.features", "subscriptions", LAZY, "Layers run one way"),
        ("resolvers.schema", "dashboards", "import {imported}\n", "Layers run one way"),
        ("graph.records", "civicgraph", TYPE_CHECKING_ONLY, "Layers run one way"),
        ("resolvers.city.types", "resolvers.sensing", LAZY, "never imports another domain"),
        ("resolvers.data.types", "resolvers.services", TYPE_CHECKING_ONLY, "another domain"),
        ("resolvers.core.arguments", "resolvers.city", "import {imported}\n", "imports no domain"),
    ],
)
def test_an_import_against_the_contracts_fails(
    tmp_path: Path, importer: str, imported: str, template: str, broken: str
) -> None:
    path = importer.replace(".", "/") + ".py"
    write_stub_tree(tmp_path, {path: template.format(imported=imported)})
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Contracts: 2 kept, 1 broken." in result.stdout
    report = result.stdout.split("Broken contracts", 1)[1]
    assert broken in report
    assert f"{importer} -> {imported}" in report
