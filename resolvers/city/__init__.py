"""The city domain."""
