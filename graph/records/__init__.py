"""Facts over time (readings, case events, API keys, seed state), kept with Tortoise ORM."""

from graph.records.db import Records, open_records, sqlite_url

__all__ = ["Records", "open_records", "sqlite_url"]
