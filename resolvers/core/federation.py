"""Domains as Apollo Federation v2 subgraphs: what each domain serves, and its views of the
entities other domains own.

Every entity has one owner domain, which defines all its fields and resolves it by its key
(`resolve_reference`, through a DataLoader). Another domain that adds fields to it, or returns
it from one of its own fields, declares its own view of it with `extends`: the key fields and
the fields it adds, nothing else. A gateway joins the views by the key; the merged server
(`resolvers/composition.py`) does the same in process. Source: Apollo Federation v2,
"Entities" and "Contributing entity fields" (subgraph specification, `@key`, `_entities`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, dataclass_transform

import strawberry

T = TypeVar("T", bound=type)

EXTENDS = "__civic_extends__"
"""Class attribute naming the entity a domain's view extends (set by `extends`)."""


@dataclass_transform()
def extends(name: str, keys: Sequence[str]) -> Callable[[T], T]:
    """Class decorator: this domain's view of entity `name`, owned by another domain.

    The class holds the key fields (same names and types as the owner's) and the resolvers of
    the fields this domain adds; those resolvers read only the key fields of `self`, so they
    work on the owner's object too (the merged server hands them that). `resolve_reference`
    builds the view from the key alone: loading the entity is its owner's job.
    """

    def declare(cls: T) -> T:
        if "resolve_reference" not in cls.__dict__:

            def resolve_reference(view: type[Any], /, **key: Any) -> Any:
                return view(**key)

            cls.resolve_reference = classmethod(resolve_reference)  # type: ignore[attr-defined]
        setattr(cls, EXTENDS, name)
        return strawberry.federation.type(cls, name=name, keys=list(keys))

    return declare


def extended_entity(cls: type) -> str | None:
    """The entity `cls` is a view of (see `extends`), None when `cls` owns its type."""
    name = cls.__dict__.get(EXTENDS)
    return name if isinstance(name, str) else None


@dataclass(frozen=True)
class Subgraph:
    """One domain as a subgraph: its root types (each named Query, Mutation, Subscription in
    GraphQL) and the types no root field reaches (views that only add fields)."""

    name: str
    query: type
    mutation: type | None = None
    subscription: type | None = None
    types: tuple[type, ...] = ()
