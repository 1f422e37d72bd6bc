"""The GraphQL API: one folder per domain, composed into one schema (and, later, subgraphs)."""
