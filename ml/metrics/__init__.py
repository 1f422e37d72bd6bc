"""Metrics of the models against their generators' truth, one module per topic."""
