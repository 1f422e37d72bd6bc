"""Feeds: the platform data the models score, drawn from their generators for the seeded city."""
