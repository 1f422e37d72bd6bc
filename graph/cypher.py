"""Cypher text shared by the adapters: filters, pages and hops over the ontology.

Both LadybugDB and Neo4j speak this subset (MATCH, WHERE, IN, ORDER BY, LIMIT, count, and the
trigonometric functions used for great-circle distance). Dialect differences stay in adapters.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import pairwise
from typing import Any

import pyarrow as pa

from graph.errors import UnknownLabel
from graph.ontology import NODE_TYPES, REL_TYPES, NodeType
from graph.query import Hop, Link, NodeQuery

EARTH_RADIUS_M = 6_371_008.8
"""Mean earth radius (IUGG), used by the haversine distance."""


def node_type(label: str) -> NodeType:
    try:
        return NODE_TYPES[label]
    except KeyError:
        raise UnknownLabel(f"unknown node label {label!r}") from None


def check_property(kind: NodeType, name: str) -> str:
    if name not in kind.property_names:
        raise UnknownLabel(f"{kind.label} has no property {name!r}")
    return name


def node_columns(var: str, kind: NodeType) -> str:
    """A node as one column per ontology property, in `kind.property_names` order. LadybugDB
    converts a returned node, its internal id and label included, at about twice the cost of
    its properties as columns (0.83 against 0.56 ms for a gu's 4 sensors)."""
    return ", ".join(f"{var}.{name}" for name in kind.property_names)


def stored(kind: NodeType, prop: str, value: Any) -> Any:
    """A value of `prop` as the store compares it: a numbered key's number (`NO_NODE` for text
    that is no well-formed id, so a lookup finds nothing), anything else as it is."""
    if kind.numbered is not None and prop == kind.key:
        return kind.numbered.looked_up(value)
    return value


def key_is(var: str, kind: NodeType, key: Any, params: Params) -> str:
    """The condition that `var` is the node of `kind` whose key is `key`."""
    return f"{var}.{kind.key} = {params.add(stored(kind, kind.key, key))}"


def key_after(var: str, kind: NodeType, text: str, params: Params) -> str:
    """The condition that `var`'s key sorts after `text` (a numbered key: its number is above
    the last number whose id sorts at or before the text)."""
    if kind.numbered is not None:
        return f"{var}.{kind.key} > {params.add(kind.numbered.at_most(text))}"
    return f"{var}.{kind.key} > {params.add(text)}"


def key_before(var: str, kind: NodeType, text: str, params: Params) -> str:
    """The condition that `var`'s key sorts before `text` (see `key_after`)."""
    if kind.numbered is not None:
        return f"{var}.{kind.key} <= {params.add(kind.numbered.below(text))}"
    return f"{var}.{kind.key} < {params.add(text)}"


def written(kind: NodeType, properties: Mapping[str, Any]) -> dict[str, Any]:
    """A new node's properties as the store keeps them. Raises InvalidKey for a numbered key
    that is no well-formed id."""
    values = dict(properties)
    if kind.numbered is not None and kind.key in values:
        values[kind.key] = kind.numbered.number(values[kind.key])
    return values


def shown(kind: NodeType, prop: str | None, value: Any) -> Any:
    """A value of `prop` as the store returned it, as the API shows it: a numbered key's id."""
    if kind.numbered is not None and prop == kind.key and isinstance(value, int):
        return kind.numbered.shown(value)
    return value


def stored_nodes(kind: NodeType, rows: pa.Table) -> pa.Table:
    """A bulk load's rows of `kind` as stored: its properties' columns, in ontology order, a
    numbered key's column as numbers. Raises InvalidKey (see `NumberedKey.column`)."""
    table = rows.select(list(kind.property_names))
    if kind.numbered is None:
        return table
    index = table.column_names.index(kind.key)
    return table.set_column(index, kind.key, kind.numbered.column(table[kind.key]))


def stored_links(source: NodeType, target: NodeType, rows: pa.Table) -> pa.Table:
    """A bulk load's relationships (`from`, `to` keys) as stored: numbered keys as numbers."""
    table = rows.select(["from", "to"])
    for index, kind in enumerate((source, target)):
        if kind.numbered is not None:
            name = table.column_names[index]
            table = table.set_column(index, name, kind.numbered.column(table[name]))
    return table


class Params:
    """Collects query parameters under generated names."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"${name}"


def equals_conditions(
    var: str, kind: NodeType, equals: Mapping[str, Sequence[Any]], params: Params
) -> list[str]:
    return [
        f"{var}.{check_property(kind, prop)} IN "
        f"{params.add([stored(kind, prop, value) for value in values])}"
        for prop, values in equals.items()
    ]


def distance_expr(var: str, lat: str, lon: str) -> str:
    """Haversine distance in metres from (lat, lon) parameters to the node's lat/lon."""
    return (
        f"{2 * EARTH_RADIUS_M} * asin(sqrt("
        f"sin(radians({var}.lat - {lat}) / 2) * sin(radians({var}.lat - {lat}) / 2) + "
        f"cos(radians({lat})) * cos(radians({var}.lat)) * "
        f"sin(radians({var}.lon - {lon}) / 2) * sin(radians({var}.lon - {lon}) / 2)))"
    )


def range_conditions(
    var: str, kind: NodeType, ranges: Mapping[str, tuple[Any, Any]], params: Params
) -> list[str]:
    conditions = []
    for prop, (low, high) in ranges.items():
        check_property(kind, prop)
        if kind.numbered is not None and prop == kind.key:  # ids from low to high, as numbers
            if low is not None:
                conditions.append(f"{var}.{prop} > {params.add(kind.numbered.below(low))}")
            if high is not None:
                conditions.append(f"{var}.{prop} <= {params.add(kind.numbered.at_most(high))}")
            continue
        if low is not None:
            conditions.append(f"{var}.{prop} >= {params.add(low)}")
        if high is not None:
            conditions.append(f"{var}.{prop} <= {params.add(high)}")
    return conditions


def where(var: str, query: NodeQuery, params: Params, *, paged: bool) -> str:
    kind = node_type(query.label)
    conditions = equals_conditions(var, kind, query.equals, params)
    conditions += range_conditions(var, kind, query.ranges, params)
    if query.bbox is not None:
        box = query.bbox
        conditions.append(
            f"{var}.lat >= {params.add(box.south)} AND {var}.lat <= {params.add(box.north)} AND "
            f"{var}.lon >= {params.add(box.west)} AND {var}.lon <= {params.add(box.east)}"
        )
    if query.near is not None:
        near = query.near
        # A bounding-box prefilter keeps the trigonometry to the few candidates near the point.
        dlat = math.degrees(near.radius_m / EARTH_RADIUS_M)
        dlon = dlat / max(math.cos(math.radians(near.lat)), 1e-6)
        lat, lon = params.add(near.lat), params.add(near.lon)
        conditions.append(
            f"{var}.lat >= {params.add(near.lat - dlat)} AND "
            f"{var}.lat <= {params.add(near.lat + dlat)} AND "
            f"{var}.lon >= {params.add(near.lon - dlon)} AND "
            f"{var}.lon <= {params.add(near.lon + dlon)} AND "
            f"{distance_expr(var, lat, lon)} <= {params.add(near.radius_m)}"
        )
    if paged and query.after is not None:
        conditions.append(key_after(var, kind, query.after, params))
    if paged and query.before is not None:
        conditions.append(key_before(var, kind, query.before, params))
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def find_nodes(query: NodeQuery) -> tuple[str, dict[str, Any]]:
    kind = node_type(query.label)
    params = Params()
    clause = where("n", query, params, paged=True)
    order = " DESC" if query.descending else ""
    text = (
        f"MATCH (n:`{kind.label}`){clause} RETURN {node_columns('n', kind)} "
        f"ORDER BY n.{kind.key}{order}"
    )
    if query.limit is not None:
        text += f" LIMIT {params.add(query.limit)}"
    return text, params.values


def find_nodes_each(
    query: NodeQuery, prop: str, values: Sequence[str]
) -> tuple[str, dict[str, Any]]:
    """One statement for many pages: for each of `values`, the page `query` describes among the
    nodes whose `prop` equals it, each ordered and limited on its own (one `UNION ALL` branch
    per value). Rows are the nodes' columns; `prop`'s column tells whose page a row is on.
    (LadybugDB 0.22 crashes the process on a UNION ALL of ORDER BY ... LIMIT branches that
    return one expression twice, as `n.prop AS g, n.prop` did.) `values` must not be empty."""
    kind = node_type(query.label)
    group = check_property(kind, prop)
    params = Params()
    order = " DESC" if query.descending else ""
    branches = []
    for value in values:
        one = replace(query, equals={**query.equals, group: [value]})
        text = (
            f"MATCH (n:`{kind.label}`){where('n', one, params, paged=True)} "
            f"RETURN {node_columns('n', kind)} ORDER BY n.{kind.key}{order}"
        )
        if query.limit is not None:
            text += f" LIMIT {params.add(query.limit)}"
        branches.append(text)
    return " UNION ALL ".join(branches), params.values


def count_nodes(query: NodeQuery) -> tuple[str, dict[str, Any]]:
    kind = node_type(query.label)
    params = Params()
    return (
        f"MATCH (n:`{kind.label}`){where('n', query, params, paged=False)} RETURN count(n)",
        params.values,
    )


def get_nodes(label: str, keys: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """The nodes of `label` whose key is one of `keys`, each found by its key (`UNWIND`, one
    primary-key lookup per key). `WHERE n.key IN $keys` reads the same rows, but LadybugDB
    answers it by scanning the whole table: 3 citizens took 25 ms at scale 0.01 and 2.4 s at
    1.0, against 0.2 and 0.6 ms (`python -m bench.graph_reads`). A key given twice returns its
    node twice."""
    kind = node_type(label)
    return (
        f"UNWIND $keys AS k MATCH (n:`{kind.label}`) WHERE n.{kind.key} = k "
        f"RETURN {node_columns('n', kind)}",
        {"keys": [stored(kind, kind.key, key) for key in keys]},
    )


def neighbors(hop: Hop, keys: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """The nodes one `hop` away from each start node of `keys`. Rows are (start key, the node's
    `node_columns`) in no order: LadybugDB's `ORDER BY` of whole nodes cost as much as the rest
    of the query (2.0 against 1.1 ms for a gu's sensors), so the caller sorts. Several keys may
    also give a row of nulls for a start node without neighbours, which the caller drops. A
    start key given twice gives its rows twice, so callers pass each once.

    Each start node is found by its primary key. One key: `a.key = $key`. Several: an `UNWIND`
    of the keys, each looked up, then an `OPTIONAL MATCH` of the hop from the nodes found,
    which LadybugDB 0.22 reads through a mask of those nodes. Other forms made it scan the start
    table: `a.key IN $keys` (10 citizens' gu at scale 1.0: 2,012 ms, against 2.9 ms), and an
    `UNWIND` with a plain `MATCH` of the hop (worse still). Neo4j seeks in every form.
    `python -m bench.graph_reads` measures them."""
    rel = REL_TYPES.get(hop.rel)
    if rel is None:
        raise UnknownLabel(f"unknown relationship {hop.rel!r}")
    source, target = node_type(hop.source), node_type(hop.target)
    pair = (source.label, target.label) if hop.direction == "out" else (target.label, source.label)
    if pair not in rel.pairs:
        raise UnknownLabel(f"{rel.name} does not connect {pair[0]} to {pair[1]}")
    arrow = f"-[:`{rel.name}`]->" if hop.direction == "out" else f"<-[:`{rel.name}`]-"
    params = Params()
    returned = f"RETURN a.{source.key}, {node_columns('b', target)}"
    if len(keys) == 1:
        conditions = [key_is("a", source, keys[0], params)]
        conditions += equals_conditions("b", target, hop.target_equals, params)
        text = (
            f"MATCH (a:`{source.label}`){arrow}(b:`{target.label}`) "
            f"WHERE {' AND '.join(conditions)} {returned}"
        )
        return text, params.values
    starts = params.add([stored(source, source.key, key) for key in keys])
    targets = equals_conditions("b", target, hop.target_equals, params)
    text = (
        f"UNWIND {starts} AS k MATCH (a:`{source.label}`) WHERE a.{source.key} = k "
        f"OPTIONAL MATCH (a){arrow}(b:`{target.label}`)"
        f"{' WHERE ' + ' AND '.join(targets) if targets else ''} {returned}"
    )
    return text, params.values


def count_grouped(
    label: str,
    group_by: str,
    equals: Mapping[str, Sequence[Any]],
    ranges: Mapping[str, tuple[int | None, int | None]],
) -> tuple[str, dict[str, Any]]:
    kind = node_type(label)
    params = Params()
    conditions = equals_conditions("n", kind, equals, params)
    conditions += range_conditions("n", kind, ranges, params)
    clause = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    group = check_property(kind, group_by)
    return f"MATCH (n:`{kind.label}`){clause} RETURN n.{group}, count(n)", params.values


def count_cells(
    label: str,
    group_by: Sequence[str],
    equals: Mapping[str, Sequence[Any]],
    bands: Mapping[str, Sequence[Any]] | None = None,
) -> tuple[str, dict[str, Any]]:
    """One aggregate: `label` nodes matching `equals`, counted per combination of `group_by`
    and of each banded property's band (see `band_expr`)."""
    kind = node_type(label)
    params = Params()
    conditions = equals_conditions("n", kind, equals, params)
    clause = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    columns = [f"n.{check_property(kind, name)}" for name in group_by]
    columns += [
        f"{band_expr('n', kind, name, edges, params)} AS band{index}"
        for index, (name, edges) in enumerate((bands or {}).items())
    ]
    return f"MATCH (n:`{kind.label}`){clause} RETURN {', '.join(columns)}, count(n)", params.values


def band_expr(var: str, kind: NodeType, prop: str, edges: Sequence[Any], params: Params) -> str:
    """The band of a property's value among ascending `edges`: how many edges it reaches (0
    below the first or without a value, len(edges) at or past the last).

    Raises ValueError unless `edges` is non-empty and ascending."""
    if not edges or any(b < a for a, b in pairwise(edges)):
        raise ValueError(f"the band edges of {prop!r} must be non-empty and ascending")
    ref = f"{var}.{check_property(kind, prop)}"
    whens = " ".join(
        f"WHEN {ref} >= {params.add(edge)} THEN {index}"
        for index, edge in reversed(list(enumerate(edges, start=1)))
    )
    return f"CASE {whens} ELSE 0 END"


def create_node(
    label: str, properties: Mapping[str, Any], links: Sequence[Link] = ()
) -> tuple[str, dict[str, Any]]:
    """One statement that creates a node and its outgoing relationships, so all or none land.

    Returns the number of nodes created: 0 when a link's target does not exist.
    """
    kind = node_type(label)
    params = Params()
    patterns, conditions, creates = [], [], []
    for index, (rel, target, target_key) in enumerate(links):
        relation = REL_TYPES.get(rel)
        if relation is None or (kind.label, target) not in relation.pairs:
            raise UnknownLabel(f"{rel} does not connect {kind.label} to {target}")
        other = node_type(target)
        patterns.append(f"(t{index}:`{other.label}`)")
        conditions.append(key_is(f"t{index}", other, target_key, params))
        creates.append(f", (n)-[:`{relation.name}`]->(t{index})")
    fields = ", ".join(
        f"{check_property(kind, name)}: {params.add(value)}"
        for name, value in written(kind, properties).items()
    )
    head = f"MATCH {', '.join(patterns)} WHERE {' AND '.join(conditions)} " if links else ""
    text = f"{head}CREATE (n:`{kind.label}` {{{fields}}}){''.join(creates)} RETURN count(n)"
    return text, params.values


def update_node(
    label: str,
    key: str,
    properties: Mapping[str, Any],
    *,
    unless_newer: str | None = None,
    lock: str = "",
) -> tuple[str, dict[str, Any]]:
    """SET `properties` on the node `key`; with `unless_newer` (one of `properties`, e.g.
    updated_at), only when the stored value of that property is not after the new one, so the
    later of two racing updates wins whatever order they arrive in.

    `lock` is the adapter's clause that takes the node's write lock before that comparison reads
    it (Neo4j reads without locks, so two updates could both pass the check); LadybugDB runs one
    write at a time and needs none.
    """
    kind = node_type(label)
    params = Params()
    names = {name: params.add(value) for name, value in written(kind, properties).items()}
    sets = ", ".join(f"n.{check_property(kind, name)} = {ref}" for name, ref in names.items())
    match = f"MATCH (n:`{kind.label}`) WHERE {key_is('n', kind, key, params)}"
    if unless_newer is None:
        return f"{match} SET {sets}", params.values
    newer = f"n.{check_property(kind, unless_newer)} <= {names[unless_newer]}"
    return f"{match} {lock} WITH n WHERE {newer} SET {sets}", params.values


def relink_node(
    label: str, key: str, properties: Mapping[str, Any], link: Link, *, lock: str = ""
) -> tuple[str, dict[str, Any]]:
    """One statement that SETs `properties` on the node `key` and replaces its outgoing
    relationships of `link`'s type with one to `link`'s target, so all or none land (a case's
    reassignment: `agency_responsible` and ASSIGNED_TO).

    Returns the number of nodes changed: 0 when the node or the target does not exist. `lock`
    is the adapter's clause that takes the node's write lock first (see `update_node`), so two
    racing reassignments leave one relationship.
    """
    kind = node_type(label)
    rel, target, target_key = link
    relation = REL_TYPES.get(rel)
    if relation is None or (kind.label, target) not in relation.pairs:
        raise UnknownLabel(f"{rel} does not connect {kind.label} to {target}")
    other = node_type(target)
    params = Params()
    sets = ", ".join(
        f"n.{check_property(kind, name)} = {params.add(value)}"
        for name, value in written(kind, properties).items()
    )
    text = (
        f"MATCH (n:`{kind.label}`), (t:`{other.label}`) "
        f"WHERE {key_is('n', kind, key, params)} AND {key_is('t', other, target_key, params)} "
        f"{lock + ' WITH n, t ' if lock else ''}"
        f"OPTIONAL MATCH (n)-[r:`{relation.name}`]->(:`{other.label}`) DELETE r "
        f"WITH DISTINCT n, t {'SET ' + sets + ' ' if sets else ''}"
        f"CREATE (n)-[:`{relation.name}`]->(t) RETURN count(n)"
    )
    return text, params.values


def delete_node(label: str, key: str) -> tuple[str, dict[str, Any]]:
    kind = node_type(label)
    return (
        f"MATCH (n:`{kind.label}`) WHERE n.{kind.key} = $key DETACH DELETE n",
        {"key": stored(kind, kind.key, key)},
    )
