"""The requests bench/abuse.py sends: one per kind of refusal, and the smallest answered one."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

NESTED = '{ district(code: "11680") { ' + "adjacent { " * 10 + "code" + " }" * 10 + " } }"
ALIASES = (
    "{ " + " ".join(f"a{i}: districts(level: DONG) {{ code boundary }}" for i in range(30)) + " }"
)
DEEP = '{ district(code: "11680") { ' + "parent { " * 20 + "code" + " }" * 20 + " } }"
MANY_ALIASES = "{ " + " ".join(f"a{i}: districts {{ code }}" for i in range(40)) + " }"
OVERSIZED = "{ districts { code } }" + " " * (2 * 1024 * 1024)
BROKEN = '{ district(code: "11680") { nameEn '
"""A syntax error: the document ends inside a selection set."""
SMALLEST = "{ __typename }"
UNKNOWN_KEY = "cg_unknownbenchkey0000000000000000"
"""Well-formed, so the door looks it up in the records (unknown keys are not cached)."""


def graphql_body(query: str) -> bytes:
    return json.dumps({"query": query}).encode()


@dataclass(frozen=True)
class Probe:
    """One kind of request: its body and extra headers, and what the server must answer."""

    name: str
    query: str
    status: int
    code: str | None
    headers: dict[str, str] = field(default_factory=dict)
    limited: bool = False
    """Sent to the server with the default public rate limit, once the quota is used up."""

    @property
    def body(self) -> bytes:
        return graphql_body(self.query)


PROBES = (
    Probe("answered: { __typename }", SMALLEST, 200, None),
    Probe("429 rate_limited (public quota used up)", SMALLEST, 429, "rate_limited", limited=True),
    Probe(
        "401 unauthenticated (unknown key)",
        SMALLEST,
        401,
        "unauthenticated",
        {"x-api-key": UNKNOWN_KEY},
    ),
    Probe(
        "401 unauthenticated (malformed key)",
        SMALLEST,
        401,
        "unauthenticated",
        {"x-api-key": "not a key!"},
    ),
    Probe("413 payload_too_large (2 MiB)", OVERSIZED, 413, "payload_too_large"),
    Probe("parse error", BROKEN, 200, "graphql_parse_failed"),
    Probe("validation: depth 20", DEEP, 200, "graphql_validation_failed"),
    Probe("validation: 40 aliases", MANY_ALIASES, 200, "graphql_validation_failed"),
    Probe("query_too_costly: 10 nested adjacent", NESTED, 200, "query_too_costly"),
    Probe("query_too_costly: 30 aliases of boundaries", ALIASES, 200, "query_too_costly"),
)
"""Every kind measured, the answered baseline first."""

ABUSE = {
    "too costly: 10 nested adjacent": NESTED,
    "too costly: 30 aliases of dong boundaries": ALIASES,
    "too deep: 20 nested parent": DEEP,
    "too many aliases: 40": MANY_ALIASES,
    "oversized: 2 MiB document": OVERSIZED,
}
"""What the abusing process cycles through while the normal query's p99 is measured."""

NORMAL = """{
  district(code: "11680") {
    nameEn nameKo population areaKm2
    adjacent { code nameEn }
    sensors { id kind latestReading { measuredAt value(dataType: PM25) } }
  }
  sensors(filter: { near: { lat: 37.5115, lon: 127.0595, radiusM: 2000 } }, first: 10) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id kind districtCode } }
  }
  cases(filter: { district: ["11110"], status: [OPEN] }, first: 5) {
    edges { node { id serviceName requestedAt department { nameEn } events { kind at } } }
  }
}"""
"""The README's main query."""


def outcome(status: int, body: bytes) -> str:
    """`<status> <extensions.code of the first error, or ->`."""
    code = "-"
    try:
        errors = json.loads(body).get("errors") or []
        code = errors[0].get("extensions", {}).get("code", "-") if errors else "-"
    except (ValueError, AttributeError):
        pass
    return f"{status} {code}"
