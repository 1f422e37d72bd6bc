"""The npm side of federation from Python: compose the subgraphs, run them behind a gateway."""
