"""A CliRunner that fails the test when an exception escapes the CLI's error boundary.

Typer's CliRunner never prints a traceback: an escaped exception only shows as exit code 1
and `result.exception`, so `exit_code == 1` alone cannot tell a handled error from a crash.
"""

from __future__ import annotations

from typing import Any

from typer.testing import CliRunner, Result


class BoundaryRunner(CliRunner):
    """`invoke` raises AssertionError unless the command ended normally or by SystemExit."""

    def invoke(self, *args: Any, **kwargs: Any) -> Result:
        result = super().invoke(*args, **kwargs)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(
                f"an exception escaped the CLI boundary: {result.exception!r}"
            ) from result.exception
        return result


def assert_refused(result: Result, exit_code: int = 1) -> None:
    """A handled refusal: `exit_code`, through SystemExit, one line on stderr."""
    assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
