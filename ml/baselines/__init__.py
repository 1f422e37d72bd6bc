"""Baselines each model is measured against in the same run, one module each, each from its source."""
