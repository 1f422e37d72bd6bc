"""The fields a selection set selects, fragments followed: what static checks of a document
(write counts, `selects`) read before anything runs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionNode,
    SelectionSetNode,
)


def fields_in(
    sets: Iterable[SelectionSetNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    included: Callable[[SelectionNode], bool] = lambda _: True,
) -> Iterator[FieldNode]:
    """Every field node `sets` select at their own level, through inline fragments and
    fragment spreads (each named fragment once: a valid document has no cycles, but this walk
    does not rely on it), whatever their type conditions; a selection `included` refuses
    (`@skip`/`@include`) is passed over with what it holds. Fields are not merged: a field
    selected twice is yielded twice."""
    pending, seen = list(sets), set[str]()
    while pending:
        for selection in pending.pop().selections:
            if not included(selection):
                continue
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None and selection.name.value not in seen:
                    seen.add(selection.name.value)
                    pending.append(fragment.selection_set)
