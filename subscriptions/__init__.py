"""Everything live: the event bus, its streams, ingest of readings, alerts, subscription fields."""
