"""Concurrency slots: at most `limit` things (websockets, subscriptions) held at once per owner.

Counted in this process: a slot is taken when a connection or subscription starts and given
back when it ends, however it ends (completed, cancelled, socket closed), so the count can never
leak past the life of what holds it. With N workers an owner may hold up to N x `limit`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

from graph.errors import CivicGraphError


class SlotsExhausted(CivicGraphError):
    """The owner already holds `limit` slots."""

    def __init__(self, kind: str, limit: int) -> None:
        super().__init__(f"at most {limit} concurrent {kind} per client")
        self.kind = kind
        self.limit = limit


@dataclass
class Slots:
    """Slots of one kind (e.g. "subscriptions"), counted per owner (an API key or an IP)."""

    kind: str
    limit: int
    _held: dict[str, int] = field(default_factory=dict)

    def held(self, owner: str) -> int:
        """How many slots `owner` holds now."""
        return self._held.get(owner, 0)

    def total(self) -> int:
        """Slots held by every owner together."""
        return sum(self._held.values())

    @contextmanager
    def hold(self, owner: str) -> Iterator[None]:
        """Hold one slot of `owner` for the block; raises SlotsExhausted if none is free."""
        count = self._held.get(owner, 0)
        if count >= self.limit:
            raise SlotsExhausted(self.kind, self.limit)
        self._held[owner] = count + 1
        try:
            yield
        finally:
            left = self._held[owner] - 1
            if left:
                self._held[owner] = left
            else:
                del self._held[owner]


@dataclass(frozen=True)
class OwnerSlots:
    """One owner's view of a Slots, handed to the code that starts what holds them."""

    slots: Slots
    owner: str

    def hold(self) -> AbstractContextManager[None]:
        """Hold one of the owner's slots for the block; raises SlotsExhausted if none is free."""
        return self.slots.hold(self.owner)
