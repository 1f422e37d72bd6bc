"""The city knowledge graph: ontology, the `GraphStore` protocol and its adapters, records."""
