"""The merged schema, composed in process from the subgraphs' schemas as a gateway composes
them over HTTP: one GraphQL type per name, each field taken from the one domain that defines
it, so the merged server and a supergraph of the subgraphs serve the same API.

An entity's type joins the owner's fields and every view's added fields (resolvers/core/
federation.py). Where a domain returns its view of another domain's entity (`Sensor.district`
returns sensing's District: a code), the merged server turns the view into the owner's object
with the owner's `resolve_reference` (through its DataLoader, so a list of them is one batch),
as a gateway does with `_entities`; fields the view added then run on the owner's object,
whose key fields they read.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from graphql import (
    GraphQLAbstractType,
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFieldResolver,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLType,
    GraphQLTypeResolver,
    GraphQLUnionType,
    get_named_type,
    print_type,
    specified_directives,
)
from strawberry.federation.schema_directives import Key
from strawberry.types import Info as StrawberryInfo
from strawberry.types.base import StrawberryObjectDefinition

from graph.errors import CivicGraphError
from resolvers.core.federation import extended_entity

DEFINITION = "strawberry-definition"
FEDERATION_FIELDS = frozenset({"_entities", "_service"})


class CompositionError(CivicGraphError):
    """The subgraphs cannot be merged: one type defined two different ways, or an entity
    without exactly one owner."""


def is_federation_type(name: str) -> bool:
    """Types the federation machinery adds to a subgraph (`_Any`, `_Entity`, `_Service`,
    `link__Purpose`, …) and introspection's own (`__Type`)."""
    return name.startswith("_") or "__" in name


def definition_of(named: GraphQLNamedType) -> Any:
    return (named.extensions or {}).get(DEFINITION)


def origin_of(named: GraphQLNamedType) -> type | None:
    definition = definition_of(named)
    return definition.origin if isinstance(definition, StrawberryObjectDefinition) else None


def key_fields(definition: StrawberryObjectDefinition) -> list[str]:
    """The Python names of an entity's first `@key` fields."""
    for directive in definition.directives or ():
        if isinstance(directive, Key):
            names = str(directive.fields).split()
            by_graphql = {f.graphql_name or f.python_name: f.python_name for f in definition.fields}
            return [by_graphql.get(name, name) for name in names]
    return []


class Owner:
    """The owning domain's class of one entity, and how to turn a view into it."""

    def __init__(self, subgraph: str, named: GraphQLObjectType) -> None:
        definition = definition_of(named)
        self.subgraph = subgraph
        self.cls: type = definition.origin
        self.keys = key_fields(definition)
        resolve_reference = self.cls.resolve_reference
        self.takes_info = "info" in inspect.signature(resolve_reference).parameters
        self.resolve_reference: Callable[..., Any] = resolve_reference

    async def adopt(self, value: Any, info: GraphQLResolveInfo[Any], field: Any) -> Any:
        """`value` (a view, a list of views, None) as the owner's object(s)."""
        if value is None or isinstance(value, self.cls):
            return value
        if isinstance(value, list):
            return await asyncio.gather(*(self.adopt(item, info, field) for item in value))
        key = {name: getattr(value, name) for name in self.keys}
        if self.takes_info:
            key["info"] = StrawberryInfo(_raw_info=info, _field=field)
        found = self.resolve_reference(**key)
        return await found if inspect.isawaitable(found) else found


def adopting(resolve: GraphQLFieldResolver, owner: Owner, field: Any) -> GraphQLFieldResolver:
    """`resolve`, with what it returns turned from a view into the owner's object(s)."""

    async def adopt_later(pending: Awaitable[Any], info: GraphQLResolveInfo[Any]) -> Any:
        return await owner.adopt(await pending, info, field)

    def resolver(source: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
        result = resolve(source, info, **args)
        if inspect.isawaitable(result):
            return adopt_later(result, info)
        return owner.adopt(result, info, field)

    return resolver


def resolving_as(
    abstract: GraphQLUnionType | GraphQLInterfaceType,
) -> GraphQLTypeResolver | None:
    """The subgraph's own type resolver of `abstract`, handed the subgraph's type (Strawberry's
    resolvers check membership against the very objects they were built with); it answers a
    type name, which the merged schema looks up by name."""
    resolve_type = abstract.resolve_type
    if resolve_type is None:
        return None
    found: GraphQLTypeResolver = resolve_type

    def resolver(value: Any, info: GraphQLResolveInfo[Any], _merged: GraphQLAbstractType) -> Any:
        return found(value, info, abstract)

    return resolver


class Composer:
    """Builds one merged GraphQLSchema from `(subgraph name, subgraph schema)` pairs."""

    def __init__(self, subgraphs: Sequence[tuple[str, GraphQLSchema]]) -> None:
        self.sources: dict[str, list[tuple[str, GraphQLNamedType]]] = {}
        for subgraph, schema in subgraphs:
            for name, named in schema.type_map.items():
                if not is_federation_type(name):
                    self.sources.setdefault(name, []).append((subgraph, named))
        self.owners = self._owners()
        self.merged: dict[str, GraphQLNamedType] = {}

    def _owners(self) -> dict[str, Owner]:
        owners: dict[str, Owner] = {}
        for name, defs in self.sources.items():
            objects = [(s, t) for s, t in defs if isinstance(t, GraphQLObjectType)]
            views = [
                (s, t) for s, t in objects if (o := origin_of(t)) and extended_entity(o) == name
            ]
            if not views:
                continue
            owning = [(s, t) for s, t in objects if (s, t) not in views]
            if len(owning) != 1:
                found = ", ".join(s for s, _ in owning) or "none"
                raise CompositionError(f"entity {name} needs one owner subgraph (found: {found})")
            owners[name] = Owner(*owning[0])
        return owners

    def schema(self) -> GraphQLSchema:
        for name, defs in self.sources.items():
            self.merged[name] = self._merge(name, defs)
        roots = [self.merged.get(n) for n in ("Query", "Mutation", "Subscription")]
        query, mutation, subscription = (
            r if isinstance(r, GraphQLObjectType) else None for r in roots
        )
        return GraphQLSchema(
            query=query,
            mutation=mutation,
            subscription=subscription,
            types=list(self.merged.values()),
            directives=specified_directives,
        )

    def _merge(self, name: str, defs: list[tuple[str, GraphQLNamedType]]) -> GraphQLNamedType:
        first = defs[0][1]
        if isinstance(first, GraphQLObjectType):
            return self._object(name, defs)
        printed = {print_type(t) for _, t in defs}
        if len(printed) > 1:
            where = ", ".join(s for s, _ in defs)
            raise CompositionError(f"type {name} is defined differently in {where}")
        if isinstance(first, GraphQLScalarType | GraphQLEnumType):
            return first
        if isinstance(first, GraphQLInputObjectType):
            return self._input(first)
        if isinstance(first, GraphQLInterfaceType):
            return GraphQLInterfaceType(
                name,
                fields=lambda: self._fields(defs),
                interfaces=lambda: [self._named(i) for i in first.interfaces],
                resolve_type=resolving_as(first),
                description=first.description,
                extensions=first.extensions,
            )
        if isinstance(first, GraphQLUnionType):
            return GraphQLUnionType(
                name,
                types=lambda: [self._named(t) for t in first.types],
                resolve_type=resolving_as(first),
                description=first.description,
                extensions=first.extensions,
            )
        raise CompositionError(f"type {name} is of a kind the composer does not know")

    def _object(self, name: str, defs: list[tuple[str, GraphQLNamedType]]) -> GraphQLObjectType:
        owner = self.owners.get(name)
        ordered = sorted(defs, key=lambda d: owner is None or d[0] != owner.subgraph)
        main = ordered[0][1]
        assert isinstance(main, GraphQLObjectType)
        checks = [
            t.is_type_of for _, t in defs if isinstance(t, GraphQLObjectType) and t.is_type_of
        ]

        def is_type_of(value: Any, info: GraphQLResolveInfo[Any]) -> bool:
            return any(check(value, info) for check in checks)

        interfaces = {
            i.name: i for _, t in ordered if isinstance(t, GraphQLObjectType) for i in t.interfaces
        }
        return GraphQLObjectType(
            name,
            fields=lambda: self._fields(ordered),
            interfaces=lambda: [self._named(i) for i in interfaces.values()],
            is_type_of=is_type_of if checks else None,
            description=main.description,
            extensions=main.extensions,
        )

    def _fields(self, ordered: list[tuple[str, GraphQLNamedType]]) -> dict[str, GraphQLField]:
        fields: dict[str, GraphQLField] = {}
        for subgraph, named in ordered:
            for field_name, field in named.fields.items():  # type: ignore[attr-defined]
                if field_name in fields or field_name in FEDERATION_FIELDS:
                    continue
                fields[field_name] = self._field(subgraph, field)
        return fields

    def _field(self, subgraph: str, field: GraphQLField) -> GraphQLField:
        resolve = field.resolve
        owner = self.owners.get(get_named_type(field.type).name)
        if resolve is not None and owner is not None and owner.subgraph != subgraph:
            resolve = adopting(resolve, owner, (field.extensions or {}).get(DEFINITION))
        return GraphQLField(
            self._type(field.type),  # type: ignore[arg-type]
            args={
                n: GraphQLArgument(
                    self._type(a.type),  # type: ignore[arg-type]
                    default_value=a.default_value,
                    description=a.description,
                    deprecation_reason=a.deprecation_reason,
                    out_name=a.out_name,
                    extensions=a.extensions,
                )
                for n, a in field.args.items()
            },
            resolve=resolve,
            subscribe=field.subscribe,
            description=field.description,
            deprecation_reason=field.deprecation_reason,
            extensions=field.extensions,
        )

    def _input(self, first: GraphQLInputObjectType) -> GraphQLInputObjectType:
        return GraphQLInputObjectType(
            first.name,
            fields=lambda: {
                n: GraphQLInputField(
                    self._type(f.type),  # type: ignore[arg-type]
                    default_value=f.default_value,
                    description=f.description,
                    deprecation_reason=f.deprecation_reason,
                    out_name=f.out_name,
                    extensions=f.extensions,
                )
                for n, f in first.fields.items()
            },
            description=first.description,
            out_type=first.out_type,
            extensions=first.extensions,
            is_one_of=first.is_one_of,
        )

    def _named(self, named: GraphQLNamedType) -> Any:
        return self.merged[named.name]

    def _type(self, of: GraphQLType) -> GraphQLType:
        if isinstance(of, GraphQLNonNull):
            return GraphQLNonNull(self._type(of.of_type))  # type: ignore[type-var]
        if isinstance(of, GraphQLList):
            return GraphQLList(self._type(of.of_type))
        named: GraphQLType = self._named(of)  # type: ignore[arg-type]
        return named


def compose(subgraphs: Sequence[tuple[str, GraphQLSchema]]) -> GraphQLSchema:
    """One schema serving every field of `subgraphs` (name, schema), without federation's own
    fields and types. Raises CompositionError when the subgraphs disagree."""
    return Composer(subgraphs).schema()
