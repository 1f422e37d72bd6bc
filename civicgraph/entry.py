"""The `civicgraph` command's entry point (pyproject's `[project.scripts]`).

Loading the CLI's modules takes about two seconds; Ctrl-C in that time ends the command as Ctrl-C
during a command does (Typer: exit 130, nothing printed), not with a traceback of the import
it interrupted.
"""

from __future__ import annotations


def main() -> None:
    """Runs `civicgraph.cli.app`. Raises SystemExit(130) on Ctrl-C while its modules load."""
    try:
        from civicgraph.cli import app
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    app()
