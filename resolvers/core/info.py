"""`Info`: what every resolver of every domain receives (Strawberry's Info over our Context)."""

from __future__ import annotations

from graphql import FragmentDefinitionNode, SelectionSetNode
from strawberry.types import Info as StrawberryInfo

from resolvers.core.context import Context
from resolvers.core.selections import fields_in

Info = StrawberryInfo[Context, None]
"""The resolver's info: `info.context` is the request's `Context` (stores, tier, loaders)."""


def selects(info: Info, *path: str) -> bool:
    """True when the field being resolved selects the subfields `path` one inside the other
    (`selects(info, "edges", "node", "latestReading")`), each by its name, not its alias,
    through fragments and inline fragments whatever their type condition or directives: a
    resolver of a list can then load what each item's field will need in one go. Reads the
    document's nodes, which graphql-core already holds."""
    raw = info._raw_info
    level: list[SelectionSetNode] = [n.selection_set for n in raw.field_nodes if n.selection_set]
    for name in path:
        level = _subselections(level, name, raw.fragments)
        if not level:
            return False
    return True


def _subselections(
    sets: list[SelectionSetNode], name: str, fragments: dict[str, FragmentDefinitionNode]
) -> list[SelectionSetNode]:
    """The selection sets (an empty one for a leaf) of the fields called `name` in `sets`."""
    return [
        node.selection_set or SelectionSetNode(selections=())
        for node in fields_in(sets, fragments)
        if node.name.value == name
    ]
