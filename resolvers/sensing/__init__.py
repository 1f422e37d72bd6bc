"""The sensing domain."""
