"""Generators of synthetic city data with known truth, one module per model topic."""
