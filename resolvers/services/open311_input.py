"""Reading what an Open311 client sends: query strings and request bodies, strictly.

GeoReport v2 takes `application/x-www-form-urlencoded` (the spec's own), `multipart/form-data`
and, here, `application/json`. Every field is text: a file part, a field given twice, bytes that
are not in the declared charset (UTF-8 by default, as the WHATWG URL-encoded parser assumes),
text the stores cannot hold (a NUL, a lone UTF-16 surrogate: graph.storable_text) or a body
over MAX_BODY is an `Open311Problem` carrying the HTTP status the endpoint answers with, never
a half-read value.
"""

from __future__ import annotations

import codecs
import json
from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from graph.errors import CivicGraphError
from graph.request_body import BodyTooLarge, LengthInvalid, read_body
from graph.storable_text import unstorable

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

MAX_BODY = 64 * 1024
"""Bytes per POST body: a 4,000-character description is at most 16 KB of UTF-8."""
MAX_FIELDS = 64
FORM_CHARSETS = frozenset({"utf-8", "ascii", "iso8859-1", "euc_kr", "cp949"})
"""ASCII-compatible charsets a form body may declare (codecs' names); UTF-8 when none is."""


class Open311Problem(CivicGraphError):
    """A request an Open311 endpoint refuses: `status` (4xx) and a `description` for the
    GeoReport error list `[{"code": status, "description": ...}]`."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _text(raw: bytes, charset: str, what: str) -> str:
    try:
        return raw.decode(charset)
    except UnicodeDecodeError:
        raise Open311Problem(400, f"{what} is not valid {charset} text") from None


def _one_each(pairs: list[tuple[str, str]], where: str) -> dict[str, str]:
    if len(pairs) > MAX_FIELDS:
        raise Open311Problem(400, f"at most {MAX_FIELDS} fields in the {where}")
    fields: dict[str, str] = {}
    for name, value in pairs:
        _storable(name, "a field name")
        _storable(value, name)
        if name in fields:
            raise Open311Problem(400, f"{name!r} is given more than once")
        fields[name] = value
    return fields


def parse_urlencoded(raw: bytes, charset: str = "utf-8", where: str = "body") -> dict[str, str]:
    """`name=value&…` (WHATWG application/x-www-form-urlencoded) decoded strictly in `charset`.

    Raw non-ASCII bytes and %-escapes are both taken as bytes of `charset`, so `description=소음`
    sent unescaped and `description=%EC%86%8C%EC%9D%8C` read the same. Requires an
    ASCII-compatible `charset`. Raises Open311Problem (400) for undecodable text or a name given
    twice.
    """
    pairs = []
    for chunk in raw.split(b"&"):
        if not chunk:
            continue
        name, _, value = chunk.partition(b"=")
        pairs.append(
            (
                _text(
                    unquote_to_bytes(name.replace(b"+", b" ")), charset, f"a name in the {where}"
                ),
                _text(
                    unquote_to_bytes(value.replace(b"+", b" ")), charset, f"a value in the {where}"
                ),
            )
        )
    return _one_each(pairs, where)


def _charset(params: dict[bytes, bytes], default: str = "utf-8") -> str:
    declared = params.get(b"charset")
    if declared is None:
        return default
    try:
        name = codecs.lookup(declared.decode("ascii").strip('"')).name
    except (LookupError, UnicodeDecodeError):
        name = ""
    if name not in FORM_CHARSETS:
        shown = declared.decode("ascii", "replace")
        raise Open311Problem(415, f"charset {shown!r} is not supported: send UTF-8")
    return name


def _storable(value: str, name: str) -> str:
    why = unstorable(value)
    if why is not None:
        raise Open311Problem(400, f"{name} holds {why}, which is not storable text")
    return value


def parse_json(raw: bytes) -> dict[str, str | float]:
    """A JSON object of text and number fields (RFC 8259: UTF-8). Numbers stay numbers (for
    lat/long); a nested value, null, boolean or a lone surrogate in a string is refused (400)."""
    try:
        body = json.loads(_text(raw, "utf-8", "the body"))
    except (ValueError, RecursionError):
        raise Open311Problem(400, "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise Open311Problem(400, "the body must be a JSON object")
    if len(body) > MAX_FIELDS:
        raise Open311Problem(400, f"at most {MAX_FIELDS} fields in the body")
    fields: dict[str, str | float] = {}
    for name, value in body.items():
        _storable(name, "a field name")
        if isinstance(value, str):
            fields[name] = _storable(value, name)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            fields[name] = value
        else:
            raise Open311Problem(400, f"{name} must be a string or a number")
    return fields


class _Parts:
    """python-multipart callbacks that keep each part's name, options and bytes."""

    def __init__(self) -> None:
        self.parts: list[tuple[bytes, dict[bytes, bytes], bytes]] = []
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""
        self._data = bytearray()

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._begin,
            "on_part_data": self._part_data,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self._headers, self._data = {}, bytearray()

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        self._data += data[start:end]

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field, self._value = b"", b""

    def _end(self) -> None:
        disposition, options = parse_options_header(self._headers.get(b"content-disposition"))
        _, content = parse_options_header(self._headers.get(b"content-type"))
        if disposition != b"form-data" or b"name" not in options:
            raise Open311Problem(400, "every multipart part needs a form-data name")
        if b"filename" in options or b"filename*" in options:
            name = options[b"name"].decode("utf-8", "replace")
            raise Open311Problem(400, f"{name} must be a text field, not a file")
        self.parts.append((options[b"name"], content, bytes(self._data)))


def parse_multipart(raw: bytes, params: dict[bytes, bytes]) -> dict[str, str]:
    """multipart/form-data (RFC 7578) of text fields only, each decoded strictly in its own
    charset (else the body's, else UTF-8). A file part is refused (400), as is a body that
    python-multipart cannot parse."""
    boundary = params.get(b"boundary")
    if not boundary:
        raise Open311Problem(400, "multipart/form-data needs a boundary")
    default = _charset(params)
    parts = _Parts()
    try:
        parser = MultipartParser(boundary, parts.callbacks())
        parser.write(raw)
        parser.finalize()
    except FormParserError:
        raise Open311Problem(400, "the multipart body is malformed") from None
    pairs = [
        (
            _text(name, "utf-8", "a part name"),
            _text(data, _charset(content, default), "a part"),
        )
        for name, content, data in parts.parts
    ]
    return _one_each(pairs, "body")


async def read_fields(request: Request) -> dict[str, str | float]:
    """The fields of a POST body, by its Content-Type: JSON, URL-encoded form or multipart.

    Raises Open311Problem: 413 over MAX_BODY, 415 for another media type or charset, 400 for
    anything unreadable.
    """
    try:
        raw = await read_body(request.headers.get("content-length"), request.stream(), MAX_BODY)
    except LengthInvalid as error:
        raise Open311Problem(400, str(error)) from None
    except BodyTooLarge:
        raise Open311Problem(413, f"at most {MAX_BODY} bytes per request") from None
    media, params = parse_options_header(request.headers.get("content-type", ""))
    if media == b"application/json":
        if _charset(params) != "utf-8":
            raise Open311Problem(415, "JSON is UTF-8 (RFC 8259)")
        return dict(parse_json(raw))
    if media == b"application/x-www-form-urlencoded":
        return dict(parse_urlencoded(raw, _charset(params)))
    if media == b"multipart/form-data":
        return dict(parse_multipart(raw, params))
    raise Open311Problem(
        415,
        "send application/x-www-form-urlencoded, multipart/form-data or application/json",
    )


def read_query(request: Request) -> dict[str, str]:
    """The query string's parameters, decoded strictly as UTF-8, each at most once (400)."""
    return parse_urlencoded(request.scope.get("query_string", b""), where="query string")
