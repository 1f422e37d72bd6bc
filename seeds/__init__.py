"""Seoul reference data and the scale-factor generator of synthetic operations."""
