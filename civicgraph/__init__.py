"""CivicGraph wiring: settings, the Starlette app factory and the CLI."""
