"""Content negotiation for GraphQL over HTTP: the response media type from `Accept`
(RFC 9110 §12.5.1, q-values and wildcards) and the request media type from `Content-Type`."""

from __future__ import annotations

import re
from dataclasses import dataclass

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
SERVED = (GRAPHQL_RESPONSE_JSON, JSON)
"""The response media types served, in the server's order of preference."""
UTF8 = ("utf-8", "utf8")
QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")
"""RFC 9110 §12.4.2: `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`."""


@dataclass(frozen=True)
class MediaRange:
    """One element of an `Accept` header: `type/subtype`, its parameters and its weight."""

    media_type: str
    params: dict[str, str]
    q: float

    def matches(self, media_type: str) -> int:
        """How specifically this range names `media_type`: 3 exactly, 2 by `type/*`, 1 by
        `*/*`, 0 not at all."""
        if self.media_type == media_type:
            return 3
        if self.media_type == media_type.split("/")[0] + "/*":
            return 2
        return 1 if self.media_type == "*/*" else 0


def _split_params(text: str) -> tuple[str, dict[str, str]]:
    head, *rest = text.split(";")
    params: dict[str, str] = {}
    for param in rest:
        name, _, value = param.partition("=")
        params[name.strip().lower()] = value.strip().strip('"').lower()
    return head.strip().lower(), params


def weight(text: str) -> float:
    """The weight a `q` parameter gives: its qvalue (RFC 9110 §12.4.2: 0 to 1, at most three
    decimals). A malformed one (`q=2`, `q=0.5555`, `q=nan`, `q=1_0`) is ignored: weight 1, as if
    the parameter were absent, so a sloppy client is served rather than refused."""
    return float(text) if QVALUE.fullmatch(text) else 1.0


def media_ranges(accept: str) -> list[MediaRange]:
    """The ranges of an `Accept` header value, each weighted by `weight`."""
    ranges = []
    for element in accept.split(","):
        if not element.strip():
            continue
        media_type, params = _split_params(element)
        ranges.append(MediaRange(media_type, params, weight(params.pop("q", "1"))))
    return ranges


def negotiate(accept: str | None) -> str | None:
    """The media type to answer with, or None when `Accept` allows none we serve (HTTP 406).

    A missing or empty header, or one that names no GraphQL type but allows one by wildcard
    (`*/*`, `application/*`), gets application/json: such a client did not say it understands
    application/graphql-response+json (GraphQL-over-HTTP, "Accept": a conforming client names
    it). A range with a charset other than UTF-8 does not match: we only write UTF-8.
    """
    if accept is None or not accept.strip():
        return JSON
    ranges = [r for r in media_ranges(accept) if r.params.get("charset", "utf-8") in UTF8]
    best: tuple[float, int, int] | None = None
    chosen = None
    for order, media_type in enumerate(SERVED):
        matching = [(r.matches(media_type), r) for r in ranges if r.matches(media_type)]
        if not matching:
            continue
        specificity, most_specific = max(matching, key=lambda m: (m[0], len(m[1].params)))
        if most_specific.q <= 0:
            continue
        # higher q first; then a type named outright over a wildcard; then: named → our
        # preference (graphql-response+json), wildcard → the legacy type (application/json)
        preference = -order if specificity == 3 else order
        rank = (most_specific.q, specificity, preference)
        if best is None or rank > best:
            best, chosen = rank, media_type
    return chosen


def is_json_request(content_type: str | None) -> bool:
    """True for `application/json` in UTF-8 (no charset, or utf-8), the one request encoding
    GraphQL over HTTP requires (§"POST"); anything else is HTTP 415."""
    if content_type is None:
        return False
    media_type, params = _split_params(content_type)
    return media_type == JSON and params.get("charset", "utf-8") in UTF8
