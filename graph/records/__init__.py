"""Facts over time (readings, case events, API keys, seed state), kept with Tortoise ORM."""

from graph.records.db import (
    Records,
    apply_migrations,
    open_records,
    pending_migrations,
    redact,
    sqlite_url,
)

__all__ = [
    "Records",
    "apply_migrations",
    "open_records",
    "pending_migrations",
    "redact",
    "sqlite_url",
]
