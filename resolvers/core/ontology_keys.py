"""Which property keys each label (from the ontology)."""

from __future__ import annotations

from graph.ontology import NODE_TYPES


def key_of(label: str) -> str:
    return NODE_TYPES[label].key
