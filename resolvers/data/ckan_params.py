"""Reading a CKAN Action API call's arguments: a GET query string or a POST JSON object.

CKAN 2.x `ckan/views/api.py`: a GET's parameters are text, a POST's body is a JSON object
(`ckanapi` posts `application/json`). Here every argument is checked before an action runs:
a body that is not a JSON object of at most MAX_BODY bytes is a 400 "Bad request"; an argument
of the wrong type, out of its bounds or holding text the stores cannot hold (graph/
storable_text.py) is a 409 "Validation Error" naming it, as CKAN's validators answer.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from graph.errors import CivicGraphError
from graph.request_body import BodyTooLarge, LengthInvalid, read_body
from graph.storable_text import unstorable_in

MAX_BODY = 64 * 1024
"""Bytes of a POST body: CKAN's read actions take a few short arguments."""
MAX_ARGUMENTS = 32
MAX_TEXT = 1000
"""Characters of one text argument (`q`, `fq`, `id`, `sort`)."""


class CkanProblem(CivicGraphError):
    """A call an action refuses: HTTP `status`, CKAN's error `__type`, a `message`, and for a
    Validation Error the `field` it is about (CKAN's error dict `{field: [message]}`)."""

    def __init__(self, status: int, kind: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message
        self.field = field

    def error(self) -> dict[str, Any]:
        """CKAN's `error` object: `__type`, `message`, and `{field: [message]}` if any."""
        body: dict[str, Any] = {"__type": self.kind, "message": self.message}
        if self.field is not None:
            body[self.field] = [self.message]
        return body


def invalid(field: str, message: str) -> CkanProblem:
    """A 409 Validation Error about `field`."""
    return CkanProblem(409, "Validation Error", f"{field}: {message}", field)


def not_found(message: str) -> CkanProblem:
    return CkanProblem(404, "Not Found Error", message)


def bad_request(message: str) -> CkanProblem:
    return CkanProblem(400, "Bad request", message)


async def read_arguments(request: Request) -> dict[str, Any]:
    """The call's arguments: the query string's (each name at most once) for GET, the JSON
    object for POST (an empty body is no arguments). Raises CkanProblem."""
    if request.method == "POST":
        try:
            raw = await read_body(request.headers.get("content-length"), request.stream(), MAX_BODY)
        except LengthInvalid as error:
            raise bad_request(str(error)) from None
        except BodyTooLarge:
            raise bad_request(f"the body is over {MAX_BODY} bytes") from None
        arguments = _json_object(raw) if raw.strip() else {}
    else:
        pairs = request.query_params.multi_items()
        arguments = {}
        for name, value in pairs:
            if name in arguments:
                raise invalid(name, "given more than once")
            arguments[name] = value
    if len(arguments) > MAX_ARGUMENTS:
        raise bad_request(f"at most {MAX_ARGUMENTS} arguments")
    bad = unstorable_in(arguments)
    if bad is not None:
        path, why = bad
        raise invalid(path.split(".")[0] or "arguments", f"holds {why}")
    return arguments


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise bad_request("JSON Error: the body is not a JSON object") from None
    if not isinstance(body, dict):
        raise bad_request("JSON Error: the body is not a JSON object")
    return body


def text(arguments: dict[str, Any], name: str, default: str | None = None) -> str | None:
    """A text argument (at most MAX_TEXT characters), or `default` when absent."""
    value = arguments.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise invalid(name, "must be text")
    if len(value) > MAX_TEXT:
        raise invalid(name, f"is over {MAX_TEXT} characters")
    return value


def natural(arguments: dict[str, Any], name: str, default: int, *, most: int) -> int:
    """A whole number in 0..`most` (CKAN's `natural_number_validator`, with a ceiling), given
    as a JSON integer or as decimal digits; `default` when absent."""
    value = arguments.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 12:
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid(name, "must be a natural number")
    if not 0 <= value <= most:
        raise invalid(name, f"must be a natural number from 0 to {most}")
    return value


def boolean(arguments: dict[str, Any], name: str, default: bool = False) -> bool:
    """A boolean, as JSON or as CKAN's text forms ("true"/"false", "1"/"0", "yes"/"no")."""
    value = arguments.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "yes", "on"):
        return True
    if isinstance(value, str) and value.lower() in ("false", "0", "no", "off", ""):
        return False
    raise invalid(name, "must be true or false")
