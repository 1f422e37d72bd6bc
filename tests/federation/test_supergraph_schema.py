"""The supergraph Apollo's composer makes of the subgraphs serves the merged server's API:
compared type by type and field by field, descriptions included; every hint is explained."""

from __future__ import annotations

import re

import pytest
from graphql import (
    GraphQLSchema,
    build_schema,
    lexicographic_sort_schema,
    print_schema,
    print_type,
)

from civicgraph.federation.compose import Composition, api_schema, compose, subgraph_sources
from civicgraph.federation.plan import subgraph_addresses
from resolvers.schema import build_schema as build_merged_schema
from resolvers.subgraphs import SUBGRAPHS
from tests.helpers import REPO


@pytest.fixture(scope="module")
def composition() -> Composition:
    return compose(subgraph_sources(subgraph_addresses(SUBGRAPHS)))


@pytest.fixture(scope="module")
def supergraph_api(composition: Composition) -> GraphQLSchema:
    return build_schema(api_schema(composition.supergraph_sdl))


@pytest.fixture(scope="module")
def merged() -> GraphQLSchema:
    return lexicographic_sort_schema(build_merged_schema()._schema)


def user_types(schema: GraphQLSchema) -> dict[str, str]:
    return {
        name: print_type(named)
        for name, named in schema.type_map.items()
        if not name.startswith("__")
    }


def test_the_supergraph_api_has_every_type_of_the_merged_schema_and_no_other(
    supergraph_api: GraphQLSchema, merged: GraphQLSchema
) -> None:
    assert sorted(user_types(supergraph_api)) == sorted(user_types(merged))


def test_each_type_is_the_same_field_by_field_with_descriptions(
    supergraph_api: GraphQLSchema, merged: GraphQLSchema
) -> None:
    composed, ours = user_types(supergraph_api), user_types(merged)
    differing = [name for name in ours if composed.get(name) != ours[name]]
    assert not differing, "\n\n".join(
        f"{name}\n--- supergraph API:\n{composed.get(name)}\n--- merged:\n{ours[name]}"
        for name in differing[:3]
    )
    # and the whole printed schemas, roots and directives included
    assert print_schema(lexicographic_sort_schema(supergraph_api)) == print_schema(merged)


def test_every_composition_hint_is_explained_in_the_federation_docs(
    composition: Composition,
) -> None:
    docs = (REPO / "docs" / "federation.md").read_text(encoding="utf-8")
    rows = {
        code: row for code, row in re.findall(r"^\| `([A-Z_]+)` \|(.*)$", docs, flags=re.MULTILINE)
    }
    for hint in composition.hints:
        assert hint.code in rows, hint.message
        # the row names what the hint is about (the first quoted name of its message)
        subject = re.search(r'"([A-Za-z_][A-Za-z0-9_.]*)"', hint.message)
        assert subject is None or f"`{subject.group(1)}`" in rows[hint.code], hint.message
