"""`package_search`'s `q`, `fq` and `sort`: the Solr subset CKAN clients send, over the
catalogue snapshot.

Filters (in `fq`, or as `field:value` words in `q`), all of which must hold:
  organization:<department id>   the publisher (CKAN's organization name)
  tags:<keyword>                 a keyword (dcat:keyword)
  groups:<theme>                 the theme (CKAN groups here are the catalogue's themes)
  res_format:<format>            a resource's format (CSV, GeoJSON, JSON, XML, XLSX, SHP, API,
                                 GraphQL), case-insensitive
  license_id:<id>                CC-BY-4.0 or KOGL-Type1
  name:<id> / id:<id>            the dataset
  metadata_modified:[A TO B]     dct:modified in a range (ISO 8601 instants or `*`);
  metadata_created:[A TO B]      dct:issued likewise (ckanext-harvest's incremental harvest)
A value may be "quoted" (spaces inside), `*:*` matches everything, `AND` between terms is
allowed (terms always conjoin), a leading `-` negates a term and `+` is allowed. Other words
of `q` are free text: each must occur (case-insensitively) in the id, titles, description,
keywords, theme or publisher. Anything else (`OR`, parentheses, unknown fields) is a
Validation Error: the subset is small and stated, rather than approximated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from graph.store import Node
from resolvers.data.ckan_params import invalid
from resolvers.data.downloadable import DOWNLOADS

TERM = re.compile(
    r"(?P<sign>[+-]?)(?:(?P<field>[a-z_]+):)?"
    r'(?:"(?P<quoted>[^"]*)"|\[(?P<range>[^\]]*)\]|(?P<bare>[^\s"\[\]()]+))'
)
FIELDS = frozenset(
    {
        "organization",
        "tags",
        "groups",
        "res_format",
        "license_id",
        "name",
        "id",
        "metadata_modified",
        "metadata_created",
    }
)
RANGES = {"metadata_modified": "modified", "metadata_created": "issued"}
MAX_TERMS = 32
SORTS = {
    "id": lambda n: n["id"],
    "name": lambda n: n["id"],
    "title_string": lambda n: n["title_en"].lower(),
    "metadata_modified": lambda n: n["modified"],
    "metadata_created": lambda n: n["issued"],
}
DEFAULT_SORT = "score desc, metadata_modified desc"


def resource_formats(node: Node) -> list[str]:
    """The formats of a dataset's CKAN resources, in order: GraphQL, the platform's downloads
    (datasets with rows only), then the formats Seoul's portal offers."""
    downloads = ["CSV", "GeoJSON"] if node["id"] in DOWNLOADS else []
    return ["GraphQL", *downloads, *(node["formats"] or ())]


Test = Callable[[Node], bool]


@dataclass(frozen=True)
class Search:
    """A parsed `q` and `fq`: the tests a dataset must pass, and the free-text words."""

    tests: tuple[Test, ...]
    words: tuple[str, ...]

    def matches(self, node: Node, publisher_name: str) -> bool:
        if not all(test(node) for test in self.tests):
            return False
        if not self.words:
            return True
        haystack = " ".join(
            [
                node["id"],
                node["title_en"],
                node["title_ko"],
                node["description"],
                node["theme"],
                node["publisher_code"],
                publisher_name,
                *(node["keywords"] or ()),
            ]
        ).lower()
        return all(word in haystack for word in self.words)


def parse_search(q: str | None, fq: str | None) -> Search:
    """The tests of `fq` and of `q`'s `field:value` words, and `q`'s free-text words.
    Raises CkanProblem (409 Validation Error) naming `q` or `fq`."""
    tests: list[Test] = []
    words: list[str] = []
    for name, given in (("fq", fq), ("q", q)):
        for sign, field, value, is_range in _terms(name, given or ""):
            if field is None:
                if sign == "-" or is_range or name == "fq":
                    raise invalid(name, f"cannot parse {value!r}: use field:value")
                words.append(value.lower())
                continue
            test = _test(name, field, value, is_range)
            tests.append(_negated(test) if sign == "-" else test)
    return Search(tuple(tests), tuple(words))


def _negated(test: Test) -> Test:
    return lambda node: not test(node)


def _terms(name: str, given: str) -> list[tuple[str, str | None, str, bool]]:
    """(sign, field or None, value, is a range) of each term; `*:*` and `AND` dropped."""
    terms = []
    position = 0
    text = given.strip()
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        if text.startswith("*:*", position):
            position += 3
            continue
        found = TERM.match(text, position)
        if found is None or found.end() == position:
            raise invalid(name, f"cannot parse it at character {position + 1}")
        position = found.end()
        if position < len(text) and not text[position].isspace():
            raise invalid(name, f"cannot parse it at character {position + 1}")
        field, bare = found["field"], found["bare"]
        if field is None and bare in ("AND", "&&"):
            continue
        if field is None and bare in ("OR", "NOT", "||"):
            raise invalid(name, f"{bare} is not supported: terms always conjoin")
        is_range = found["range"] is not None
        value = found["quoted"] if found["quoted"] is not None else (found["range"] or bare)
        terms.append((found["sign"], field, value or "", is_range))
        if len(terms) > MAX_TERMS:
            raise invalid(name, f"at most {MAX_TERMS} terms")
    return terms


def _test(name: str, field: str, value: str, is_range: bool) -> Test:
    if field not in FIELDS:
        raise invalid(name, f"unknown field {field!r}; one of {', '.join(sorted(FIELDS))}")
    if field in RANGES:
        if not is_range:
            raise invalid(name, f"{field} takes a range [from TO to]")
        low, high = _range(name, value)
        prop = RANGES[field]
        return lambda n: (low is None or n[prop] >= low) and (high is None or n[prop] <= high)
    if is_range:
        raise invalid(name, f"{field} takes a value, not a range")
    if field == "organization":
        return lambda n: bool(n["publisher_code"] == value)
    if field == "tags":
        return lambda n: value in (n["keywords"] or ())
    if field == "groups":
        return lambda n: bool(n["theme"] == value)
    if field == "license_id":
        return lambda n: bool(n["license"] == value)
    if field == "res_format":
        wanted = value.lower()
        return lambda n: wanted in (f.lower() for f in resource_formats(n))
    return lambda n: bool(n["id"] == value)  # name, id


def _range(name: str, value: str) -> tuple[datetime | None, datetime | None]:
    parts = value.split()
    if len(parts) != 3 or parts[1] != "TO":
        raise invalid(name, "a range is [from TO to]")
    return _instant(name, parts[0]), _instant(name, parts[2])


def _instant(name: str, raw: str) -> datetime | None:
    if raw == "*":
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise invalid(name, f"{raw!r} is not an ISO 8601 instant") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_sort(sort: str | None) -> Callable[[Sequence[Node]], list[Node]]:
    """A sorter for CKAN's `sort` ("field dir, ..."; fields id, name, title_string,
    metadata_modified, metadata_created, score; dir asc or desc): ties fall to id ascending.
    `score` (relevance) is the same for every match here, so it orders nothing."""
    keys: list[tuple[Callable[[Node], object], bool]] = []
    for clause in (sort or DEFAULT_SORT).split(","):
        parts = clause.split()
        if len(parts) != 2 or parts[1] not in ("asc", "desc"):
            raise invalid("sort", "is a list of 'field asc|desc'")
        if parts[0] == "score":
            continue
        if parts[0] not in SORTS:
            raise invalid("sort", f"cannot sort by {parts[0]!r}; one of score, {', '.join(SORTS)}")
        keys.append((SORTS[parts[0]], parts[1] == "desc"))

    def ordered(nodes: Sequence[Node]) -> list[Node]:
        result = sorted(nodes, key=lambda n: n["id"])
        for key, descending in reversed(keys):  # stable sorts: the first key ends primary
            result.sort(key=key, reverse=descending)  # type: ignore[arg-type]
        return result

    return ordered
