"""The services domain."""
