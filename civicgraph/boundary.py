"""The CLI's one error boundary: every error a command lets out becomes one line and an exit code.

| exit | meaning |
|---|---|
| 0 | done |
| 1 | a handled error: a `CivicGraphError`, a bad `CIVIC_*` setting, or an unexpected error |
| 2 | a usage error (Click's: an unknown option, a flag out of its range) |
| 3 | `civicgraph serve` could not start (`StartupFailed`) |

Some commands document their own codes besides (`cert verify`, `wallet verify`). An unexpected
error (a bug) is logged with its traceback to `<CIVIC_DATA_DIR>/logs/civicgraph.log`, and the
line says so; `CIVIC_DEBUG=1` shows the traceback on the terminal instead.
"""

from __future__ import annotations

import errno
import logging
import os
import tempfile
from enum import IntEnum
from pathlib import Path
from typing import Any, ClassVar

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.markup import escape
from typer._click import Context  # typer >= 0.29 vendors Click: its Context type
from typer.core import TyperGroup

from civicgraph.cli_bounds import bound_text_parameters
from civicgraph.console import err
from civicgraph.settings import REPO_ROOT, Settings
from graph.errors import CivicGraphError

LOG_NAME = "civicgraph.log"
DEBUG_VARIABLE = "CIVIC_DEBUG"


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    STARTUP_FAILED = 3


class CliError(CivicGraphError):
    """A CivicGraphError of the CLI itself, with the exit code the boundary gives it."""

    exit_code: ClassVar[int] = ExitCode.ERROR


def debug_enabled() -> bool:
    """True when `CIVIC_DEBUG` is set to 1/true/yes/on: unexpected errors show their traceback."""
    return os.environ.get(DEBUG_VARIABLE, "").strip().lower() in {"1", "true", "yes", "on"}


def one_line(text: str) -> str:
    """`text` with every run of whitespace (newlines included) folded into one space."""
    return " ".join(text.split())


def describe_validation(error: ValidationError) -> str:
    """One line for a pydantic ValidationError; a `Settings` field is named by its env variable.

    E.g. `CIVIC_PORT: Input should be a valid integer, unable to parse string as an integer`.
    """
    prefix = str(Settings.model_config.get("env_prefix", ""))
    parts: list[str] = []
    for item in error.errors(include_url=False):
        loc = [str(part) for part in item["loc"]]
        if error.title == Settings.__name__ and loc:
            loc[0] = f"{prefix}{loc[0]}".upper()
        else:
            loc.insert(0, error.title)
        parts.append(f"{'.'.join(loc)}: {item['msg']}")
    return one_line("; ".join(parts))


def describe_settings_error(error: SettingsError) -> str:
    """One line for pydantic-settings' own parse errors (a complex field's value is not JSON)."""
    text = str(error)
    prefix = str(Settings.model_config.get("env_prefix", ""))
    for name in Settings.model_fields:
        if f'field "{name}"' in text:
            cause = f": {error.__cause__}" if error.__cause__ is not None else ""
            return one_line(f"{prefix}{name}".upper() + f": cannot parse the value{cause}")
    return one_line(text)


def log_path() -> Path:
    """Where unexpected errors are logged: `<CIVIC_DATA_DIR>/logs/civicgraph.log`.

    Falls back to the default data folder when the settings cannot be read, and to the system's
    temporary folder when that cannot be written.
    """
    try:
        data_dir = Settings().data_dir
    except (ValidationError, SettingsError):
        data_dir = REPO_ROOT / "var"
    for folder in (data_dir / "logs", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder / LOG_NAME
    return Path(tempfile.gettempdir()) / LOG_NAME


def log_unexpected(error: BaseException, what: str) -> Path:
    """Append `what` and `error`'s traceback to the log file (never the terminal); its path."""
    path = log_path()
    logger = logging.getLogger("civicgraph.cli.errors")
    logger.propagate = False  # the root logger's last-resort handler would print it on stderr
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    try:
        logger.error("%s", what, exc_info=(type(error), error, error.__traceback__))
    finally:
        logger.removeHandler(handler)
        handler.close()
    return path


def unexpected_line(error: BaseException, when: str = "") -> str:
    """Log `error` and say, in one line, what it was and where its traceback is."""
    what = f"unexpected {type(error).__name__}{when}: {one_line(str(error))}"
    path = log_path()
    try:
        path = log_unexpected(error, what)
        where = f"its traceback is in {path}"
    except OSError as cannot:
        where = f"its traceback could not be logged to {path} ({cannot.strerror})"
    return f"{what} (a bug: {where}; {DEBUG_VARIABLE}=1 shows it here)"


def _innermost(error: BaseException) -> BaseException:
    """The one error inside nested exception groups of one error each (asyncio task groups)."""
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    return error


def exit_for(error: Exception) -> typer.Exit:
    """Print `error` as one line on stderr; the Exit (with its code) for the caller to raise.

    Re-raises `error` itself when it is unexpected and `CIVIC_DEBUG` is on.
    """
    inner = _innermost(error)
    code: int = ExitCode.ERROR
    if isinstance(inner, CivicGraphError):
        message = one_line(str(inner)) or type(inner).__name__
        code = getattr(inner, "exit_code", ExitCode.ERROR)
    elif isinstance(inner, ValidationError):
        message = describe_validation(inner)
    elif isinstance(inner, SettingsError):
        message = describe_settings_error(inner)
    else:
        if debug_enabled():
            raise error
        message = unexpected_line(inner)
    err.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True, highlight=False)
    return typer.Exit(code)


class BoundaryGroup(TyperGroup):
    """The root command group: runs every (sub)command inside the one error boundary.

    Typer's own exceptions (usage errors, `typer.Exit`, aborts) pass through untouched. Every
    text argument and option of every command gets the bounds of `cli_bounds` (usage errors).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_text_parameters(self)

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise
        except EOFError:  # a prompt on a closed stdin: Click turns it into "Aborted!"
            raise
        except OSError as error:
            if error.errno == errno.EPIPE:  # stdout closed by `| head`: Click exits quietly
                raise
            raise exit_for(error) from None
        except Exception as error:
            raise exit_for(error) from None
