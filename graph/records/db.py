"""Opening the records database (Tortoise ORM; SQLite by default, PostgreSQL at scale)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tortoise import context as tortoise_context
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.context import TortoiseContext

from graph.errors import StoreUnavailable

MODELS = "graph.records.models"


def sqlite_url(path: Path) -> str:
    return f"sqlite://{path.resolve()}"


class Records:
    """An open records database. Raw SQL (for time-series work) goes through `query`."""

    def __init__(
        self,
        context: TortoiseContext,
        client: BaseDBAsyncClient,
        url: str,
        previous: TortoiseContext | None = None,
    ) -> None:
        self.context = context
        self._previous = previous
        self.client = client
        self.url = url
        self.dialect: str = client.capabilities.dialect
        self.calls = 0

    def placeholders(self, count: int, start: int = 1) -> list[str]:
        """Positional parameter markers for this dialect (`?` or `$n`)."""
        if self.dialect == "sqlite":
            return ["?"] * count
        return [f"${i}" for i in range(start, start + count)]

    async def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The one place raw SQL reaches the driver."""
        self.calls += 1
        return await self.client.execute_query_dict(sql, list(params))

    async def execute_many(self, sql: str, rows: list[list[Any]]) -> None:
        self.calls += 1
        await self.client.execute_many(sql, rows)

    async def close(self) -> None:
        """Close, and hand Tortoise's process-wide context back to whoever had it before.

        Tortoise keeps the active context in a contextvar and a global fallback; a process that
        opens records twice (the CLI's tests, a benchmark) must not leave the closed one active.
        """
        await self.context.close_connections()
        if tortoise_context._global_context is self.context:
            tortoise_context._global_context = self._previous
        if tortoise_context._current_context.get() is self.context:
            tortoise_context._current_context.set(self._previous)


async def open_records(url: str, *, create: bool = True) -> Records:
    """Connect, and create the tables if `create` (idempotent)."""
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    previous = tortoise_context._global_context
    # A fresh context each time: Tortoise.init would re-initialise whichever context is current.
    context = TortoiseContext()
    tortoise_context._current_context.set(context)
    tortoise_context._global_context = None  # ours until close() hands it back
    try:
        await context.init(db_url=url, modules={"models": [MODELS]}, _enable_global_fallback=True)
        if create:
            await context.generate_schemas(safe=True)
        client = context.connections.get("default")
        await client.execute_query("SELECT 1")
    except (OSError, ConnectionError) as error:
        raise StoreUnavailable(f"cannot open records at {url}: {error}") from None
    return Records(context, client, url, previous)


__all__ = ["Records", "open_records", "sqlite_url"]
