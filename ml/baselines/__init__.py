"""Baselines each model is measured against in the same run, one module each, from its source."""
